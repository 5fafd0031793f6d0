/** The recount streams: memory does not grow with the object's size. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { countStream } from '../../src/recount/recount-stream.js';

const MB = 1024 * 1024;

/** `repeats` copies of `chunk`, yielded lazily (the source itself allocates nothing). */
function repeated(head: string, chunk: Buffer, repeats: number): Readable {
  return Readable.from(
    (function* () {
      yield Buffer.from(head);
      for (let i = 0; i < repeats; i++) yield chunk;
    })(),
  );
}

function template(line: (i: number) => string): { chunk: Buffer; lines: number } {
  const lines: string[] = [];
  for (let size = 0, i = 0; size < MB; i++) {
    lines.push(line(i));
    size += lines.at(-1)!.length + 1;
  }
  return { chunk: Buffer.from(lines.join('\n') + '\n'), lines: lines.length };
}

describe('the recount streams in bounded memory', () => {
  it.each([
    ['csv', 'id,note,amount\n', (i: number) => `${i},"a note, with ""quotes""",${i / 4}`],
    ['ndjson', '', (i: number) => JSON.stringify({ id: i, note: 'a note', amount: i / 4 })],
  ] as const)('%s: ~32 MB with RSS growth under 16 MB', async (format, head, line) => {
    const { chunk, lines } = template(line);
    const repeats = 32;
    const before = process.memoryUsage().rss;
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - before)), 50);
    try {
      const result = await countStream(repeated(head, chunk, repeats), { format, gzip: false, maxLineBytes: MB });
      expect(result).toMatchObject({ damaged: false, count: { records: repeats * lines } });
      expect(result.damaged === false && result.count.belowLine).toBeUndefined();
    } finally {
      clearInterval(timer);
    }
    expect(peak).toBeLessThan(16 * MB);
  });
});
