/**
 * Named points where a test may have the process die, as a failpoint does: with
 * `AETL_TEST_CRASH_AT=heal:schema` in its environment the process SIGKILLs itself the
 * first time it reaches `heal:schema`; with `ingest:record@5000`, the 5,000th time. Crash tests hit every step of healing this way
 * deterministically, however loaded the machine, instead of killing at a lucky moment.
 * Unset (always, outside tests), a crash point does nothing.
 */
export type CrashPoint =
  /** A record was appended to the file's writers (mid-file, the transaction open). */
  | 'ingest:record'
  /** Every record of the file is written; the ledger row and the file's events are not. */
  | 'ingest:written'
  /** Everything of the file is written inside its transaction, not yet committed. */
  | 'ingest:commit'
  /** The file's transaction committed; healing has not started. */
  | 'ingest:committed'
  /** A file committed (its drift is pending), before healing took it into an incident. */
  | 'heal:file-committed'
  /** The incident is saved, not yet planned. */
  | 'heal:opened'
  /** Plan, decisions and the work order are saved, nothing applied. */
  | 'heal:planned'
  /** Inside the schema transaction: the DDL ran, the contract version is not written. */
  | 'heal:ddl'
  /** Inside the schema transaction: DDL and contract version written, not committed. */
  | 'heal:version'
  /** The schema transaction committed (DDL, contract version, the incident's applied actions). */
  | 'heal:schema'
  /** The circuit (halt / resume) changed and committed with the incident. */
  | 'heal:circuit'
  /** Inside a replay's transaction: rows appended to silver, quarantine not yet resolved. */
  | 'replay:promoted'
  /** A replay committed; the incident's status is not settled. */
  | 'heal:replayed'
  /** The incident's status and the controller committed: the step is over. */
  | 'heal:status'
  /** `approve` saved the person's decision as the incident's work, nothing applied. */
  | 'approve:intent'
  /** `reject` saved the person's decision as the incident's work, nothing applied. */
  | 'reject:intent';

const [wanted, nth] = (process.env.AETL_TEST_CRASH_AT ?? '').split('@');
let remaining = nth === undefined ? 1 : Math.max(1, Number(nth) || 1);

export function crashPoint(point: CrashPoint): void {
  if (wanted === point && --remaining === 0) process.kill(process.pid, 'SIGKILL');
}
