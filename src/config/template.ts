/**
 * The files `agentic-etl init` writes: a commented agentic-etl.yaml that explains every key,
 * and the inferred contract with comments on what to review. Both load back through
 * loadConfig / loadContract unchanged.
 */
import { stringify } from 'yaml';
import { contractToYaml } from '../contract/serialize.js';
import { dict } from '../util/dict.js';
import type { InferredContract } from '../contract/infer-contract.js';
import { DEFAULT_MAX_LINE_BYTES, type FormatSetting } from '../readers/reader.js';
import { DEFAULT_RECORD_LIMITS } from '../sensor/limits.js';

export interface ConfigTemplateOptions {
  pipeline: string;
  source: string;
  format: FormatSetting;
  warehouse: string;
  /** The contract file's path as it should appear in the config (relative to the config's folder). */
  contractPath: string;
}

/** A scalar as YAML writes it: quoted only when it must be. */
function scalar(value: string | number): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** A commented agentic-etl.yaml with the given values and every other key at its default. */
export function renderConfigYaml(options: ConfigTemplateOptions): string {
  return `# agentic-etl pipeline config. Relative paths are resolved against this file's folder.

# The pipeline's name: shown in logs, events and the dashboard.
pipeline: ${scalar(options.pipeline)}

# Where files land: a folder, or a bucket URL such as s3://bucket/prefix.
source: ${scalar(options.source)}

# How files are read: auto (decided per file from its name and first bytes) | ndjson | json | csv.
format: ${scalar(options.format)}

# Where the tables live: duckdb:<file> (embedded, no server) or another engine's URI.
warehouse: ${scalar(options.warehouse)}

# The data contract: what records must look like and what the agent may change about it.
contract: ${scalar(options.contractPath)}

# Lines (NDJSON, CSV rows) longer than this many bytes become malformed records: kept in
# bronze and quarantine, never dropped. ${DEFAULT_MAX_LINE_BYTES} bytes = 1 MiB. At most 256 MiB,
# and on DuckDB at most a quarter of its memory_limit (it holds a value whole in memory).
max_line_bytes: ${DEFAULT_MAX_LINE_BYTES}

# What one record may cost: a record with more keys than this is malformed (kept raw in
# bronze and quarantine, its keys not parsed into reasons). A CSV row has a key per column.
max_record_keys: ${DEFAULT_RECORD_LIMITS.maxRecordKeys}

# The widest a table may grow by evolution (contract columns, at most 1500): an add_column
# past it is denied and the new keys stay quarantined.
max_table_columns: ${DEFAULT_RECORD_LIMITS.maxTableColumns}

# Several workers on one PostgreSQL warehouse: how long a worker's claim on a file holds
# before another worker may take the file over (a worker renews it while it works).
lease_seconds: 30

# For an s3:// source: how to reach the bucket. Credentials never go here: the AWS SDK finds
# them (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, an instance or task role).
# s3:
#   endpoint: http://127.0.0.1:9000   # an S3-compatible store (MinIO, R2, Ceph); default: AWS
#   region: us-east-1
#   force_path_style: true            # default: true with an endpoint, false on AWS
#   poll_interval_ms: 5000            # watch: how often to look for new keys
#   relist_interval_ms: 60000         # watch: how often to list everything (overwrites, late keys)
#   verify_md5: true                  # check each read against an MD5 ETag

# The healing loop, at its defaults (see README, "How healing decides"):
# policy:        # per action kind: auto | approve | deny
#   add_column: auto
#   widen_type: auto
#   rename_column: approve
#   extend_enum: approve
# controller:    # the quarantine-rate setpoint and how quickly drift is declared per table
#   setpoint: 0.02
#   alpha: 0.3
#   band: 0.01
#   window: 5
#   persistence: 3
`;
}

/** Comment lines of at most ~`width` characters. */
function wrap(text: string, width = 96): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = `  ${word}`;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** The inferred contract as YAML, with comments that say what to review. */
export function renderContractYaml(inferred: InferredContract): string {
  const perColumn = new Set(Object.values(inferred.columnNotes).flat());
  const general = inferred.notes.filter((note) => !perColumn.has(note));
  const columns = dict<string[]>();
  for (const [name, notes] of Object.entries(inferred.columnNotes)) columns[name] = notes.flatMap((note) => wrap(note));
  const primaryKey =
    inferred.pkCandidates.length > 0
      ? [`Primary key candidates (never missing, all distinct in the sample): ${inferred.pkCandidates.join(', ')}.`]
      : ['No primary key candidate was found; list the columns that identify a record, if any.'];
  return contractToYaml(inferred.contract, {
    header: [
      '',
      'Inferred by `agentic-etl init`: review it before the first run.',
      '- required: true was set where a key was never missing or null in the sample;',
      '  remove it where absence is legitimate.',
      '- Types are the narrowest that held every sampled value; widen them if you know better.',
      '',
      ...general.flatMap((note) => wrap(note)),
    ],
    columns,
    primaryKey: primaryKey.flatMap((note) => wrap(note)),
  });
}
