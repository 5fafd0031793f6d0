/**
 * A byte-level line splitter shared by the NDJSON and CSV readers. It is a cursor rather
 * than a generator so the hot path allocates nothing per line: after `next()` returns
 * true, `buf[start, end)` holds the line's bytes (without its line end or a leading BOM)
 * and `eol` the line end itself.
 *
 * Line ends: the first one in the stream decides. When it is `\n` or `\r\n`, only `\n`
 * ends a line (a `\r` before it belongs to the line end) and a lone `\r` is data — it may
 * sit inside a quoted CSV field or be JSON whitespace. When it is a lone `\r` (old Mac
 * exports), `\r`, `\n` and `\r\n` all end lines, so such a file is never read as one line.
 *
 * Memory stays bounded: a line longer than `maxLineBytes` is never assembled. Its first
 * MALFORMED_RAW_KEEP_BYTES are kept and the rest is counted and dropped as it streams by;
 * `overLimit` and `size` report it.
 */
import { MALFORMED_RAW_KEEP_BYTES } from './reader.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const EMPTY = Buffer.alloc(0);

/** The bytes that ended a line; '' for a last line without one. */
export type LineEnd = '\n' | '\r\n' | '\r' | '';

/** `undecided` until the first line end is seen; `lf`: only `\n` ends lines; `any`: `\r`, `\n` and `\r\n` do. */
export type LineEnds = 'undecided' | 'lf' | 'any';

export class LineCursor {
  /** Bytes of the current line are `buf[start, end)`. */
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  /** How the current line ended (the CSV reader joins a record's lines with them). */
  eol: LineEnd = '';
  /** 1-based number of the current line in the file (blank lines count). */
  line = 0;
  /** Byte offset of the current line's first byte in the stream. */
  offset = 0;
  /** The line was longer than the limit: `buf[start, end)` is only its kept prefix. */
  overLimit = false;
  /** The line's full length in bytes (without its terminator). */
  size = 0;

  private chunk: Buffer | undefined;
  private pos = 0;
  /** Stream offset of `chunk[0]`. */
  private chunkBase = 0;
  /** Next `\r` / `\n` at or after `pos` in the chunk: -1 none, -2 not searched yet. */
  private nextCr = -2;
  private nextLf = -2;
  /** Stream offset where the next line starts. */
  private lineStart = 0;
  /** The unfinished line carried over from earlier chunks. */
  private carry: Buffer[] = [];
  private carryLength = 0;
  /** The carried line ended in a `\r` that was the chunk's last byte: a `\n` may follow. */
  private pendingCr = false;
  /** Set while dropping the rest of an over-limit line. */
  private skipping = false;
  private kept: Buffer[] = [];
  private keptLength = 0;
  private skippedSize = 0;
  /** The last byte of the skipped line seen so far (to drop a `\r` from its size). */
  private lastByte = 0;
  private ended = false;

  /** `ends`: the convention when the caller knows it (CSV decides outside quotes); else the first line end decides. */
  constructor(
    private readonly maxLineBytes: number,
    private ends: LineEnds = 'undecided',
  ) {}

  /** Hands over the next chunk; call only after `next()` returned false. */
  push(chunk: Buffer): void {
    if (this.chunk !== undefined) this.chunkBase += this.chunk.length;
    this.chunk = chunk;
    this.pos = 0;
    this.nextCr = -2;
    this.nextLf = -2;
  }

  /** Marks the end of the stream: a last line without a newline is still yielded. */
  finish(): void {
    this.ended = true;
  }

  /** Moves to the next line; false when the pushed data is used up. */
  next(): boolean {
    const chunk = this.chunk;
    if (chunk !== undefined && this.pos < chunk.length) {
      if (this.pendingCr) return this.endPendingCr(chunk);
      if (this.ends === 'lf') {
        const newline = chunk.indexOf(NEWLINE, this.pos);
        if (newline !== -1) return this.lineEndsAt(chunk, newline, '\n');
      } else {
        const found = this.nextLineEnd(chunk);
        if (found !== -1) {
          if (chunk[found] === NEWLINE) {
            if (this.ends === 'undecided') this.ends = 'lf';
            return this.lineEndsAt(chunk, found, '\n');
          }
          if (found + 1 < chunk.length) {
            const crlf = chunk[found + 1] === NEWLINE;
            // The first line end decides: CRLF is an `lf` file, a lone CR an `any` file.
            if (this.ends === 'undecided') this.ends = crlf ? 'lf' : 'any';
            if (this.ends === 'lf') return this.lineEndsAt(chunk, found + 1, '\n');
            return this.lineEndsAt(chunk, found, crlf ? '\r\n' : '\r');
          }
          // A `\r` as the chunk's last byte: whether a `\n` follows is up to the next chunk.
          this.append(chunk, this.pos, found);
          this.pos = chunk.length;
          this.pendingCr = true;
          return false;
        }
      }
      this.append(chunk, this.pos, chunk.length);
      this.pos = chunk.length;
    }
    if (this.ended && (this.carryLength > 0 || this.skipping || this.pendingCr)) {
      this.emitCarried(this.pendingCr ? '\r' : '');
      this.pendingCr = false;
      return true;
    }
    return false;
  }

