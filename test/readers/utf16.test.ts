/** The UTF-16 → UTF-8 transcoder the readers run behind a UTF-16 BOM (readers/_utf16.ts). */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf16Bom, utf16ToUtf8, type Utf16Order, type Utf16State } from '../../src/readers/_utf16.js';
import { streamCutAt, utf16 } from './_helpers.js';

async function transcode(input: Readable, order: Utf16Order): Promise<{ bytes: Buffer; state: Utf16State }> {
  const state: Utf16State = { oddByte: undefined, bytesOut: 0 };
  const parts: Buffer[] = [];
  for await (const chunk of utf16ToUtf8(input, order, state)) parts.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(parts), state };
}

describe('utf16ToUtf8', () => {
  it('tells the byte order by the BOM, and nothing else', () => {
    expect(utf16Bom(Buffer.from([0xff, 0xfe, 0x61, 0x00]))).toBe('utf16le');
    expect(utf16Bom(Buffer.from([0xfe, 0xff, 0x00, 0x61]))).toBe('utf16be');
    expect(utf16Bom(Buffer.from([0xef, 0xbb, 0xbf]))).toBeUndefined();
    expect(utf16Bom(Buffer.from([0xff]))).toBeUndefined();
    expect(utf16Bom(Buffer.from('{"a":1}'))).toBeUndefined();
  });

  it('gives the UTF-8 of well-formed text in either byte order, however the stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom<Utf16Order>('utf16le', 'utf16be'), fc.array(fc.nat(100), { maxLength: 8 }), async (text, order, cuts) => {
        const { bytes, state } = await transcode(streamCutAt(utf16(text, order), cuts), order);
        expect(bytes.toString('hex')).toBe(Buffer.from(text, 'utf8').toString('hex'));
        expect(state).toEqual({ oddByte: undefined, bytesOut: bytes.length });
      }),
      { numRuns: 500 },
    );
  });

  it('keeps an unpaired surrogate as its WTF-8 bytes (invalid UTF-8, nothing replaced), and hands back an odd last byte', async () => {
    const text = 'a\uD800b\uDC00c\uD83D\uDE00\uDBFF';
    for (const order of ['utf16le', 'utf16be'] as const) {
      const input = Buffer.concat([utf16(text, order), Buffer.from([0x41])]);
      for (const cuts of [[], [3], [4, 5, 6, 9, 12]]) {
        const { bytes, state } = await transcode(streamCutAt(input, cuts), order);
        expect(bytes.toString('hex')).toBe('61' + 'eda080' + '62' + 'edb080' + '63' + 'f09f9880' + 'edafbf');
        expect(state.oddByte).toBe(0x41);
      }
    }
  });
});
