/**
 * The batch profile: a file's records summarized as counts and a few samples — the
 * evidence the controller and the architect work from (BatchProfile in types.ts).
 * Per record it costs one pass over the keys and a few counter bumps; samples stop being
 * looked for after a bounded number of tries, so a low-cardinality column costs nothing.
 */
import type { Contract } from '../contract/types.js';
import { NumberLiteral } from '../readers/number-literal.js';
import type { ReadRecord } from '../readers/reader.js';
import { dict, dictOf } from '../util/dict.js';
import { display, sampleOf } from './display.js';
import { TypeInference } from './infer-type.js';
import { createKeyResolver } from './key-resolver.js';
import { newNestedProfile, observeNested, type NestedColumnProfile } from './nested-profile.js';
import { isWholeNumeral } from './numerals.js';
import type { BatchProfile, JsonType, KeyProfile, NestedProfile, ReasonKind, UnknownKeyProfile, Verdict } from './types.js';

export interface Profiler {
  /** Adds one record and the verdict the validator gave it. */
  observe(record: ReadRecord, verdict: Verdict): void;
  /** The profile of every record observed so far. */
  finish(): BatchProfile;
}

/** Distinct samples kept per key or coerced column. */
const MAX_SAMPLES = 5;
/** Values looked at per key before sampling stops (bounds the cost for low-cardinality keys). */
const MAX_SAMPLE_TRIES = 1_000;
/** Distinct offending values kept per column and reason kind. */
const MAX_OFFENDING = 20;
/**
 * Distinct keys besides the contract's columns profiled per file: a file of records used as
 * maps (a key per user id) must not grow the profile, the heap and the event row without
 * bound. Keys beyond it are counted (`BatchProfile.untracked`), not profiled; the first ones
 * seen are kept, and what is kept about them stays exact.
 */
export const MAX_TRACKED_KEYS = 256;

const JSON_TYPES: readonly JsonType[] = ['string', 'integer', 'double', 'boolean', 'null', 'object', 'array'];

/** Index into JSON_TYPES, without building the type's name. */
function typeIndex(value: unknown): number {
  if (value === null || value === undefined) return 4;
  switch (typeof value) {
    case 'string':
      return 0;
    case 'number':
      return Number.isInteger(value) ? 1 : 2;
    case 'bigint':
      return 1;
    case 'boolean':
      return 3;
    case 'object':
      if (value instanceof NumberLiteral) return isWholeNumeral(value.text) ? 1 : 2;
      return Array.isArray(value) ? 6 : 5;
    default:
      return 0;
  }
}

/** counts[index] += 1, for an index known to be in range. */
function bump(counts: Float64Array, index: number): void {
  counts[index] = (counts[index] as number) + 1;
}

interface Sampler {
  samples: unknown[];
  seen: Set<unknown>;
  tries: number;
}

function newSampler(): Sampler {
  return { samples: [], seen: new Set(), tries: 0 };
}

function sample(sampler: Sampler, value: unknown): void {
  if (value === null || value === undefined || sampler.samples.length >= MAX_SAMPLES || sampler.tries >= MAX_SAMPLE_TRIES) return;
  sampler.tries += 1;
  // Primitives are their own identity; objects are compared by their (shortened) JSON text.
  const identity = typeof value === 'object' ? `\u0000${display(value)}` : value;
  if (sampler.seen.has(identity)) return;
  sampler.seen.add(identity);
  sampler.samples.push(sampleOf(value));
}

interface KeyAccumulator {
  /** Counts by JSON_TYPES index. */
  types: Float64Array;
  sampler: Sampler;
}

interface UnknownAccumulator extends KeyAccumulator {
  count: number;
  inference: TypeInference;
  /** Per contract column: records holding this key that lacked the column. */
  missingWith: Float64Array;
}

function observeKey(accumulator: KeyAccumulator, value: unknown): void {
  bump(accumulator.types, typeIndex(value));
  sample(accumulator.sampler, value);
}

function keyProfile(accumulator: KeyAccumulator): KeyProfile {
  const types: Partial<Record<JsonType, number>> = {};
  accumulator.types.forEach((count, index) => {
    const type = JSON_TYPES[index];
    if (type !== undefined && count > 0) types[type] = count;
  });
  return { types, samples: [...accumulator.sampler.samples] };
}

