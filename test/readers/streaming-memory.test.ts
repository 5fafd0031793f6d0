/**
 * Readers stream: memory must not grow with the size of the input. Each test pipes
 * ~200 MB generated lazily (one template chunk yielded again and again, so the source
 * itself allocates nothing) and samples the process's RSS as records come out.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { jsonReader } from '../../src/readers/json.js';
import { ndjsonReader } from '../../src/readers/ndjson.js';
import type { ReadRecord } from '../../src/readers/reader.js';
import { options } from './_helpers.js';

const MB = 1024 * 1024;

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

async function measure(records: AsyncIterable<ReadRecord>): Promise<{ count: number; malformed: number; growth: number }> {
  const baseline = process.memoryUsage().rss;
  let growth = 0;
  let count = 0;
  let malformed = 0;
  for await (const record of records) {
    count++;
    if (record.malformed !== undefined) malformed++;
    if ((count & 0xffff) === 0) growth = Math.max(growth, process.memoryUsage().rss - baseline);
  }
  return { count, malformed, growth };
}

describe('readers stream in bounded memory', () => {
  it('ndjsonReader reads ~200 MB with RSS growth under 100 MB', async () => {
    const { chunk, lines } = ndjsonTemplate();
    const repeats = Math.ceil((200 * MB) / chunk.length);
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < repeats; i++) yield chunk;
      })(),
    );
    const started = performance.now();
    const result = await measure(ndjsonReader(input, options('stream.ndjson')));
    const seconds = (performance.now() - started) / 1000;
    expect(result.count).toBe(repeats * lines);
    expect(result.malformed).toBe(0);
    expect(result.growth).toBeLessThan(100 * MB);
    expect(seconds).toBeLessThan(10);
  });

  it('jsonReader reads a ~200 MB array with RSS growth under 100 MB', async () => {
    const { chunk, lines } = ndjsonTemplate();
    // The NDJSON template with commas between lines is a run of array elements.
    const body = Buffer.from(chunk.toString().trimEnd().split('\n').join(',\n') + ',\n');
    const repeats = Math.ceil((200 * MB) / body.length);
    const input = Readable.from(
      (function* () {
        yield Buffer.from('[\n');
        for (let i = 0; i < repeats; i++) yield body;
        yield Buffer.from('{"last":true}]\n');
      })(),
    );
    const result = await measure(jsonReader(input, options('stream.json')));
    expect(result.count).toBe(repeats * lines + 1);
    expect(result.malformed).toBe(0);
    expect(result.growth).toBeLessThan(100 * MB);
  });
});
