/**
 * Which contract column a record's key is. Keys match after trimming, by the column's
 * name or one of its aliases (rename mappings); a key that differs from those only by
 * case or separators is a rename candidate, never the column itself (DESIGN.md, "Data
 * contract"). Resolutions are cached per exact key, because a file repeats the same few
 * keys millions of times.
 */
import type { ColumnSpec } from '../contract/types.js';
import { looseName } from '../util/names.js';

export interface KeyResolution {
  /** Index of the contract column, or -1 for a key the contract does not know. */
  index: number;
  /** The column's name (also for a key that is its alias), or the unknown key, trimmed, as reported. */
  name: string;
  /** The alias the key matched, when it named the column by an alias rather than its name. */
  alias: string | undefined;
  /** For an unknown key: the contract column it equals up to case and separators. */
  renameOf: string | undefined;
}

/**
 * Resolves a key found at `position` (its ordinal in the record). Records of one file
 * mostly list the same keys in the same order, so the resolver first compares the key
 * with the last one seen at that position — a pointer comparison for JSON.parse's
 * internalized keys — before it looks the key up.
 */
export type KeyResolver = (key: string, position: number) => KeyResolution;

/** Positions remembered for the same-order shortcut. */
const POSITIONS = 64;

/** A position for look-ups off the record's own pass (slow paths): skips, and never disturbs, the shortcut. */
export const ANY_POSITION = POSITIONS;

/** Beyond this many distinct keys (a record used as a map), resolutions are computed, not cached. */
const CACHE_LIMIT = 10_000;

export function createKeyResolver(columns: readonly ColumnSpec[]): KeyResolver {
  // Names and aliases share one exact map, so an alias costs the hot path nothing extra.
  const exact = new Map<string, number>();
  const aliasOf = new Map<string, number>();
  const normalized = new Map<string, string>();
  columns.forEach((column, index) => {
    exact.set(column.name, index);
    const norm = looseName(column.name);
    if (!normalized.has(norm)) normalized.set(norm, column.name);
  });
  // Aliases after every name: a valid contract never lets one shadow a column's name.
  columns.forEach((column, index) => {
    for (const alias of column.aliases ?? []) {
      if (exact.has(alias)) continue;
      exact.set(alias, index);
      aliasOf.set(alias, index);
      const norm = looseName(alias);
      if (!normalized.has(norm)) normalized.set(norm, column.name);
    }
  });
  const cache = new Map<string, KeyResolution>();

  function compute(key: string): KeyResolution {
    const trimmed = key.trim();
    const index = exact.get(trimmed);
    if (index !== undefined) {
      const column = columns[index] as ColumnSpec;
      return { index, name: column.name, alias: aliasOf.has(trimmed) ? trimmed : undefined, renameOf: undefined };
    }
    return { index: -1, name: trimmed, alias: undefined, renameOf: normalized.get(looseName(trimmed)) };
  }

  const lastKeys: (string | undefined)[] = new Array<string | undefined>(POSITIONS).fill(undefined);
  const lastResolutions: (KeyResolution | undefined)[] = new Array<KeyResolution | undefined>(POSITIONS).fill(undefined);

  function lookUp(key: string): KeyResolution {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const resolution = compute(key);
    if (cache.size < CACHE_LIMIT) cache.set(key, resolution);
    return resolution;
  }

  return (key, position) => {
    if (position >= POSITIONS) return lookUp(key);
    if (lastKeys[position] === key) return lastResolutions[position] as KeyResolution;
    const resolution = lookUp(key);
    lastKeys[position] = key;
    lastResolutions[position] = resolution;
    return resolution;
  };
}
