/**
 * Which line ends a CSV file uses, decided by its first line end outside quotes (see
 * _line-cursor.ts for the two conventions). The line cursor's own guess looks at the first
 * `\r` or `\n` anywhere, which in CSV may sit inside a quoted header name: a CR-only file
 * whose header holds a quoted `\n` would be read as one line, its rows lost in the header.
 *
 * Quotes follow csv-parse with `relax_quotes`: a `"` opens a quoted field only as the
 * field's first byte, `""` inside it is a quote, and a closing `"` followed by anything but
 * a comma or a line end turns the field back into plain text.
 */
import type { LineEnds } from './_line-cursor.js';

type QuoteState = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted';

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

export class CsvLineEndSniffer {
  private state: QuoteState = 'fieldStart';
  private seen = 0;
  /** Bytes of a leading UTF-8 BOM matched so far (the cursor drops a whole one from line 1). */
  private bom = 0;
  /** A `\r` outside quotes was the last byte seen: the next byte decides. */
  private pendingCr = false;

  /** `limit`: give up (leave it to the cursor) after this many bytes without a line end outside quotes. */
  constructor(private readonly limit: number) {}

  /** Scans a chunk; the decision once it can be made, else undefined (push more). */
  push(chunk: Buffer): LineEnds | undefined {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (this.pendingCr) return b === NEWLINE ? 'lf' : 'any';
      if (this.seen++ === this.bom && this.bom < BOM.length) {
        if (b === BOM[this.bom]) {
          this.bom++;
          continue;
        }
        // Part of a BOM only: those bytes were the first field's text.
        if (this.bom > 0) this.state = 'unquoted';
        this.bom = BOM.length;
      }
      if (this.state !== 'quoted' && (b === NEWLINE || b === CARRIAGE_RETURN)) {
        if (b === NEWLINE) return 'lf';
        if (i + 1 < chunk.length) return chunk[i + 1] === NEWLINE ? 'lf' : 'any';
        this.pendingCr = true;
        continue;
      }
      this.state = step(this.state, b);
    }
    return this.seen > this.limit ? 'undecided' : undefined;
  }

  /** The stream ended before a decision: a last `\r` was a line end; otherwise the cursor decides. */
  finish(): LineEnds {
    return this.pendingCr ? 'any' : 'undecided';
  }
}

function step(state: QuoteState, b: number): QuoteState {
  switch (state) {
    case 'fieldStart':
      return b === QUOTE ? 'quoted' : b === COMMA ? 'fieldStart' : 'unquoted';
    case 'unquoted':
      return b === COMMA ? 'fieldStart' : 'unquoted';
    case 'quoted':
      return b === QUOTE ? 'quoteInQuoted' : 'quoted';
    case 'quoteInQuoted':
      return b === QUOTE ? 'quoted' : b === COMMA ? 'fieldStart' : 'unquoted';
  }
}
