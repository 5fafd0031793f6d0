/**
 * Objects keyed by data — record keys, column names, values. A plain `{}` already has keys
 * (`constructor`, `toString`, the `__proto__` setter): assigning `o['__proto__']` replaces
 * its prototype, and reading `o['constructor']` gives a function where a count was expected.
 * One record holding such a key once polluted Object.prototype for the whole process (issue 7).
 * Null-prototype objects have no keys but their own, and still serialize as plain JSON.
 */

/** An object keyed by data. */
export type Dict<T> = Record<string, T>;

/** An empty object without a prototype: every key, `__proto__` included, is an own key. */
export function dict<T>(): Dict<T> {
  return Object.create(null) as Dict<T>;
}

/** A null-prototype object from entries (Object.fromEntries gives one with Object.prototype). */
export function dictOf<T>(entries: Iterable<readonly [string, T]>): Dict<T> {
  const out = dict<T>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/**
 * `record[key]` when `key` is the record's own key, else undefined: safe on any object,
 * also one parsed from JSON (an event payload read back), whose prototype has `constructor`.
 */
export function own<T>(record: Readonly<Partial<Record<string, T>>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
