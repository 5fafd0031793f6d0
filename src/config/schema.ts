/**
 * The pipeline config, `agentic-etl.yaml`: where files land, how to read them, where the
 * warehouse is and which contract applies. Validated with zod; see load-config.ts for the
 * messages and template.ts for the commented file `agentic-etl init` writes.
 */
import { z } from 'zod';
import { controllerConfigSchema } from '../controller/config.js';
import { policyConfigSchema } from '../policy/config.js';
import type { ControllerConfig } from '../controller/types.js';
import type { PolicyConfig } from '../policy/types.js';
import { DEFAULT_MAX_LINE_BYTES, type FormatSetting } from '../readers/reader.js';
import { DEFAULT_RECORD_LIMITS } from '../sensor/limits.js';
import { lineBudgetProblem, MAX_LINE_BYTES_CEILING } from './record-budget.js';
import { s3Section, type S3Settings } from './s3-schema.js';
import { showValue } from './yaml-errors.js';

export const FORMAT_SETTINGS = ['auto', 'ndjson', 'json', 'csv'] as const satisfies readonly FormatSetting[];

export const DEFAULT_WAREHOUSE = 'duckdb:./warehouse.duckdb';
export const DEFAULT_CONFIG_FILE = 'agentic-etl.yaml';

/** `duckdb:…`, `postgres://…`, `databricks://…`: a scheme, a colon, something after it. */
const WAREHOUSE_URI = /^[a-z][a-z0-9+.-]*:.+$/i;

export interface PipelineConfig {
  /** The pipeline's name, used in logs, events and the dashboard. */
  pipeline: string;
  /** The landing folder (relative to the config file) or a URL such as `s3://bucket/prefix`. */
  source: string;
  /** How files are read; `auto` decides per file from its name and first bytes. Default `auto`. */
  format: FormatSetting;
  /** Where tables live: `duckdb:<file>` (default `duckdb:./warehouse.duckdb`), later `postgres://…`. */
  warehouse: string;
  /** Path of the data contract YAML (relative to the config file). */
  contract: string;
  /**
   * Lines (NDJSON, CSV rows) longer than this many bytes become malformed records. Default 1 MiB;
   * at most 256 MiB, and on DuckDB at most a quarter of its memory_limit (config/record-budget.ts).
   */
  max_line_bytes: number;
  /** A record with more keys than this is malformed (kept raw, not parsed into reasons). Default 1000. */
  max_record_keys: number;
  /** Contract columns a table may reach by evolution; an add_column beyond is denied. Default 500. */
  max_table_columns: number;
  /** How long a worker's claim on a file holds before another worker may take it over (many workers). Default 30. */
  lease_seconds: number;
  /** How to reach the bucket of an `s3://` source (endpoint, region, path style, polling); ignored for a folder. */
  s3?: S3Settings;
  /** Per action kind: auto | approve | deny (policy/config.ts); unset kinds take the safe defaults. */
  policy?: PolicyConfig;
  /** The controller's setpoint, EWMA and drift settings (controller/config.ts). */
  controller?: ControllerConfig;
}

const nonEmpty = z.string().trim().min(1);

/** Highest max_table_columns: PostgreSQL's 1600 columns per table, less room for silver's system columns. */
export const MAX_TABLE_COLUMNS_CEILING = 1500;

export const configSchema = z.strictObject({
  pipeline: nonEmpty,
  source: nonEmpty,
  format: z.enum(FORMAT_SETTINGS).default('auto'),
  warehouse: nonEmpty
    .refine((value) => WAREHOUSE_URI.test(value), {
      error: (issue) => `must be a URI such as ${DEFAULT_WAREHOUSE} or postgres://user@host/db (got ${showValue(issue.input)})`,
    })
    .default(DEFAULT_WAREHOUSE),
  contract: nonEmpty,
  max_line_bytes: z.number().int().positive().max(MAX_LINE_BYTES_CEILING).default(DEFAULT_MAX_LINE_BYTES),
  max_record_keys: z.number().int().positive().default(DEFAULT_RECORD_LIMITS.maxRecordKeys),
  // PostgreSQL holds at most 1600 columns, and silver adds its system columns.
  max_table_columns: z.number().int().positive().max(MAX_TABLE_COLUMNS_CEILING).default(DEFAULT_RECORD_LIMITS.maxTableColumns),
  s3: s3Section,
  lease_seconds: z.number().positive().max(86_400).default(30),
  // Checked here with their owners' schemas so that a mistake is reported with its line;
  // a key left with nothing under it (`policy:`) reads as null: treat it as absent.
  policy: z.preprocess((value) => value ?? undefined, policyConfigSchema.optional()),
  controller: z.preprocess((value) => value ?? undefined, controllerConfigSchema.optional()),
}).superRefine((config, ctx) => {
  if (config.max_line_bytes > MAX_LINE_BYTES_CEILING) return; // already refused by its own bound
  const problem = lineBudgetProblem(config.max_line_bytes, config.warehouse);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['max_line_bytes'], message: problem });
});

// The schema's output and the documented interface must stay the same shape.
type SchemaOutput = z.output<typeof configSchema>;
const _sameShape: [SchemaOutput] extends [PipelineConfig] ? ([PipelineConfig] extends [SchemaOutput] ? true : false) : false = true;
void _sameShape;

export const CONFIG_KEYS: readonly string[] = Object.keys(configSchema.shape);
