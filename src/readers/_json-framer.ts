/**
 * Finds the elements of a top-level JSON array (or a single top-level object) in a byte
 * stream, without parsing them: it tracks only strings, escapes and bracket depth. Each
 * element's exact bytes are then handed to JSON.parse by the reader.
 *
 * Why not stream-json: its tokens carry no byte offsets, so it can give neither the
 * element's source text (`raw`) nor its `offset`, and it assembles an element of any size
 * in memory. Framing by depth gives both, bounds an element at `maxLineBytes`, and leaves
 * parsing to JSON.parse (faster than a tokenizer in JavaScript).
 *
 * Framing errors (text between elements that is not `,` or `]`, content after the
 * top-level value, the end of the file inside an element) end the framing: everything
 * from there to the end of the file becomes one `remainder` piece.
 */
import { MAX_JSON_DEPTH } from './_raw.js';
import { MALFORMED_RAW_KEEP_BYTES } from './reader.js';

export interface JsonPiece {
  kind: 'element' | 'remainder';
  /** 1-based element number; for a remainder, the number the next element would have had. */
  index: number;
  /** Byte offset of the piece's first byte in the stream. */
  offset: number;
  /** The element's bytes, or only the kept prefix when `size` is over the limit (always for a remainder). */
  bytes: Buffer;
  /** Full size in bytes. */
  size: number;
  /** Nesting went deeper than MAX_JSON_DEPTH. */
  tooDeep: boolean;
  /** For a remainder: what went wrong. */
  reason?: string;
}

type Phase = 'start' | 'beforeElement' | 'afterElement' | 'inElement' | 'end' | 'remainder';
type ElementKind = 'container' | 'string' | 'scalar';

const BOM = [0xef, 0xbb, 0xbf];

const isWhitespace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