  /** The line runs up to `chunk[at]`, where its line end `eol` begins. */
  private lineEndsAt(chunk: Buffer, at: number, eol: LineEnd): boolean {
    if (this.carryLength === 0 && !this.skipping) {
      this.emit(chunk, this.pos, at, this.chunkBase + this.pos, at - this.pos, false, eol);
    } else {
      this.append(chunk, this.pos, at);
      this.emitCarried(eol);
    }
    this.pos = at + eol.length;
    this.lineStart = this.chunkBase + this.pos;
    return true;
  }

  /** The carried line ended in a `\r` at the end of the last chunk; this chunk tells whether a `\n` follows. */
  private endPendingCr(chunk: Buffer): boolean {
    this.pendingCr = false;
    const crlf = chunk[this.pos] === NEWLINE;
    if (this.ends === 'undecided') this.ends = crlf ? 'lf' : 'any';
    if (crlf) this.pos++;
    this.emitCarried(crlf ? '\r\n' : '\r');
    this.lineStart = this.chunkBase + this.pos;
    return true;
  }

  /** The first `\r` or `\n` at or after `pos` (searches are remembered: no rescans per line). */
  private nextLineEnd(chunk: Buffer): number {
    if (this.nextCr !== -1 && this.nextCr < this.pos) this.nextCr = chunk.indexOf(CARRIAGE_RETURN, this.pos);
    if (this.nextLf !== -1 && this.nextLf < this.pos) this.nextLf = chunk.indexOf(NEWLINE, this.pos);
    if (this.nextCr === -1) return this.nextLf;
    if (this.nextLf === -1) return this.nextCr;
    return Math.min(this.nextCr, this.nextLf);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const length = to - from;
    if (length > 0) this.lastByte = chunk[to - 1] as number;
    if (this.skipping) {
      this.keep(chunk, from, to);
      this.skippedSize += length;
      return;
    }
    // A `\r` before the newline, and a BOM on the first line, are dropped by emit(): they
    // do not count against the limit (emit() judges the exact size).
    const limit = this.maxLineBytes + (this.line === 0 ? 4 : 1);
    if (this.carryLength + length > limit) {
      // Keep only the prefix that goes into `raw`; the rest is counted, never stored.
      for (const part of this.carry) this.keep(part, 0, part.length);
      this.keep(chunk, from, to);
      this.skippedSize = this.carryLength + length;
      this.skipping = true;
      this.carry = [];
      this.carryLength = 0;
      return;
    }
    // Copy: a subarray would pin the whole chunk for as long as the line is unfinished.
    this.carry.push(Buffer.from(chunk.subarray(from, to)));
    this.carryLength += length;
  }

  private keep(buf: Buffer, from: number, to: number): void {
    const room = Math.min(to - from, MALFORMED_RAW_KEEP_BYTES - this.keptLength);
    if (room <= 0) return;
    this.kept.push(Buffer.from(buf.subarray(from, from + room)));
    this.keptLength += room;
  }

  private emitCarried(eol: LineEnd): void {
    if (this.skipping) {
      // Only `lf` files carry a `\r` in the line: the one of a `\r\n`, or one before the end.
      const cr = (eol === '\n' || eol === '') && this.lastByte === CARRIAGE_RETURN ? 1 : 0;
      const size = this.skippedSize - cr;
      const kept = Buffer.concat(this.kept);
      this.emit(kept, 0, Math.min(kept.length, size), this.lineStart, size, true, cr === 0 ? eol : eol === '\n' ? '\r\n' : '\r');
      this.skipping = false;
      this.kept = [];
      this.keptLength = 0;
    } else {
      const joined = this.carry.length === 1 ? (this.carry[0] as Buffer) : Buffer.concat(this.carry);
      this.emit(joined, 0, joined.length, this.lineStart, joined.length, false, eol);
    }
    this.carry = [];
    this.carryLength = 0;
  }

  /** `truncated`: only a prefix of the line was kept (it is over the limit). */
  private emit(buf: Buffer, start: number, end: number, offset: number, size: number, truncated: boolean, eol: LineEnd): void {
    this.line++;
    // A BOM is an encoding mark, not content: drop it from the first line only.
    if (this.line === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
      start += 3;
      offset += 3;
      size -= 3;
    }
    // `\r\n` line ends: the `\r` is part of the terminator, and so is a `\r` just before the
    // end of the stream. (Only `lf` files hold a `\r` in a line; when only a prefix of the
    // line was kept, its last byte is not the line's last byte.)
    if ((eol === '\n' || eol === '') && !truncated && end > start && buf[end - 1] === CARRIAGE_RETURN) {
      end--;
      size--;
      eol = eol === '\n' ? '\r\n' : '\r';
    }
    const overLimit = truncated || size > this.maxLineBytes;
    if (overLimit && end - start > MALFORMED_RAW_KEEP_BYTES) end = start + MALFORMED_RAW_KEEP_BYTES;
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.eol = eol;
    this.offset = offset;
    this.size = size;
    this.overLimit = overLimit;
  }
}
