import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real PostgreSQL server for the whole run; each test makes its own database.
    globalSetup: ['test/helpers/postgres-server.ts'],
    // DuckDB is a native addon: forks isolate it better than worker threads.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
