/**
 * Numbers a double cannot hold survive exactly, on both engines: ingestion types them from
 * their literal text (never a rounded double), and replay re-reads the raw text, so that a
 * quarantined `1e400` or `12345678901234567890` is promoted as what was sent, never as null.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyDdl } from '../../src/actuator/apply-ddl.js';
import { backfillColumn } from '../../src/actuator/backfill.js';
import { ddlForAction } from '../../src/actuator/ddl-for-action.js';
import { replayQuarantine } from '../../src/actuator/replay.js';
import type { ColumnSpec } from '../../src/contract/types.js';
import { compileValidator } from '../../src/sensor/validator.js';
import { silverTable } from '../../src/warehouse/tables.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { column, contractOf, openFixture, quarantineRows, TABLE, type Fixture } from './_fixture.js';

const DECIMAL: ColumnSpec = { name: 'dec', type: { name: 'decimal', precision: 38, scale: 2 }, required: false };
const base = [column('id', 'string', { required: true }), column('n', 'integer'), column('s', 'string'), column('j', 'json'), DECIMAL];
const v1 = contractOf([...base, column('x', 'integer')], { new_column: 'quarantine' });
/** `x` as a person would approve it when its numbers do not fit an integer. */
const v2 = contractOf([...base, column('x', 'string')], v1.evolution);

// Written out by hand: JSON.stringify cannot produce these literals.
const FILE = [
  '{"id":"r1","n":9223372036854775807}', // int64 max: exact as a bigint
  '{"id":"r2","n":1.0000000000000001}', // not an integer, though a double reads it as 1
  '{"id":"r3","s":12345678901234567890}', // into a string: the literal's digits
  '{"id":"r4","j":{"x":12345678901234567890,"y":1e400,"z":0.1}}', // into json: the literals as written
  '{"id":"r5","dec":12345678901234567890.12}', // into decimal(38,2): every digit
  '{"id":"r6","x":1e400}', // beyond a double and an int64: quarantined until x is a string
  '{"id":"r7","x":-12345678901234567890}', // beyond int64: likewise
].join('\n') + '\n';

/** Silver rows as text, so that the comparison never goes through a JavaScript number. */
async function silverText(f: Fixture): Promise<Record<string, Record<string, string | null>>> {
  const text = (name: string) => `CAST("${name}" AS VARCHAR) AS "${name}"`;
  const rows = await f.warehouse.query<Row>(`SELECT ${['id', 'n', 's', 'j', 'dec', 'x', '_coercions'].map(text).join(', ')} FROM "${TABLE}"`);
  const byId: Record<string, Record<string, string | null>> = Object.create(null) as Record<string, Record<string, string | null>>;
  for (const row of rows) byId[String(row.id)] = row as Record<string, string | null>;
  return byId;
}

function exactNumbersSuite(engine: string, url: () => Promise<string | undefined>): void {
  let fixture: Fixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it(`${engine}: stores every number as its literal says, and replay re-reads the raw text`, async () => {
    const f = (fixture = await openFixture(`exact-${engine}`, await url()));
    await f.land({ 'a.ndjson': FILE }, v1, 1);

    const silver = await silverText(f);
    expect(Object.keys(silver).sort()).toEqual(['r1', 'r3', 'r4', 'r5']);
    expect(silver.r1?.n).toBe('9223372036854775807');
    expect(silver.r3?.s).toBe('12345678901234567890');
    // The coercion log keeps the original as the number it was, digit for digit.
    expect(silver.r3?._coercions).toContain('"original":12345678901234567890}');
    expect(silver.r4?.j).toBe('{"x":12345678901234567890,"y":1e400,"z":0.1}');
    expect(silver.r5?.dec).toBe('12345678901234567890.12');

    const quarantined = await quarantineRows(f.warehouse);
    expect(quarantined.map((row) => String(row._raw).slice(0, 11)).sort()).toEqual(['{"id":"r2",', '{"id":"r6",', '{"id":"r7",']);
    // Whatever `_value` holds, it never turns a number into null.
    for (const row of quarantined) expect(String(row._value)).not.toContain('null');

    // The widening a person approved, applied as the actuator applies it.
    await f.warehouse.transaction(async (tx) => {
      await applyDdl(tx, ddlForAction(f.warehouse.dialect, v1, { kind: 'widen_type', column: 'x', from: { name: 'integer' }, to: { name: 'string' } }));
    });
    const result = await replayQuarantine(f.warehouse, {
      table: TABLE, contractVersion: 2, validate: compileValidator(v2), silverColumns: silverTable(v2).columns, incidentId: null,
    });
    expect(result).toMatchObject({ examined: 3, promoted: 2, stillInvalid: 1 });
    const replayed = await silverText(f);
    expect(replayed.r6?.x).toBe('1e400');
    expect(replayed.r7?.x).toBe('-12345678901234567890');
    expect(replayed.r2).toBeUndefined(); // n is still an integer column
  });

  it(`${engine}: backfill reads bronze exactly`, async () => {
    const f = (fixture = await openFixture(`exact-backfill-${engine}`, await url()));
    const ignoring = contractOf([column('id', 'string', { required: true })], { new_column: 'ignore' });
    await f.land({ 'b.ndjson': '{"id":"b1","big":12345678901234567890}\n{"id":"b2","big":1e400}\n' }, ignoring, 1);
    await f.warehouse.transaction((tx) => applyDdl(tx, ddlForAction(f.warehouse.dialect, ignoring, { kind: 'add_column', column: 'big', type: { name: 'string' } })));
    expect(await backfillColumn(f.warehouse, { table: TABLE, column: column('big', 'string') })).toMatchObject({ filled: 2 });
    const rows = await f.warehouse.query<Row>(`SELECT id, big, CAST(_coercions AS VARCHAR) AS log FROM "${TABLE}" ORDER BY id`);
    expect(rows.map((row) => [row.id, row.big])).toEqual([['b1', '12345678901234567890'], ['b2', '1e400']]);
    expect(String(rows[0]?.log)).toContain('"original":12345678901234567890}');
  });
}

describe('exact numbers on DuckDB', () => exactNumbersSuite('duckdb', () => Promise.resolve(undefined)));
describePostgres('exact numbers on PostgreSQL', () => exactNumbersSuite('postgres', () => freshDatabase('exact')));
