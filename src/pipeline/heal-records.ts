/**
 * An incident's records in quarantine: which open rows a replay for it considers, how many
 * of its own are still there, how many it replayed. Counted from the quarantine table
 * itself — what committed — never carried along in memory, so a crash cannot make them lie.
 */
import { reasonKey, reasonMatches } from '../controller/finding-signature.js';
import { signaturesOf, type Incident } from '../ledger/incidents.js';
import type { Reason } from '../sensor/types.js';
import { quarantineTableName } from '../warehouse/tables.js';
import type { Dialect, SqlValue, WarehouseSession } from '../warehouse/warehouse.js';

/** Rows a replay for these finding keys considers (plus the circuit's held rows when resuming). Replay promotes only rows that now pass, so a wide pick is safe. */
export function reasonSelector(keys: readonly string[], includeCircuit: boolean): (reasons: Reason[]) => boolean {
  const wanted = new Set(keys);
  return (reasons) => reasons.some((reason) => (includeCircuit && reason.kind === 'circuit_open') || wanted.has(reasonKey(reason) ?? ''));
}

/** The text a row's reasons must contain to be one of the incident's: its columns, as JSON spells them. */
function needles(incident: Incident): string[] {
  return incident.findingKeys.map((key) => {
    const column = key.slice(key.indexOf(':') + 1);
    return key.startsWith('malformed:') ? '"malformed"' : JSON.stringify(column).slice(1, -1);
  });
}

/**
 * Open quarantine rows per incident whose current reasons are the incident's own (by its
 * signatures), optionally within one file. Rows are narrowed in SQL to those whose reasons
 * mention one of the incidents' columns (a superset), then matched exactly here.
 */
export async function countIncidentRecords(
  session: WarehouseSession,
  dialect: Dialect,
  table: string,
  incidents: readonly Incident[],
  fileId?: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>(incidents.map((incident) => [incident.id, 0]));
  const all = [...new Set(incidents.flatMap(needles))];
  if (all.length === 0) return counts;
  const { quoteIdent: q, placeholder: p } = dialect;
  const params: SqlValue[] = ['open'];
  const mentions = all.map((needle) => {
    params.push(needle);
    return `position(${p(params.length)} IN CAST(${q('reasons')} AS VARCHAR)) > 0`;
  });
  let where = `${q('status')} = ${p(1)} AND (${mentions.join(' OR ')})`;
  if (fileId !== undefined) {
    params.push(fileId);
    where += ` AND ${q('_file_id')} = ${p(params.length)}`;
  }
  const rows = await session.query(`SELECT ${q('reasons')} FROM ${q(quarantineTableName(table))} WHERE ${where}`, params);
  const owned = incidents.map((incident) => ({ id: incident.id, signatures: new Set(signaturesOf(incident)) }));
  for (const row of rows) {
    const reasons = JSON.parse(String(row.reasons)) as Reason[];
    for (const { id, signatures } of owned) {
      if (reasons.some((reason) => reasonMatches(reason, signatures))) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/** Quarantine rows a replay for the incident promoted to silver. */
export async function countReplayed(session: WarehouseSession, dialect: Dialect, table: string, incidentId: string): Promise<number> {
  const { quoteIdent: q, placeholder: p } = dialect;
  const [row] = await session.query(
    `SELECT count(*) AS n FROM ${q(quarantineTableName(table))} WHERE ${q('incident_id')} = ${p(1)} AND ${q('status')} = ${p(2)}`,
    [incidentId, 'replayed'],
  );
  return Number(row?.n ?? 0);
}
