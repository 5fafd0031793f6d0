/**
 * Readers stream: what they hold must not grow with the size of the input. Each test pipes
 * 64 MiB generated lazily (one template chunk yielded again and again, so the source itself
 * allocates nothing) and, every 8 MiB, measures the memory still reachable after a full
 * garbage collection — what the reader keeps, not what the collector has not freed yet.
 * (Sampling RSS instead needed 200 MB of input to rise above its noise.) A reader that
 * kept even a quarter of what it read would pass the bound; a control shows the measure
 * sees what is kept.
 */
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { jsonReader } from '../../src/readers/json.js';
import { ndjsonReader } from '../../src/readers/ndjson.js';
import type { ReadRecord } from '../../src/readers/reader.js';
import { options } from './_helpers.js';

const MB = 1024 * 1024;
const INPUT = 64 * MB;
const SAMPLE_EVERY = 8 * MB;
/** What a streaming reader may hold: a chunk or two, its text, the parser's buffers. */
const BOUND = 16 * MB;

// A full collection on demand (the `gc` that --expose-gc gives, taken from a fresh context).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function reachable(): number {
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** About 1 MiB of ~150-byte NDJSON lines, ending with a newline. */
function ndjsonTemplate(): { chunk: Buffer; lines: number } {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < MB; i++) {
    const line = JSON.stringify({ event_id: `evt-${String(i).padStart(8, '0')}`, ts: '2024-05-01T12:00:00Z', type: 'click', user_id: i, amount: i / 4, device: 'ios' });
    lines.push(line);
    size += line.length + 1;
  }
  return { chunk: Buffer.from(lines.join('\n') + '\n'), lines: lines.length };
}

/** `body` yielded `repeats` times between `head` and `tail`, allocating nothing new. */
function repeated(body: Buffer, repeats: number, head?: Buffer, tail?: Buffer): Readable {
  return Readable.from(
    (function* () {
      if (head !== undefined) yield head;
      for (let i = 0; i < repeats; i++) yield body;
      if (tail !== undefined) yield tail;
    })(),
  );
}

/** Counts the records and samples the growth of reachable memory every `sampleEvery` records. */
async function measure(
  records: AsyncIterable<ReadRecord>,
  sampleEvery: number,
  consume: (record: ReadRecord) => void = () => undefined,
): Promise<{ count: number; malformed: number; peak: number }> {
  const baseline = reachable();
  let peak = 0;
  let count = 0;
  let malformed = 0;
  for await (const record of records) {
    count++;
    if (record.malformed !== undefined) malformed++;
    consume(record);
    if (count % sampleEvery === 0) peak = Math.max(peak, reachable() - baseline);
  }
  return { count, malformed, peak: Math.max(peak, reachable() - baseline) };
}

describe('readers stream in bounded memory', () => {
  const { chunk, lines } = ndjsonTemplate();
  const linesPerSample = Math.round((SAMPLE_EVERY / chunk.length) * lines);

  it(`ndjsonReader reads ${INPUT / MB} MiB holding under ${BOUND / MB} MiB`, async () => {
    const repeats = Math.ceil(INPUT / chunk.length);
    const result = await measure(ndjsonReader(repeated(chunk, repeats), options('stream.ndjson')), linesPerSample);
    expect(result.count).toBe(repeats * lines);
    expect(result.malformed).toBe(0);
    expect(result.peak).toBeLessThan(BOUND);
  });

  it(`jsonReader reads a ${INPUT / MB} MiB array holding under ${BOUND / MB} MiB`, async () => {
    // The NDJSON template with commas between lines is a run of array elements.
    const body = Buffer.from(chunk.toString().trimEnd().split('\n').join(',\n') + ',\n');
    const repeats = Math.ceil(INPUT / body.length);
    const input = repeated(body, repeats, Buffer.from('[\n'), Buffer.from('{"last":true}]\n'));
    const result = await measure(jsonReader(input, options('stream.json')), linesPerSample);
    expect(result.count).toBe(repeats * lines + 1);
    expect(result.malformed).toBe(0);
    expect(result.peak).toBeLessThan(BOUND);
  });

  it('the measure sees what is kept (control: a consumer that keeps every record of 8 MiB)', async () => {
    const kept: ReadRecord[] = [];
    const repeats = 8;
    const result = await measure(ndjsonReader(repeated(chunk, repeats), options('kept.ndjson')), linesPerSample, (record) => kept.push(record));
    expect(kept).toHaveLength(repeats * lines);
    expect(result.peak).toBeGreaterThan(repeats * MB);
  });
});
