/**
 * BulkWriter over `COPY … FROM STDIN` (text format). One connection runs one COPY at a
 * time while the core keeps several writers open at once (bronze, silver and quarantine of
 * one file), so each writer turns its rows into text in chunks of about 1 MiB and sends
 * each chunk as its own COPY statement; `pg` queues them on the transaction's connection
 * in order. Every chunk is part of the caller's transaction, so they commit or roll back
 * together. Memory stays bounded when the caller awaits `ready()` now and then: at most
 * MAX_IN_FLIGHT chunks per writer are then held while the server takes them.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TypeName } from '../../contract/types.js';
import type { TypedValue } from '../../sensor/types.js';
import { AetlError } from '../../util/errors.js';
import type { BulkWriter, ColumnDef, DescribedColumn } from '../warehouse.js';
import { postgresDialect } from './postgres-dialect.js';
import { postgresError } from './postgres-errors.js';
import { physicalName } from './postgres-names.js';
import { pgDateText, pgTimestampText } from './postgres-values.js';
import { TYPED_VALUE_JS_TYPE } from '../../sensor/types.js';

const CHUNK_CHARS = 1 << 20;
const MAX_IN_FLIGHT = 2;

type Encode = (value: TypedValue) => string;

const CARRIED_AS = TYPED_VALUE_JS_TYPE;

// NUL is looked for too (and refused in copyText): PostgreSQL text cannot hold it.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\\t\n\r\u0000]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Text-format escaping: backslash, tab, newline and carriage return; `\N` is NULL. */
export function copyText(value: string, table: string, column: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  if (value.includes('\u0000')) {
    throw new AetlError('warehouse_failed', `column ${column} of ${table} was given text with a NUL character (U+0000), which PostgreSQL text cannot hold`, {
      hint: 'remove NUL characters from the data, or use the DuckDB warehouse, which stores them',
    });
  }
  return value.replace(ESCAPED, (char) => ESCAPES[char] as string);
}

function encoderFor(table: string, column: ColumnDef): Encode {
  const type = column.type.name;
  const expected = CARRIED_AS[type];
  const wrongValue = (value: TypedValue): never => {
    throw new AetlError('internal', `column ${column.name} of ${table} (${type}) was given a ${typeof value}: ${String(value)}`, {
      hint: `${type} values are written as ${expected} (see TypedValue in sensor/types.ts)`,
    });
  };
  const encode = encodeValueFor(table, column.name, type);
  return (value) => {
    if (value === null) return '\\N';
    if (typeof value !== expected) return wrongValue(value);
    return encode(value as never);
  };
}

function encodeValueFor(table: string, column: string, type: TypeName): (value: never) => string {
  switch (type) {
    case 'string':
    case 'json':
    case 'decimal':
      return (value: string) => copyText(value, table, column);
    case 'date':
      return pgDateText;
    case 'integer':
      return (value: bigint) => value.toString();
    case 'double':
      // JavaScript's shortest round-trip spelling; PostgreSQL reads NaN, Infinity and 1e+300.
      return (value: number) => (Object.is(value, -0) ? '-0' : String(value));
    case 'boolean':
      return (value: boolean) => (value ? 't' : 'f');
    case 'timestamp':
      return timestampEncoder();
  }
}

/**
 * Timestamps as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. Formatting a Date costs ~400 ns, so the
 * text up to the second is remembered: rows of one file mostly share the second of their
 * neighbours (and `_ingested_at` is one value for the whole file). Instants that are not
 * exact as a double (beyond ±285 years of 1970) or outside years 1–9999 take the slow path.
 */
function timestampEncoder(): (value: bigint) => string {
  let lastSecond = Number.NaN;
  let prefix = '';
  return (value) => {
    const micros = Number(value);
    if (!Number.isSafeInteger(micros)) return pgTimestampText(value);
    const second = Math.floor(micros / 1e6);
    if (second !== lastSecond) {
      const iso = new Date(second * 1000).toISOString();
      const plain = iso.charCodeAt(0) !== 43 && iso.charCodeAt(0) !== 45 && !iso.startsWith('0000');
      prefix = plain ? iso.slice(0, 19) : '';
      lastSecond = second;
    }
    if (prefix === '') return pgTimestampText(value);
    return `${prefix}.${String(micros - second * 1e6).padStart(6, '0')}Z`;
  };
}

/**
 * `physical` is the table as describeTable reports it. Unknown or mistyped columns are
 * refused here, before any row is written: COPY would take a timestamp's text into a TEXT
 * column without complaint.
 */
/** The first COPY failure on a connection: later statements there fail only because of it. */
export interface SessionFailure {
  first?: unknown;
}

export function postgresBulkWriter(
  client: pg.ClientBase,
  url: string,
  session: SessionFailure,
  table: string,
  columns: readonly ColumnDef[],
  physical: readonly DescribedColumn[],
): BulkWriter & { abort(): void } {
  if (columns.length === 0) {
    throw new AetlError('internal', `a bulk writer for ${table} needs at least one column`, { hint: 'pass the columns the rows hold' });
  }
  const types = new Map(physical.map((column) => [physicalName(column.name), column.engineType]));
  for (const column of columns) {
    const engineType = types.get(physicalName(column.name));
    if (engineType === undefined) {
      throw new AetlError('warehouse_failed', `table ${table} has no column ${column.name}`, { hint: 'add the column (add_column) before writing it' });
    }
    if (engineType !== postgresDialect.typeName(column.type)) {
      throw new AetlError('warehouse_failed', `column ${column.name} of ${table} is ${engineType} in the warehouse, not ${column.type.name}`, {
        hint: "the table and the contract disagree: apply the pending widening, or write with the table's current types",
      });
    }
  }
  const q = postgresDialect.quoteIdent;
  const sql = `COPY ${q(table)} (${columns.map((column) => q(column.name)).join(', ')}) FROM STDIN`;
  const encoders = columns.map((column) => encoderFor(table, column));
  const width = encoders.length;
  let parts: string[] = [];
  let size = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let state: 'open' | 'closed' = 'open';

  function send(): void {
    if (parts.length === 0) return;
    const text = parts.join('');
    parts = [];
    size = 0;
    const stream = client.query(copyFrom(sql));
    const sent = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    }).catch((error: unknown) => {
      session.first ??= error;
      failure ??= session.first;
    });
    inFlight.add(sent);
    void sent.then(() => inFlight.delete(sent));
    stream.end(text);
  }

  function failed(): AetlError {
    return postgresError(failure, sql, url);
  }

  async function settle(limit: number): Promise<void> {
    while (inFlight.size > limit) await Promise.race(inFlight);
    if (failure !== undefined) throw failed();
  }

  return {
    append(row) {
      if (state !== 'open') throw new AetlError('internal', `the bulk writer for ${table} is closed`, { hint: 'open a new bulk writer' });
      if (failure !== undefined) throw failed();
      if (row.length !== width) {
        throw new AetlError('internal', `a row for ${table} has ${row.length} values for ${width} columns`, {
          hint: 'give one value per column passed to bulkWriter, in that order',
        });
      }
      // The whole line is built before it is kept, so a refused value leaves no half row.
      let line = (encoders[0] as Encode)(row[0] as TypedValue);
      for (let i = 1; i < width; i++) line += `\t${(encoders[i] as Encode)(row[i] as TypedValue)}`;
      line += '\n';
      parts.push(line);
      size += line.length;
      if (size >= CHUNK_CHARS) send();
    },
    async ready() {
      await settle(MAX_IN_FLIGHT - 1);
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      send();
      await settle(0);
    },
    abort() {
      state = 'closed';
      parts = [];
    },
  };
}
