import pg from 'pg';
import { expect, it } from 'vitest';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';

describePostgres('the test PostgreSQL server', () => {
  it('gives each test its own empty database', async () => {
    const url = await freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT current_database() AS db, count(*)::int AS tables FROM information_schema.tables WHERE table_schema = $1', ['public']);
    await client.end();
    expect(rows[0]).toMatchObject({ db: new URL(url).pathname.slice(1), tables: 0 });
  });
});
