/**
 * A byte stream as units of text for the counters: the bytes themselves for UTF-8, code
 * units for UTF-16 (told by the BOM, as the readers do). A whole leading BOM is dropped —
 * the readers drop it too: UTF-8's from the first line, UTF-16's when transcoding, and a
 * U+FEFF right after UTF-16's becomes a UTF-8 BOM they drop as well.
 */
export interface TextUnitsState {
  /** The text is UTF-16: the units are code units. */
  wide: boolean;
  /** A whole UTF-8 BOM was dropped (or the text is UTF-16): no BOM bytes are left to see. */
  bomDropped: boolean;
  /** UTF-16 whose last byte is half a code unit. */
  oddByte: boolean;
}

export async function* textUnits(bytes: AsyncIterable<Buffer>, state: TextUnitsState): AsyncGenerator<ArrayLike<number>> {
  const iterator = bytes[Symbol.asyncIterator]();
  try {
    yield* units(iterator, state);
  } finally {
    // The consumer may stop early (a counter that has settled): close the stream behind.
    await iterator.return?.();
  }
}

async function* units(iterator: AsyncIterator<Buffer>, state: TextUnitsState): AsyncGenerator<ArrayLike<number>> {
  // Three bytes tell every BOM apart; gather them even from tiny chunks.
  const parts: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < 3) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    parts.push(next.value);
    size += next.value.length;
  }
  let head = Buffer.concat(parts);
  const littleEndian = head[0] === 0xff && head[1] === 0xfe;
  state.wide = littleEndian || (head[0] === 0xfe && head[1] === 0xff);
  if (!state.wide) {
    const utf8Bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    state.bomDropped = utf8Bom;
    if (head.length > 3 || !utf8Bom) yield utf8Bom ? head.subarray(3) : head;
    if (ended) return;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    return;
  }
  state.bomDropped = true;
  head = head.subarray(2);
  let odd: number | undefined;
  let first = true;
  const codeUnits = (chunk: Buffer): Uint16Array => {
    const out = new Uint16Array((chunk.length + (odd === undefined ? 0 : 1)) >> 1);
    let i = odd === undefined || chunk.length === 0 ? 0 : 1;
    let n = 0;
    if (odd !== undefined && chunk.length > 0) {
      out[n++] = littleEndian ? odd | ((chunk[0] as number) << 8) : (odd << 8) | (chunk[0] as number);
      odd = undefined;
    }
    for (; i + 1 < chunk.length; i += 2) out[n++] = littleEndian ? (chunk[i] as number) | ((chunk[i + 1] as number) << 8) : ((chunk[i] as number) << 8) | (chunk[i + 1] as number);
    if (i < chunk.length) odd = chunk[i];
    // U+FEFF right after the BOM: a second BOM, which the readers drop too.
    if (first && n > 0) {
      first = false;
      if (out[0] === 0xfeff) return out.subarray(1, n);
    }
    return out.subarray(0, n);
  };
  yield codeUnits(head);
  if (!ended) for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield codeUnits(next.value);
  state.oddByte = odd !== undefined;
}
