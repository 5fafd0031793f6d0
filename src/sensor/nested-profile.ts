/**
 * The shape inside `json` columns: per path (`repository.id`, `payload.commits[].sha`) the
 * JSON types observed, with a few samples — so that a type change inside a nested object
 * is evidence like any other (sensor/nested-findings.ts), though every value is valid json.
 *
 * Bounded against poison records: paths deeper than MAX_NESTED_DEPTH are not followed, at
 * most MAX_NESTED_PATHS distinct paths are kept per column (the first seen; the rest are
 * counted in `untracked`), and at most MAX_NESTED_NODES values are visited per record value.
 */
import { sampleOf } from './display.js';
import type { JsonType } from './types.js';
import { jsonTypeOf } from './values.js';

/** Levels below the column followed: `a.b.c` is depth 3. */
export const MAX_NESTED_DEPTH = 8;
/** Distinct paths kept per json column per batch. */
export const MAX_NESTED_PATHS = 256;
/** Values looked at in one record's value of one column (wide arrays and maps stop here). */
export const MAX_NESTED_NODES = 1_000;
/** Samples kept per path and type. */
const MAX_PATH_SAMPLES = 3;

export interface PathProfile {
  /** Records whose value held the path, by the JSON type found there (once per record and type). */
  types: Partial<Record<JsonType, number>>;
  /** Up to 3 sample values per type (shortened). */
  samples: Partial<Record<JsonType, unknown[]>>;
}

export interface NestedColumnProfile {
  /** By path: keys joined by `.`, array elements as `[]`. A Map: paths are data. */
  paths: Map<string, PathProfile>;
  /** Path occurrences not profiled: beyond the path cap, too deep, or past the node budget. */
  untracked: number;
}

export function newNestedProfile(): NestedColumnProfile {
  return { paths: new Map(), untracked: 0 };
}

/** Adds one record's value of a json column. */
export function observeNested(profile: NestedColumnProfile, value: unknown): void {
  const top = jsonTypeOf(value);
  if (top !== 'object' && top !== 'array') return;
  // Per record, each path and type counts once (an array of 1,000 ids is one record).
  const seen = new Set<string>();
  const stack: { node: unknown; path: string; depth: number }[] = [{ node: value, path: '', depth: 0 }];
  let budget = MAX_NESTED_NODES;
  const visit = (path: string, child: unknown, depth: number): boolean => {
    if ((budget -= 1) < 0 || depth > MAX_NESTED_DEPTH) {
      profile.untracked += 1;
      return budget >= 0;
    }
    const type = jsonTypeOf(child);
    const mark = `${type}\u0000${path}`;
    if (!seen.has(mark)) {
      seen.add(mark);
      observePath(profile, path, type, child);
    }
    if (type === 'object' || type === 'array') stack.push({ node: child, path, depth });
    return true;
  };
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node, path, depth } = item;
    if (Array.isArray(node)) {
      for (const child of node) if (!visit(`${path}[]`, child, depth + 1)) return;
    } else {
      const object = node as Record<string, unknown>;
      for (const key in object) if (!visit(path === '' ? key : `${path}.${key}`, object[key], depth + 1)) return;
    }
  }
}

function observePath(profile: NestedColumnProfile, path: string, type: JsonType, value: unknown): void {
  let entry = profile.paths.get(path);
  if (entry === undefined) {
    if (profile.paths.size >= MAX_NESTED_PATHS) {
      profile.untracked += 1;
      return;
    }
    entry = { types: {}, samples: {} };
    profile.paths.set(path, entry);
  }
  entry.types[type] = (entry.types[type] ?? 0) + 1;
  if (type === 'object' || type === 'array' || type === 'null') return;
  const samples = (entry.samples[type] ??= []);
  if (samples.length >= MAX_PATH_SAMPLES) return;
  // Compared as kept (shortened): a long value is never the same as its stored sample.
  const sample = sampleOf(value);
  if (!samples.includes(sample)) samples.push(sample);
}
