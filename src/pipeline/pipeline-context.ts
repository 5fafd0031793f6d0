/**
 * Everything the pipeline needs to process files, opened once per `run` or `watch`.
 */
import type { Architect } from '../agent/actions.js';
import type { Contract } from '../contract/types.js';
import type { ControllerConfig } from '../controller/types.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ContractVersion } from '../ledger/contract-store.js';
import type { FormatSetting, ReadRecord } from '../readers/reader.js';
import type { RecordLimits } from '../sensor/limits.js';
import type { Verdict } from '../sensor/types.js';
import type { Source } from '../sources/source.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export interface PipelineContext {
  source: Source;
  warehouse: Warehouse;
  /** The current contract version; the healing loop replaces it (and `validate`) when it evolves. */
  contract: ContractVersion;
  /** The validator compiled for `contract`. */
  validate: (record: ReadRecord) => Verdict;
  format: FormatSetting;
  maxLineBytes: number;
  /** What one record and one table may cost (max_record_keys, max_table_columns); DEFAULT_RECORD_LIMITS when absent. */
  limits?: RecordLimits;
  controller: ControllerConfig;
  policy: PolicyConfig;
  architect: Architect;
  /** This process's identity in file claims (`host:pid:random`). */
  worker: string;
  /** How long a claim holds before another worker may take the file over. */
  leaseMs: number;
}

export function tableOf(context: PipelineContext): Contract['table'] {
  return context.contract.contract.table;
}
