/**
 * CSV records, counted by a quote-aware state machine of its own. The rules it follows
 * are the CSV reader's, as documented:
 *
 * - the first record is the header, not a record; a line of only spaces, tabs and CRs
 *   outside a quoted field is no record;
 * - a `"` opens a quoted field only as a field's first character; inside, `""` is a quote
 *   and a closing `"` followed by anything but a comma or a line end turns the field back
 *   into text (csv-parse's `relax_quotes`); line ends inside a quoted field do not end the
 *   record;
 * - line ends: the first one outside quotes decides (LF / CRLF, or CR-only: then all three);
 * - a line over `max_line_bytes` (in UTF-8 bytes) or not valid UTF-8 (an unpaired surrogate
 *   in UTF-16) is a record of its own and its quotes count for nothing.
 *
 * Where the reader recovers from damage inside a quoted field — a line of the field that is
 * malformed, or a field spanning lines past the limit — it restarts in a way this counter
 * does not follow: the count stops there (`belowLine` = the record's first line).
 */
import { CR, LF, LineSum, SPACE, TAB, type Counter, type CounterOptions, type CountResult } from './counter.js';
import { Utf8Meter } from './utf8-meter.js';

const QUOTE = 0x22;
const COMMA = 0x2c;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

function step(state: number, unit: number): number {
  switch (state) {
    case FIELD_START:
      return unit === QUOTE ? QUOTED : unit === COMMA ? FIELD_START : UNQUOTED;
    case UNQUOTED:
      return unit === COMMA ? FIELD_START : UNQUOTED;
    case QUOTED:
      return unit === QUOTE ? QUOTE_IN_QUOTED : QUOTED;
    default:
      return unit === QUOTE ? QUOTED : unit === COMMA ? FIELD_START : UNQUOTED;
  }
}

export function csvCounter(options: CounterOptions): Counter {
  const { maxLineBytes } = options;
  const meter = new Utf8Meter(options.wide);
  let mode: 'undecided' | 'lf' | 'any' = 'undecided';
  let state = FIELD_START;
  let line = 1;
  let lineBlank = true;
  /** A CR that ends a line was the last unit (a LF after it is the same line end). */
  let pendingCr = false;
  /** `lf` files: the last unit was a CR, which a LF right after makes part of the line end. */
  let lastWasCr = false;
  // Line ends inside the first quoted field, before the line ends are decided.
  let earlyLf = 0;
  let earlyCr = 0;
  let earlyCrLf = 0;
  let inRecord = false;
  let startedThisLine = false;
  let recordStart = 0;
  let recordBytes = 0;
  let headerSeen = false;
  let records = 0;
  let lastLine = 0;
  let previousStart = 0;
  const sum = new LineSum();
  let belowLine: number | undefined;
  let note: string | undefined;

  const stopAt = (why: string): void => {
    // The record was counted at its start; from its first line on, nothing is compared.
    if (recordStart === lastLine) {
      records--;
      sum.add(-recordStart);
      lastLine = previousStart;
    }
    belowLine = recordStart;
    note = `from line ${recordStart} on, a quoted field ${why}, where the reader recovers in its own way`;
  };

  const endLine = (): void => {
    const { bytes, bad: invalid } = meter.finishLine();
    const bad = invalid || bytes > maxLineBytes;
    if (inRecord) {
      if (startedThisLine) {
        // A malformed line is a record of its own: its quotes open nothing.
        if (bad || state !== QUOTED) inRecord = false;
        else recordBytes = bytes + 1;
      } else {
        recordBytes += bytes + 1;
        if (bad) stopAt(`runs into line ${line}, which is ${invalid ? 'not valid text' : 'over max_line_bytes'}`);
        else if (recordBytes > maxLineBytes) stopAt(`spans lines ${recordStart}-${line}, over max_line_bytes`);
        else if (state !== QUOTED) inRecord = false;
      }
    }
    if (!inRecord) state = FIELD_START;
    line++;
    lineBlank = true;
    startedThisLine = false;
    lastWasCr = false;
  };

  /** The line ends are decided: count the line ends seen inside the first quoted field. */
  const decide = (ends: 'lf' | 'any'): void => {
    mode = ends;
    line += ends === 'lf' ? earlyLf : earlyLf + earlyCr - earlyCrLf;
  };

  const content = (unit: number): void => {
    meter.add(unit);
    if (lineBlank && unit !== SPACE && unit !== TAB && unit !== CR) {
      lineBlank = false;
      if (!inRecord) {
        inRecord = true;
        startedThisLine = true;
        recordStart = line;
        if (!headerSeen) headerSeen = true;
        else {
          records++;
          sum.add(line);
          previousStart = lastLine;
          lastLine = line;
        }
      }
    }
    state = step(state, unit);
  };

  return {
    get settled() {
      return belowLine !== undefined;
    },
    push(units) {
      for (let i = 0; i < units.length && belowLine === undefined; i++) {
        const unit = units[i] as number;
        if (pendingCr) {
          pendingCr = false;
          if (mode === 'undecided') decide(unit === LF ? 'lf' : 'any');
          endLine();
          if (unit === LF) continue;
        }
        if (unit === LF) {
          if (mode === 'undecided') {
            if (state === QUOTED) {
              earlyLf++;
              if (lastWasCr) earlyCrLf++;
              lastWasCr = false;
              meter.add(unit);
              continue;
            }
            decide('lf');
          }
          if (lastWasCr) meter.dropLast(); // the CR of a CRLF is part of the line end
          endLine();
        } else if (unit === CR) {
          if (mode === 'lf' || (mode === 'undecided' && state === QUOTED)) {
            if (mode === 'undecided') earlyCr++;
            content(unit);
            lastWasCr = true;
          } else pendingCr = true;
        } else {
          lastWasCr = false;
          content(unit);
        }
      }
    },
    finish(): CountResult {
      if (belowLine === undefined) {
        if (pendingCr) {
          if (mode === 'undecided') decide('any');
          endLine();
        } else if (!lineBlank || inRecord) endLine();
      }
      const result: CountResult = { records, lineSum: sum.value, lastLine };
      if (belowLine !== undefined) {
        result.belowLine = belowLine;
        result.note = note;
      }
      return result;
    },
  };
}
