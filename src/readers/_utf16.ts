/**
 * UTF-16 text, told by its byte-order mark (`FF FE` little-endian, `FE FF` big-endian), is
 * transcoded to UTF-8 as it streams, so the readers (which work on UTF-8 bytes) read it
 * like any other file. The BOM is not passed on. Everything downstream — `raw`, `offset`,
 * the line limit — is then about the decoded UTF-8 text; `line` is the same in both.
 *
 * Nothing is lost in decoding: an unpaired surrogate becomes its 3-byte WTF-8 form, which
 * is not valid UTF-8, so the reader makes that line a malformed record whose raw bytes
 * (base64) still say which code unit it was. An odd last byte (half a code unit: the file
 * was cut short) is not text at all; it is handed back in `state.oddByte` for the caller.
 */
export type Utf16Order = 'utf16le' | 'utf16be';

export interface Utf16State {
  /** A last byte that did not complete a code unit. */
  oddByte: number | undefined;
  /** UTF-8 bytes produced: the decoded offset of the end. */
  bytesOut: number;
}

/** The UTF-16 byte order a stream's first bytes announce, if they are a UTF-16 BOM. */
export function utf16Bom(head: Buffer): Utf16Order | undefined {
  if (head.length < 2) return undefined;
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  return undefined;
}

/** Transcodes UTF-16 chunks (BOM first) to UTF-8 chunks; see the module comment for bad input. */
export async function* utf16ToUtf8(chunks: AsyncIterable<Buffer>, order: Utf16Order, state: Utf16State): AsyncGenerator<Buffer> {
  const littleEndian = order === 'utf16le';
  let skip = 2; // the BOM
  let odd: number | undefined;
  let high = 0; // a high surrogate waiting for its low half, 0 when none
  for await (const chunk of chunks) {
    // Up to 3 bytes per code unit (a pair's 4 bytes replace two units).
    const out = Buffer.allocUnsafe((chunk.length + 2) * 2);
    let n = 0;
    let i = Math.min(skip, chunk.length);
    skip -= i;
    if (odd !== undefined && i < chunk.length) {
      const b = chunk[i++] as number;
      n = put(out, n, littleEndian ? odd | (b << 8) : (odd << 8) | b);
      odd = undefined;
    }
    for (; i + 1 < chunk.length; i += 2) {
      const unit = littleEndian ? (chunk[i] as number) | ((chunk[i + 1] as number) << 8) : ((chunk[i] as number) << 8) | (chunk[i + 1] as number);
      n = put(out, n, unit);
    }
    if (i < chunk.length) odd = chunk[i];
    if (n > 0) {
      state.bytesOut += n;
      yield out.subarray(0, n);
    }
  }
  if (high !== 0) {
    const out = Buffer.allocUnsafe(3);
    const n = lone(out, 0, high);
    state.bytesOut += n;
    yield out;
  }
  state.oddByte = odd;

  /** Writes one code unit's UTF-8 (a high surrogate waits for the next unit); returns the new length. */
  function put(out: Buffer, n: number, unit: number): number {
    if (high !== 0) {
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        const code = 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00);
        high = 0;
        out[n++] = 0xf0 | (code >> 18);
        out[n++] = 0x80 | ((code >> 12) & 0x3f);
        out[n++] = 0x80 | ((code >> 6) & 0x3f);
        out[n++] = 0x80 | (code & 0x3f);
        return n;
      }
      n = lone(out, n, high);
      high = 0;
    }
    if (unit < 0x80) out[n++] = unit;
    else if (unit < 0x800) {
      out[n++] = 0xc0 | (unit >> 6);
      out[n++] = 0x80 | (unit & 0x3f);
    } else if (unit >= 0xd800 && unit <= 0xdbff) high = unit;
    else if (unit >= 0xdc00 && unit <= 0xdfff) n = lone(out, n, unit);
    else {
      out[n++] = 0xe0 | (unit >> 12);
      out[n++] = 0x80 | ((unit >> 6) & 0x3f);
      out[n++] = 0x80 | (unit & 0x3f);
    }
    return n;
  }
}

/** An unpaired surrogate as WTF-8: the 3-byte form UTF-8 forbids, so it stays visible and reversible. */
function lone(out: Buffer, n: number, unit: number): number {
  out[n++] = 0xe0 | (unit >> 12);
  out[n++] = 0x80 | ((unit >> 6) & 0x3f);
  out[n++] = 0x80 | (unit & 0x3f);
  return n;
}
