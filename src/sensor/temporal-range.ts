/**
 * The dates and instants a warehouse can store, checked by the sensor so that a value the
 * engine would refuse is quarantined with a reason instead of failing its whole file at
 * COPY time. The ranges are the engine's, given as
 * data in its dialect's capabilities (warehouse.ts); this file only compiles and applies
 * them, so the sensor stays free of warehouse code.
 */
import { epochDays, isoDateParts, parseIsoTimestamp } from './values.js';

/** ISO-8601 text, astronomical years (`0000` is 1 BC, `-4713` is 4714 BC), inclusive. */
export interface TextRange {
  min: string;
  max: string;
}

export interface TemporalRanges {
  /** `YYYY-MM-DD` bounds of a DATE column. */
  date: TextRange;
  /** `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` bounds of a TIMESTAMP column. */
  timestamp: TextRange;
}

/** A range compiled once: a test for a parsed value and the words that explain a refusal. */
export interface CompiledRange<T> {
  contains(value: T): boolean;
  /** A clause for the reason: "it is outside … (min … max)". */
  why: string;
}

function bound<T>(text: string, parse: (text: string) => T | undefined, what: string): T {
  const value = parse(text);
  // A typo in a dialect's table must fail loudly at start, never accept everything.
  if (value === undefined) throw new Error(`the ${what} bound ${JSON.stringify(text)} is not ISO-8601`);
  return value;
}

function daysOf(text: string): number | undefined {
  const parts = isoDateParts(text);
  return parts === undefined ? undefined : epochDays(parts.year, parts.month, parts.day);
}

/** Days since 1970-01-01 of a canonical date (what parseIsoDate returns). */
export function dateDays(date: string): number {
  return daysOf(date) ?? Number.NaN;
}

export function compileDateRange(range: TextRange): CompiledRange<number> {
  const min = bound(range.min, daysOf, 'date');
  const max = bound(range.max, daysOf, 'date');
  return {
    contains: (days) => days >= min && days <= max,
    why: `it is outside the dates the warehouse can store (${range.min} … ${range.max})`,
  };
}

export function compileTimestampRange(range: TextRange): CompiledRange<bigint> {
  const min = bound(range.min, parseIsoTimestamp, 'timestamp');
  const max = bound(range.max, parseIsoTimestamp, 'timestamp');
  return {
    contains: (micros) => micros >= min && micros <= max,
    why: `it is outside the instants the warehouse can store (${range.min} … ${range.max})`,
  };
}