export function createProfiler(contract: Contract): Profiler {
  const columns = contract.columns;
  const count = columns.length;
  const resolve = createKeyResolver(columns);
  const columnKeys: (KeyAccumulator | undefined)[] = new Array<KeyAccumulator | undefined>(count);
  const unknown = new Map<string, UnknownAccumulator>();
  // The shape inside json columns (nested-profile.ts), by column index; undefined for other types.
  const nested: (NestedColumnProfile | undefined)[] = columns.map((column) => (column.type.name === 'json' ? newNestedProfile() : undefined));
  // Generation stamps: which columns the current record holds, without clearing per record.
  const presentAt = new Float64Array(count);
  const nullAt = new Float64Array(count);
  const missing = new Float64Array(count);
  const recordUnknowns: UnknownAccumulator[] = [];
  // Keyed by column or record key: Maps, never plain objects (a key may be `__proto__`).
  const violations = new Map<string, Map<ReasonKind, number>>();
  const offending = new Map<string, Map<ReasonKind, Map<string, number>>>();
  const coercions = new Map<string, { count: number; sampler: Sampler }>();
  // Violations and offending values are kept for contract columns, '_record', and at most
  // MAX_TRACKED_KEYS other names (unknown keys, repeated keys), first seen first.
  const bounded = new Set<string>([...columns.map((column) => column.name), '_record']);
  let extraNames = 0;
  let untrackedKeys = 0;
  let untrackedRecords = 0;
  let extraEmptyRecords = 0;
  let extraEmptyFields = 0;
  let generation = 0;
  let records = 0;
  let valid = 0;
  let coerced = 0;
  let invalid = 0;
  let malformed = 0;

  function tallyOffending(column: string, kind: ReasonKind, actual: string): void {
    let byKind = offending.get(column);
    if (byKind === undefined) offending.set(column, (byKind = new Map()));
    let values = byKind.get(kind);
    if (values === undefined) byKind.set(kind, (values = new Map()));
    const seen = values.get(actual);
    if (seen !== undefined) values.set(actual, seen + 1);
    else if (values.size < MAX_OFFENDING) values.set(actual, 1);
  }

  function observeVerdict(verdict: Verdict): boolean {
    if (verdict.status === 'valid') {
      valid += 1;
      if (verdict.coercions.length > 0) {
        coerced += 1;
        for (const coercion of verdict.coercions) {
          let entry = coercions.get(coercion.column);
          if (entry === undefined) coercions.set(coercion.column, (entry = { count: 0, sampler: newSampler() }));
          entry.count += 1;
          sample(entry.sampler, coercion.original);
        }
      }
      return false;
    }
    invalid += 1;
    let isMalformed = false;
    for (const reason of verdict.reasons) {
      if (reason.kind === 'malformed') isMalformed = true;
      const column = reason.column ?? '_record';
      if (!tracks(column)) continue;
      let byKind = violations.get(column);
      if (byKind === undefined) violations.set(column, (byKind = new Map()));
      byKind.set(reason.kind, (byKind.get(reason.kind) ?? 0) + 1);
      // 'missing' and 'null' say nothing more than the count.
      if (reason.kind !== 'missing_required' && reason.kind !== 'null_required') tallyOffending(column, reason.kind, reason.actual);
    }
    if (isMalformed) malformed += 1;
    return isMalformed;
  }

  function tracks(column: string): boolean {
    if (bounded.has(column)) return true;
    if (extraNames >= MAX_TRACKED_KEYS) return false;
    bounded.add(column);
    extraNames += 1;
    return true;
  }

  function unknownAccumulator(name: string): UnknownAccumulator | undefined {
    let accumulator = unknown.get(name);
    if (accumulator === undefined && unknown.size < MAX_TRACKED_KEYS) {
      accumulator = { types: new Float64Array(JSON_TYPES.length), sampler: newSampler(), count: 0, inference: new TypeInference(), missingWith: new Float64Array(count) };
      unknown.set(name, accumulator);
    }
    return accumulator;
  }

  function observe(record: ReadRecord, verdict: Verdict): void {
    records += 1;
    if (record.extraEmptyFields !== undefined && record.extraEmptyFields > 0) {
      extraEmptyRecords += 1;
      extraEmptyFields += record.extraEmptyFields;
    }
    if (observeVerdict(verdict)) return;
    const value = record.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const textual = record.textual === true;
    generation += 1;
    if (recordUnknowns.length > 0) recordUnknowns.length = 0;
    let position = 0;
    let untracked = 0;
    for (const key in value) {
      const raw = value[key];
      const resolution = resolve(key, position);
      position += 1;
      const index = resolution.index;
      if (index >= 0) {
        presentAt[index] = generation;
        if (raw === null || raw === undefined) nullAt[index] = generation;
        observeKey((columnKeys[index] ??= { types: new Float64Array(JSON_TYPES.length), sampler: newSampler() }), raw);
        const shape = nested[index];
        if (shape !== undefined) observeNested(shape, raw);
        continue;
      }
      const accumulator = unknownAccumulator(resolution.name);
      if (accumulator === undefined) {
        untracked += 1;
        continue;
      }
      accumulator.count += 1;
      observeKey(accumulator, raw);
      accumulator.inference.observe(raw, textual);
      recordUnknowns.push(accumulator);
    }
    if (untracked > 0) {
      untrackedKeys += untracked;
      untrackedRecords += 1;
    }
    for (let i = 0; i < count; i += 1) {
      if (presentAt[i] !== generation) bump(missing, i);
    }
    for (const accumulator of recordUnknowns) {
      for (let i = 0; i < count; i += 1) {
        if (presentAt[i] !== generation || nullAt[i] === generation) bump(accumulator.missingWith, i);
      }
    }
  }

  function finish(): BatchProfile {
    // Every object keyed by data is made without a prototype (util/dict.ts).
    const keys = dict<KeyProfile>();
    const unknownKeys = dict<UnknownKeyProfile>();
    const missingByColumn = dict<number>();
    const missingWith = dict<Record<string, number>>();
    columns.forEach((column, index) => {
      missingByColumn[column.name] = missing[index] ?? 0;
      const accumulator = columnKeys[index];
      if (accumulator !== undefined) keys[column.name] = keyProfile(accumulator);
    });
    for (const [name, accumulator] of unknown) {
      const profile = keyProfile(accumulator);
      keys[name] = profile;
      unknownKeys[name] = { ...profile, count: accumulator.count, inferredType: accumulator.inference.result().name };
      const lacked = dict<number>();
      columns.forEach((column, index) => {
        const lackedCount = accumulator.missingWith[index] ?? 0;
        if (lackedCount > 0) lacked[column.name] = lackedCount;
      });
      missingWith[name] = lacked;
    }
    const violationsOut = dict<Partial<Record<ReasonKind, number>>>();
    for (const [column, byKind] of violations) violationsOut[column] = Object.fromEntries(byKind);
    const offendingOut = dict<Partial<Record<ReasonKind, Record<string, number>>>>();
    for (const [column, byKind] of offending) {
      const kinds: Partial<Record<ReasonKind, Record<string, number>>> = {};
      for (const [kind, values] of byKind) kinds[kind] = dictOf(values);
      offendingOut[column] = kinds;
    }
    const coercionCounts = dict<number>();
    const coercedSamples = dict<unknown[]>();
    for (const [column, entry] of coercions) {
      coercionCounts[column] = entry.count;
      coercedSamples[column] = [...entry.sampler.samples];
    }
    const profile: BatchProfile = {
      records,
      valid,
      coerced,
      invalid,
      malformed,
      keys,
      unknownKeys,
      missing: missingByColumn,
      violations: violationsOut,
      coercions: coercionCounts,
      evidence: { offending: offendingOut, coerced: coercedSamples, missingWith },
      untracked: { keys: untrackedKeys, records: untrackedRecords },
    };
    const nestedOut = dict<NestedProfile>();
    columns.forEach((column, index) => {
      const shape = nested[index];
      if (shape === undefined || (shape.paths.size === 0 && shape.untracked === 0)) return;
      nestedOut[column.name] = { paths: dictOf(shape.paths), untracked: shape.untracked };
    });
    if (Object.keys(nestedOut).length > 0) profile.nested = nestedOut;
    if (extraEmptyRecords > 0) profile.extraEmptyFields = { records: extraEmptyRecords, fields: extraEmptyFields };
    return profile;
  }

  return { observe, finish };
}
