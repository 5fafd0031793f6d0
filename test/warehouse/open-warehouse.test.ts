import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../src/warehouse/open-warehouse.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aetl-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openWarehouse', () => {
  it('opens duckdb:<relative file> against the base folder', async () => {
    const w = await openWarehouse('duckdb:./data/../w.duckdb', dir);
    try {
      expect(w.dialect.name).toBe('duckdb');
      expect(w.uri).toBe(`duckdb:${path.join(dir, 'w.duckdb')}`);
      await w.run('CREATE TABLE t (x BIGINT)');
    } finally {
      await w.close();
    }
    expect(existsSync(path.join(dir, 'w.duckdb'))).toBe(true);
    // Closing released the file: it opens again.
    const again = await openWarehouse(`duckdb:${path.join(dir, 'w.duckdb')}`, '/elsewhere');
    expect(await again.describeTable('t')).toEqual([{ name: 'x', engineType: 'BIGINT', nullable: true }]);
    await again.close();
  });

  it('opens duckdb::memory:', async () => {
    const w = await openWarehouse('duckdb::memory:', dir);
    expect(await w.query('SELECT 40 + 2 AS n')).toEqual([{ n: 42 }]);
    await w.close();
  });

  it.each(['postgres://etl:secret@127.0.0.1:1/etl', 'postgresql://etl:secret@127.0.0.1:1/etl'])(
    'opens %s as PostgreSQL, and names the server without its password when it cannot connect',
    async (uri) => {
      const error = await openWarehouse(uri, dir).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'warehouse_unavailable', message: expect.stringMatching(/could not connect to the PostgreSQL warehouse .*etl:\*\*\*@127\.0\.0\.1:1\/etl/) });
      expect((error as Error).message).not.toContain('secret');
    },
  );

  it.each([
    ['databricks://workspace.cloud.databricks.com', /databricks warehouse .* not supported yet/],
  ])('refuses %s as not supported yet, without showing a password', async (uri, message) => {
    const error = await openWarehouse(uri, dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'config_invalid', message: expect.stringMatching(message), hint: expect.stringContaining('duckdb:') });
    expect((error as Error).message).not.toContain('secret');
  });

  it.each(['sqlite:./x.db', './warehouse.duckdb', 'duckdb:'])('refuses %s, listing the accepted forms', async (uri) => {
    await expect(openWarehouse(uri, dir)).rejects.toMatchObject({ code: 'config_invalid', hint: expect.stringContaining('duckdb::memory:') });
  });
});
