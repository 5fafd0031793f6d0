/**
 * The audit's recount: how many records a source object holds, counted from its bytes by
 * code that shares nothing with the readers (no line cursor, no csv-parse, no framer, no
 * transcoder) but follows the same documented rules, so a reader that drops or invents a
 * record is caught. Counters take text as units — the bytes of UTF-8, or the code units of
 * UTF-16 — and keep O(1) state: memory does not grow with the object's size.
 *
 * Where the readers recover from damage in a way of their own (a CSV quoted field running
 * into a malformed line or past `max_line_bytes`, a broken JSON array), a counter stops
 * and says from which line on it cannot vouch: `belowLine`. Only records starting before
 * that line are compared.
 */

/** What a counter found: the records' count and the sum of their line numbers (or element indexes). */
export interface CountResult {
  records: number;
  lineSum: bigint;
  /** The line (element index) of the last record counted; 0 when none. */
  lastLine: number;
  /** Set when only records starting before this line can be compared; `note` says why. */
  belowLine?: number;
  note?: string;
}

export interface Counter {
  /** Feeds the next units of text (UTF-8 bytes, or UTF-16 code units when the counter is wide). */
  push(units: ArrayLike<number>): void;
  /** True once nothing later in the stream can change the result: the caller may stop reading. */
  readonly settled: boolean;
  finish(): CountResult;
}

export interface CounterOptions {
  /** The units are UTF-16 code units (the file had a UTF-16 BOM), not bytes. */
  wide: boolean;
  /** The readers' line limit: it decides where their CSV recovery begins. */
  maxLineBytes: number;
}

/** Adds line numbers cheaply: a number while it is exact, folded into a bigint before it is not. */
export class LineSum {
  private big = 0n;
  private small = 0;

  add(line: number): void {
    this.small += line;
    if (this.small > 2 ** 52) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
  }

  get value(): bigint {
    return this.big + BigInt(this.small);
  }
}

export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const TAB = 0x09;
