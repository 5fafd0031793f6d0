/**
 * Replay: re-validates a table's open quarantined records against the current contract
 * version and promotes the ones that now pass into silver — exactly as ingestion would
 * have written them — in ONE transaction. A crash leaves every row open and silver as it
 * was; replaying twice changes nothing, because only open rows are read and a record
 * already in silver is never appended again.
 */
import { toJsonText } from '../ledger/event-log.js';
import { parseJsonExact } from '../readers/exact-json.js';
import { exactJsonText } from '../readers/number-literal.js';
import type { ReadRecord } from '../readers/reader.js';
import type { Reason, Verdict } from '../sensor/types.js';
import { crashPoint } from '../util/crash-point.js';
import { AetlError } from '../util/errors.js';
import { nowMicros } from '../util/time.js';
import { quarantineTableName, SILVER_SYSTEM_COLUMNS } from '../warehouse/tables.js';
import type { ColumnDef, Row, TableDef, Warehouse, WarehouseSession } from '../warehouse/warehouse.js';
import { createStage, dropStage, stageName, typedParameter } from './_stage.js';

export interface ReplayOptions {
  /** The contract table (silver); its quarantine is `quarantine_<table>`. */
  table: string;
  /** The current contract version: written to promoted silver rows and to still-invalid quarantine rows. */
  contractVersion: number;
  /** The validator compiled for that version. */
  validate: (record: ReadRecord) => Verdict;
  /** `silverTable(contract).columns`: contract columns then the system columns, as ingest writes them. */
  silverColumns: readonly ColumnDef[];
  /** Recorded on the rows this replay resolves; null for a replay no incident asked for. */
  incidentId: string | null;
  /** Which open rows to consider, by their stored reasons (an incident replays only its own). Default: all. */
  select?: ((reasons: Reason[]) => boolean) | null;
  /** Rows read per page (memory stays bounded by it). Default 5,000. */
  pageSize?: number;
  /** Called after each page with the rows examined so far. */
  onProgress?: (examined: number) => void;
}

export interface ReplayResult {
  /** Open rows considered (selected): the sum of the four counts below. */
  examined: number;
  /** Now valid: appended to silver, quarantine row marked `replayed`. */
  promoted: number;
  /** Still invalid: kept open, with the current version's reasons. */
  stillInvalid: number;
  /** Malformed rows (no parsed value): never promotable, left untouched. */
  malformed: number;
  /** Open rows whose record was already in silver: marked `replayed`, not appended again. */
  alreadyInSilver: number;
}

export const DEFAULT_REPLAY_PAGE_SIZE = 5000;

const OPEN = 'open';
const REPLAYED = 'replayed';

/** Per-row outcome, applied to quarantine by two UPDATEs at the end. */
function stageTable(table: string): TableDef {
  return {
    name: stageName('replay', table),
    columns: [
      { name: '_record_id', type: { name: 'string' }, nullable: false },
      { name: 'promoted', type: { name: 'boolean' }, nullable: false },
      { name: 'reasons', type: { name: 'json' } },
    ],
  };
}

interface QuarantineRow extends Row {
  _record_id: string;
  _file_id: string;
  _file: string;
  _line: bigint | number;
  _raw: string;
  _raw_encoding: string;
  _value: string | null;
  _textual: boolean;
  reasons: string;
  in_silver: boolean;
}

/**
 * The record as the reader gave it, or undefined when it holds no object; the offset is not
 * kept in quarantine (validation never reads it). A JSON record is parsed again from its
 * raw text, as the reader parsed it: `_value` is JSON, which has no Infinity and whose
 * readers round long numbers, and rows written before numbers were kept exact hold such
 * losses. A CSV row's fields need the file's header, so its `_value` is used: field names
 * and text (or null) only, which JSON keeps exactly.
 */
