/**
 * Opens the warehouse a config names. Engine modules are imported only when configured,
 * so a user of the embedded default never loads another engine's SDK.
 */
import path from 'node:path';
import { AetlError } from '../util/errors.js';
import type { Warehouse } from './warehouse.js';

const ACCEPTED =
  'duckdb:<file> (relative to the config folder, e.g. duckdb:./warehouse.duckdb), duckdb::memory: or postgres://user:password@host:5432/database';

/** The scheme of a warehouse URI, as a closed set. */
type Engine = 'duckdb' | 'postgres' | 'databricks';

function engineOf(uri: string): Engine | undefined {
  if (uri.startsWith('duckdb:')) return 'duckdb';
  if (uri.startsWith('postgres://') || uri.startsWith('postgresql://')) return 'postgres';
  if (uri.startsWith('databricks://')) return 'databricks';
  return undefined;
}

/** The URI without a password, for messages. */
function redact(uri: string): string {
  return uri.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/**
 * `duckdb:./warehouse.duckdb`, `duckdb::memory:`, `postgres://…` / `postgresql://…` (with
 * `?lock_timeout=5s`, see postgres-warehouse.ts); Databricks is planned.
 */
export async function openWarehouse(uri: string, baseDir: string): Promise<Warehouse> {
  const engine = engineOf(uri.trim());
  switch (engine) {
    case 'duckdb': {
      // `duckdb:<file>[?memory_limit=512MB]`: the one engine setting worth exposing.
      const [location = '', query = ''] = uri.trim().slice('duckdb:'.length).split('?', 2);
      if (location.length === 0) {
        throw new AetlError('config_invalid', `the warehouse ${uri} names no DuckDB file`, { hint: `use ${ACCEPTED}` });
      }
      const params = new URLSearchParams(query);
      const unknown = [...params.keys()].filter((key) => key !== 'memory_limit');
      if (unknown.length > 0) {
        throw new AetlError('config_invalid', `the DuckDB warehouse option ${unknown.join(', ')} is not known`, {
          hint: 'the only option is memory_limit, e.g. duckdb:./warehouse.duckdb?memory_limit=512MB',
        });
      }
      const file = location === ':memory:' ? location : path.resolve(baseDir, location);
      const { duckdbWarehouse } = await import('./duckdb/duckdb-warehouse.js');
      return duckdbWarehouse({ path: file, memoryLimit: params.get('memory_limit') ?? undefined });
    }
    case 'postgres': {
      const { postgresWarehouse } = await import('./postgres/postgres-warehouse.js');
      return postgresWarehouse({ url: uri.trim() });
    }
    case 'databricks':
      throw new AetlError('config_invalid', `the ${engine} warehouse ${redact(uri)} is not supported yet`, {
        hint: `use a DuckDB or PostgreSQL warehouse for now: ${ACCEPTED}`,
      });
    case undefined:
      throw new AetlError('config_invalid', `the warehouse ${redact(uri)} is not a warehouse URI agentic-etl knows`, {
        hint: `use ${ACCEPTED}; databricks:// is planned`,
      });
  }
}