export class JsonFramer {
  private phase: Phase = 'start';
  private topLevelObject = false;
  private afterComma = false;
  private bomBytes = 0;
  private chunkBase = 0;
  private index = 0;
  private reason = '';
  // The element (or remainder) being collected.
  private kind: ElementKind = 'scalar';
  private depth = 0;
  private tooDeep = false;
  private inString = false;
  private escaped = false;
  private startOffset = 0;
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxElementBytes: number) {}

  /** Frames one chunk; returns the pieces that ended inside it. */
  push(chunk: Buffer): JsonPiece[] {
    const out: JsonPiece[] = [];
    let from = -1; // where the collected piece starts in this chunk, -1 when none
    if (this.phase === 'inElement' || this.phase === 'remainder') from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      switch (this.phase) {
        case 'inElement': {
          const end = this.scanElement(chunk, i);
          if (end === -1) {
            i = chunk.length;
            break;
          }
          this.collect(chunk, from, end, true);
          out.push(this.piece('element'));
          from = -1;
          this.phase = this.topLevelObject ? 'end' : 'afterElement';
          i = end - 1; // the loop's i++ moves to the byte after the element
          break;
        }
        case 'remainder':
          break;
        case 'start':
          if (this.chunkBase + i === this.bomBytes && b === BOM[this.bomBytes]) this.bomBytes++;
          else if (isWhitespace(b)) break;
          else if (b === 0x5b) {
            this.phase = 'beforeElement';
            this.afterComma = false;
          } else if (b === 0x7b) {
            this.topLevelObject = true;
            from = this.begin(b, i);
          } else from = this.fail(i, 'expected a JSON array of objects or a single object');
          break;
        case 'beforeElement':
          if (isWhitespace(b)) break;
          if (b === 0x5d && !this.afterComma) this.phase = 'end';
          else if (b === 0x5d || b === 0x2c) from = this.fail(i, `unexpected '${String.fromCharCode(b)}' where an element should start`);
          else from = this.begin(b, i);
          break;
        case 'afterElement':
          if (isWhitespace(b)) break;
          if (b === 0x2c) {
            this.phase = 'beforeElement';
            this.afterComma = true;
          } else if (b === 0x5d) this.phase = 'end';
          else from = this.fail(i, `expected ',' or ']' after element ${this.index}`);
          break;
        case 'end':
          if (!isWhitespace(b)) from = this.fail(i, 'unexpected content after the end of the top-level value');
          break;
        default:
          return assertNever(this.phase);
      }
    }
    if (from !== -1) this.collect(chunk, from, chunk.length);
    this.chunkBase += chunk.length;
    return out;
  }

  /** Ends the stream: an unfinished element or a pending remainder becomes a remainder piece. */
  finish(): JsonPiece[] {
    switch (this.phase) {
      case 'start':
      case 'end':
        return [];
      case 'inElement':
        this.reason = `the file ends inside element ${this.index} (unclosed string, array or object)`;
        return [this.piece('remainder')];
      case 'beforeElement':
      case 'afterElement':
        // No bytes are left over, but the missing `]` means the file was likely cut short.
        this.startOffset = this.chunkBase;
        this.index++;
        this.reason = "the file ends before the array's closing ']' (it looks truncated)";
        return [this.piece('remainder')];
      case 'remainder':
        return [this.piece('remainder')];
      default:
        return assertNever(this.phase);
    }
  }

  /**
   * Scans the element from chunk[start]: returns the index just past its end (for a
   * scalar, the delimiter after it), or -1 when it goes on past this chunk. Kept to
   * local variables in one tight loop: this is the hot path of the JSON reader.
   */
  private scanElement(chunk: Buffer, start: number): number {
    const n = chunk.length;
    let j = start;
    let depth = this.depth;
    let inString = this.inString;
    const kind = this.kind;
    // An escape split from its character by the chunk boundary.
    if (this.escaped) {
      this.escaped = false;
      j++;
    }
    let end = -1;
    while (j < n) {
      const b = chunk[j] as number;
      if (inString) {
        if (b === 0x5c) {
          j += 2;
          continue;
        }
        if (b === 0x22) {
          inString = false;
          if (kind === 'string') {
            end = j + 1;
            break;
          }
        }
      } else if (kind === 'scalar') {
        if (b === 0x2c || b === 0x5d || b === 0x7d || isWhitespace(b)) {
          end = j;
          break;
        }
      } else if (b === 0x22) inString = true;
      else if (b === 0x7b || b === 0x5b) {
        if (++depth > MAX_JSON_DEPTH) this.tooDeep = true;
      } else if ((b === 0x7d || b === 0x5d) && --depth === 0) {
        end = j + 1;
        break;
      }
      j++;
    }
    if (j > n) this.escaped = true;
    this.depth = depth;
    this.inString = inString;
    return end;
  }

  /** Starts an element at chunk[i]; returns i as the collection start. */
  private begin(b: number, i: number): number {
    this.index++;
    this.phase = 'inElement';
    this.kind = b === 0x7b || b === 0x5b ? 'container' : b === 0x22 ? 'string' : 'scalar';
    this.depth = this.kind === 'container' ? 1 : 0;
    this.inString = this.kind === 'string';
    this.escaped = false;
    this.tooDeep = false;
    this.startOffset = this.chunkBase + i;
    this.parts = [];
    this.size = 0;
    return i;
  }

  /** Switches to collecting the rest of the stream as one remainder from chunk[i]. */
  private fail(i: number, reason: string): number {
    this.phase = 'remainder';
    this.reason = reason;
    this.index++;
    this.startOffset = this.chunkBase + i;
    this.parts = [];
    this.size = 0;
    return i;
  }

  /**
   * Adds chunk[from, to) to the piece, storing bytes only up to the limit. `last`: the
   * piece ends here and is handed out at once, so a view of the chunk is enough.
   */
  private collect(chunk: Buffer, from: number, to: number, last = false): void {
    const limit = this.phase === 'remainder' ? MALFORMED_RAW_KEEP_BYTES : this.maxElementBytes;
    const room = Math.max(0, Math.min(to - from, limit - this.size));
    if (room > 0) {
      const part = chunk.subarray(from, from + room);
      // Otherwise copy: a view would pin the whole chunk while the element is unfinished.
      this.parts.push(last ? part : Buffer.from(part));
    }
    this.size += to - from;
  }

  private piece(kind: JsonPiece['kind']): JsonPiece {
    const bytes = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    const piece: JsonPiece = { kind, index: this.index, offset: this.startOffset, bytes, size: this.size, tooDeep: this.tooDeep };
    if (kind === 'remainder') piece.reason = this.reason;
    this.parts = [];
    this.size = 0;
    return piece;
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected framer phase ${String(value)}`);
}
