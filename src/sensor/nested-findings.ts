/**
 * Type changes inside json columns. The contract says only `json` (anything parses), so
 * the baseline is what earlier batches showed: per json column and path, the JSON types
 * seen there. It lives in the controller's state for the table (TableControl.nested), is
 * learned from the first batch that holds a path, and grows as batches come. A batch that
 * shows a new non-null type at a known path — `repository.id` was an integer, now a string
 * — yields a `nested_type_change` finding; the new type then joins the baseline, so the
 * change is reported once (its incident holds it for a person) and not in every file after.
 * A new path is not a finding: json holds anything, and objects gain keys all the time.
 * Pure.
 */
import type { Contract } from '../contract/types.js';
import { dict, own } from '../util/dict.js';
import type { NestedTypeChangeFinding } from './findings.js';
import { MAX_NESTED_PATHS } from './nested-profile.js';
import type { BatchProfile, JsonType } from './types.js';

/** Per json column, per path: the JSON types seen there so far (nulls never count). */
export type NestedBaseline = Record<string, Record<string, JsonType[]>>;

/** Type order for stable output. */
const ORDER: readonly JsonType[] = ['boolean', 'integer', 'double', 'string', 'object', 'array', 'null'];

export interface NestedJudgement {
  findings: NestedTypeChangeFinding[];
  /** The baseline with this batch learned: save it with the controller's state. */
  baseline: NestedBaseline;
}

export function nestedTypeChanges(profile: BatchProfile, contract: Contract, previous: NestedBaseline | undefined): NestedJudgement {
  const share = (count: number): number => (profile.records === 0 ? 0 : count / profile.records);
  const findings: NestedTypeChangeFinding[] = [];
  // Keyed by column and path (data): null-prototype objects, read from stored JSON through own().
  const baseline = dict<Record<string, JsonType[]>>();
  for (const spec of contract.columns) {
    if (spec.type.name !== 'json') continue;
    const known = dict<JsonType[]>();
    for (const [path, types] of Object.entries(own(previous, spec.name) ?? {})) known[path] = [...types];
    const observed = own(profile.nested, spec.name);
    for (const [path, entry] of Object.entries(observed?.paths ?? {})) {
      const seen = ORDER.filter((type) => type !== 'null' && (entry.types[type] ?? 0) > 0);
      const before = own(known, path);
      if (before === undefined) {
        // A path not seen before is learned, while the baseline has room.
        if (Object.keys(known).length < MAX_NESTED_PATHS && seen.length > 0) known[path] = seen;
        continue;
      }
      const fresh = seen.filter((type) => !before.includes(type));
      for (const to of fresh) {
        const count = entry.types[to] ?? 0;
        findings.push({
          kind: 'nested_type_change',
          column: spec.name,
          path,
          from: [...before],
          to,
          count,
          share: share(count),
          samples: [...(entry.samples[to] ?? [])],
        });
      }
      if (fresh.length > 0) known[path] = ORDER.filter((type) => before.includes(type) || fresh.includes(type));
    }
    if (Object.keys(known).length > 0) baseline[spec.name] = known;
  }
  return { findings, baseline };
}
