/**
 * A byte-level line splitter shared by the NDJSON and CSV readers. It is a cursor rather
 * than a generator so the hot path allocates nothing per line: after `next()` returns
 * true, `buf[start, end)` holds the line's bytes (without `\n`, `\r\n` or a leading BOM).
 *
 * Memory stays bounded: a line longer than `maxLineBytes` is never assembled. Its first
 * MALFORMED_RAW_KEEP_BYTES are kept and the rest is counted and dropped as it streams by;
 * `overLimit` and `size` report it.
 */
import { MALFORMED_RAW_KEEP_BYTES } from './reader.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const EMPTY = Buffer.alloc(0);

export class LineCursor {
  /** Bytes of the current line are `buf[start, end)`. */
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
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
  /** Stream offset where the next line starts. */
  private lineStart = 0;
  /** The unfinished line carried over from earlier chunks. */
  private carry: Buffer[] = [];
  private carryLength = 0;
  /** Set while dropping the rest of an over-limit line. */
  private skipping = false;
  private kept: Buffer[] = [];
  private keptLength = 0;
  private skippedSize = 0;
  /** The last byte of the skipped line seen so far (to drop a `\r` from its size). */
  private lastByte = 0;
  private ended = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Hands over the next chunk; call only after `next()` returned false. */
  push(chunk: Buffer): void {
    if (this.chunk !== undefined) this.chunkBase += this.chunk.length;
    this.chunk = chunk;
    this.pos = 0;
  }

  /** Marks the end of the stream: a last line without a newline is still yielded. */
  finish(): void {
    this.ended = true;
  }

  /** Moves to the next line; false when the pushed data is used up. */
  next(): boolean {
    const chunk = this.chunk;
    if (chunk !== undefined && this.pos < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, this.pos);
      if (newline !== -1) {
        if (this.carryLength === 0 && !this.skipping) {
          this.emit(chunk, this.pos, newline, this.chunkBase + this.pos, newline - this.pos, false);
        } else {
          this.append(chunk, this.pos, newline);
          this.emitCarried();
        }
        this.pos = newline + 1;
        this.lineStart = this.chunkBase + this.pos;
        return true;
      }
      this.append(chunk, this.pos, chunk.length);
      this.pos = chunk.length;
    }
    if (this.ended && (this.carryLength > 0 || this.skipping)) {
      this.emitCarried();
      return true;
    }
    return false;
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

  private emitCarried(): void {
    if (this.skipping) {
      const cr = this.lastByte === CARRIAGE_RETURN ? 1 : 0;
      const size = this.skippedSize - cr;
      const kept = Buffer.concat(this.kept);
      this.emit(kept, 0, Math.min(kept.length, size), this.lineStart, size, true);
      this.skipping = false;
      this.kept = [];
      this.keptLength = 0;
    } else {
      const joined = this.carry.length === 1 ? (this.carry[0] as Buffer) : Buffer.concat(this.carry);
      this.emit(joined, 0, joined.length, this.lineStart, joined.length, false);
    }
    this.carry = [];
    this.carryLength = 0;
  }

  /** `truncated`: only a prefix of the line was kept (it is over the limit). */
  private emit(buf: Buffer, start: number, end: number, offset: number, size: number, truncated: boolean): void {
    this.line++;
    // A BOM is an encoding mark, not content: drop it from the first line only.
    if (this.line === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
      start += 3;
      offset += 3;
      size -= 3;
    }
    // `\r\n` line ends: the `\r` is part of the terminator. (When only a prefix of the
    // line was kept, its last byte is not the line's last byte.)
    if (!truncated && end > start && buf[end - 1] === CARRIAGE_RETURN) {
      end--;
      size--;
    }
    const overLimit = truncated || size > this.maxLineBytes;
    if (overLimit && end - start > MALFORMED_RAW_KEEP_BYTES) end = start + MALFORMED_RAW_KEEP_BYTES;
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.offset = offset;
    this.size = size;
    this.overLimit = overLimit;
  }
}