function recordOf(row: QuarantineRow, value: string): ReadRecord | undefined {
  const rawEncoding = row._raw_encoding === 'base64' ? 'base64' : 'utf8';
  let parsed: unknown;
  try {
    if (row._textual) parsed = JSON.parse(value);
    // Base64 raw of a parsed record is text that held a NUL character (see ingest-file.ts).
    else parsed = parseJsonExact(rawEncoding === 'base64' ? Buffer.from(row._raw, 'base64').toString('utf8') : row._raw);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return { line: Number(row._line), offset: 0, raw: row._raw, rawEncoding, value: parsed as Record<string, unknown>, textual: row._textual };
}

export async function replayQuarantine(warehouse: Warehouse, options: ReplayOptions): Promise<ReplayResult> {
  const { quoteIdent: q, placeholder: p } = warehouse.dialect;
  const dialect = warehouse.dialect;
  const quarantine = q(quarantineTableName(options.table));
  const silver = q(options.table);
  const stage = stageTable(options.table);
  const contractWidth = options.silverColumns.length - SILVER_SYSTEM_COLUMNS.length;
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? DEFAULT_REPLAY_PAGE_SIZE));
  const select = options.select ?? null;
  const version = BigInt(options.contractVersion);
  const result: ReplayResult = { examined: 0, promoted: 0, stillInvalid: 0, malformed: 0, alreadyInSilver: 0 };

  const candidatesName = stageName('replay_candidates', options.table);
  const candidates = q(candidatesName);
  const columns = ['_record_id', '_file_id', '_file', '_line', '_raw', '_raw_encoding', '_value', '_textual', 'reasons'];
  const pageSql = `SELECT ${columns.map((name) => q(name)).join(', ')}, in_silver FROM ${candidates} WHERE n > ${p(1)} AND n <= ${p(2)} ORDER BY n`;

  return warehouse.transaction(async (tx) => {
    await createStage(tx, dialect, stage);
    await dropStage(tx, dialect, candidatesName);
    // The open rows, copied once and numbered in the order they are written, so that each
    // page is a range of n the engine finds by its min/max statistics. Keyset pages over
    // `_record_id` re-scan the whole quarantine per page (quadratic: 600k open rows spent
    // 19 s in page queries, 5 s this way), and numbering by id would sort every payload
    // (out of memory within DuckDB's 64MB default). The anti-join
    // with silver is made here, once: normally false, it catches a record that reached
    // silver while its quarantine row stayed open.
    await tx.run(
      `CREATE TABLE ${candidates} AS SELECT row_number() OVER () AS n, ${columns.map((name) => `qq.${q(name)}`).join(', ')}, ` +
        `EXISTS (SELECT 1 FROM ${silver} ss WHERE ss.${q('_record_id')} = qq.${q('_record_id')}) AS in_silver ` +
        `FROM ${quarantine} qq WHERE qq.${q('status')} = ${p(1)}`,
      [OPEN],
    );
    await refuseDuplicates(tx);
    const ingestedAt = nowMicros();
    for (let from = 0; ; from += pageSize) {
      const rows = await tx.query<QuarantineRow>(pageSql, [BigInt(from), BigInt(from + pageSize)]);
      if (rows.length === 0) break;
      await replayPage(tx, rows);
      options.onProgress?.(result.examined);
      if (rows.length < pageSize) break;
    }
    if (result.promoted > 0) crashPoint('replay:promoted');
    await resolve(tx);
    await dropStage(tx, dialect, stage.name);
    await dropStage(tx, dialect, candidatesName);
    return result;

    async function replayPage(session: WarehouseSession, rows: readonly QuarantineRow[]): Promise<void> {
      const silverWriter = await session.bulkWriter(options.table, options.silverColumns);
      const stageWriter = await session.bulkWriter(stage.name, stage.columns);
      for (const row of rows) {
        const id = row._record_id;
        if (select !== null && !select(JSON.parse(row.reasons) as Reason[])) continue;
        result.examined += 1;
        if (row.in_silver) {
          stageWriter.append([id, true, null]);
          result.alreadyInSilver += 1;
          continue;
        }
        const record = row._value === null ? undefined : recordOf(row, row._value);
        if (record === undefined) {
          result.malformed += 1;
          continue;
        }
        const verdict = options.validate(record);
        if (verdict.status === 'invalid') {
          stageWriter.append([id, false, toJsonText(verdict.reasons)]);
          result.stillInvalid += 1;
          continue;
        }
        if (verdict.values.length !== contractWidth) throw widthMismatch(verdict.values.length);
        const coercions = verdict.coercions.length === 0 ? null : (exactJsonText(verdict.coercions) ?? null);
        silverWriter.append([...verdict.values, id, row._file_id, row._file, BigInt(row._line), version, coercions, ingestedAt]);
        stageWriter.append([id, true, null]);
        result.promoted += 1;
      }
      await silverWriter.close();
      await stageWriter.close();
    }

    /** Ids are unique by construction; were one not, replay could append a record twice. */
    async function refuseDuplicates(session: WarehouseSession): Promise<void> {
      const [row] = await session.query(`SELECT count(*) - count(DISTINCT ${q('_record_id')}) AS extra FROM ${candidates}`);
      const extra = Number(row?.extra ?? 0);
      if (extra === 0) return;
      throw new AetlError('internal', `${quarantineTableName(options.table)} holds ${extra} open row(s) whose _record_id repeats another; replay stopped before writing anything`, {
        hint: `run \`agentic-etl audit\` to see which files are affected; every record id must be unique`,
      });
    }

    async function resolve(session: WarehouseSession): Promise<void> {
      const staged = q(stage.name);
      await session.run(
        `UPDATE ${quarantine} SET ${q('status')} = ${p(1)}, ${q('resolved_at')} = ${typedParameter(dialect, 2, { name: 'timestamp' })}, ` +
          `${q('incident_id')} = ${p(3)} WHERE ${q('status')} = ${p(4)} AND ${q('_record_id')} IN ` +
          `(SELECT ${q('_record_id')} FROM ${staged} WHERE ${q('promoted')} = ${p(5)})`,
        [REPLAYED, ingestedAt, options.incidentId, OPEN, true],
      );
      // Still-invalid rows keep their place but say why now, so `quarantine list` is current.
      await session.run(
        `UPDATE ${quarantine} SET ${q('reasons')} = st.${q('reasons')}, ${q('contract_version')} = ${p(1)} ` +
          `FROM ${staged} st WHERE ${quarantine}.${q('_record_id')} = st.${q('_record_id')} ` +
          `AND st.${q('promoted')} = ${p(2)} AND ${quarantine}.${q('status')} = ${p(3)}`,
        [version, false, OPEN],
      );
    }
  });

  function widthMismatch(values: number): AetlError {
    return new AetlError(
      'internal',
      `replay into ${options.table}: the validator gives ${values} values but silverColumns has ${contractWidth} contract columns`,
      { hint: 'pass silverTable(contract).columns for the same contract version the validator was compiled from' },
    );
  }
}
