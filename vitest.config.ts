import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real PostgreSQL server for the whole run; each test makes its own database.
    globalSetup: ['test/helpers/postgres-server.ts'],
    // DuckDB is a native addon: forks isolate it better than worker threads.
    pool: 'forks',
    // Two test files at a time on two cores: most files spend their time in CLI child
    // processes, PostgreSQL or s3rver, so one worker (vitest's default here) leaves a core idle.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
