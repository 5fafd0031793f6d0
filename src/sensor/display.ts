/**
 * Display forms of raw values for reasons, samples and messages. Every form is bounded
 * (~200 characters) so that one huge value cannot bloat a quarantine row or an event.
 */

import { exactJsonText, NumberLiteral } from '../readers/number-literal.js';

/** Longest text kept for `Reason.actual` and samples. */
export const DISPLAY_LIMIT = 200;

/** `text` cut to at most `limit` characters, with an ellipsis when cut. */
export function shorten(text: string, limit = DISPLAY_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/**
 * JSON-like text of any value that never throws (bigints as digits, undefined as
 * `undefined`). Numbers a double cannot carry show as written: a reason must show
 * `12345678901234567890`, not the double it is not.
 */
function jsonText(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return value.toString();
  try {
    return exactJsonText(value) ?? String(value);
  } catch {
    // Only cyclic structures get here; readers never produce them.
    return String(value);
  }
}

/**
 * The value as JSON text, shortened: strings stay quoted so that `"42"` and `42` read
 * differently in a reason.
 */
export function display(value: unknown): string {
  // Slice long strings before quoting them, so a 1 MB string is never copied whole.
  if (typeof value === 'string' && value.length > DISPLAY_LIMIT) return shorten(JSON.stringify(value.slice(0, DISPLAY_LIMIT)));
  return shorten(jsonText(value));
}

/** The value with its kind, for messages: `the string "abc"`, `a nested object {"os":"ios"}`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `an array ${display(value)}`;
  switch (typeof value) {
    case 'string':
      return `the string ${display(value)}`;
    case 'number':
    case 'bigint':
      return `the number ${display(value)}`;
    case 'boolean':
      return `the boolean ${String(value)}`;
    case 'object':
      return value instanceof NumberLiteral ? `the number ${display(value)}` : `a nested object ${display(value)}`;
    default:
      return display(value);
  }
}

/**
 * A sample for a profile: primitives as they are (long strings shortened), small objects
 * and arrays as they are, large ones as their shortened JSON text.
 */
export function sampleOf(value: unknown): unknown {
  if (typeof value === 'string') return shorten(value);
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object') {
    const text = jsonText(value);
    return text.length <= DISPLAY_LIMIT ? value : shorten(text);
  }
  return value;
}
