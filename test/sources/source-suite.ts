/**
 * The shared Source suite: every source implementation (local folder, S3) runs it against
 * a real backend. Backend-specific checks live beside it (local.test.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Source, SourceObject } from '../../src/sources/source.js';
import { AetlError } from '../../src/util/errors.js';
import { watchInBackground, type BackgroundWatch } from '../helpers/background-watch.js';

export interface SourceFixture {
  source: Source;
  /** Creates or replaces the object at `key` with exactly these bytes. */
  put(key: string, content: string | Buffer): Promise<void>;
  remove(key: string): Promise<void>;
  cleanup(): Promise<void>;
  /** Appends to an object in place (file sources); the slow-writer test needs it. */
  append?(key: string, content: string | Buffer): Promise<void>;
  /** Moves an object (file sources: the write-then-rename-into-place pattern). */
  rename?(from: string, to: string): Promise<void>;
}

async function listAll(source: Source): Promise<SourceObject[]> {
  const objects: SourceObject[] = [];
  for await (const object of source.list()) objects.push(object);
  return objects;
}

async function readAll(source: Source, object: SourceObject): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await source.open(object)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listed(source: Source, key: string): Promise<SourceObject> {
  const object = (await listAll(source)).find((candidate) => candidate.key === key);
  if (object === undefined) throw new Error(`${key} was not listed`);
  return object;
}

// Long enough for a writer that pauses between chunks to look finished to a naive watcher,
// and a sixth of what file sources wait for a file to settle (local.test.ts): a loaded
// machine may stretch it severalfold without the file looking settled halfway.
const WRITE_PAUSE_MS = 50;
// How long to keep watching after the first yield, to catch a duplicate.
const QUIET_MS = 700;

export function describeSourceSuite(name: string, setup: () => Promise<SourceFixture>): void {
  describe(`Source suite: ${name}`, () => {
    let fixture: SourceFixture;
    let running: BackgroundWatch[] = [];
    const watchSource = (): BackgroundWatch => {
      const watch = watchInBackground(fixture.source);
      running.push(watch);
      return watch;
    };

    beforeEach(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      await Promise.all(running.map((watch) => watch.stop()));
      running = [];
      await fixture.cleanup();
    });

    describe('list', () => {
      it('lists nested objects by key, in key order, with sizes', async () => {
        const contents: Record<string, string> = {
          'b.ndjson': '{"b":1}\n',
          'a/x.ndjson': '{"x":1}\n',
          'a-b.ndjson': '{"ab":1}\n{"ab":2}\n',
          'a/c/d.csv': 'id\n1\n',
          'z/y/x.json': '[{"z":true}]',
          'A.ndjson': '{}\n',
        };
        for (const [key, content] of Object.entries(contents)) await fixture.put(key, content);

        const objects = await listAll(fixture.source);
        expect(objects.map((object) => object.key)).toEqual(Object.keys(contents).sort());
        for (const object of objects) {
          expect(object.size).toBe(Buffer.byteLength(contents[object.key] as string));
          expect(object.modifiedAt).toBeInstanceOf(Date);
          expect(object.version).not.toBe('');
        }
        // Stable: a second listing is the same.
        expect(await listAll(fixture.source)).toEqual(objects);
      });

      it('skips hidden and temporary objects', async () => {
        const skipped = [
          '.hidden.ndjson', '.cache/a.ndjson', 'sub/.b.ndjson', 'c.ndjson.tmp', 'd.part', 'e.partial',
          'f.crdownload', 'g.swp', 'h.download', 'i.ndjson~', '~$j.csv', 'k.TMP', '.tmpdir/l.ndjson',
        ];
        for (const key of skipped) await fixture.put(key, 'x\n');
        await fixture.put('ok.ndjson', '{}\n');
        await fixture.put('sub/ok.csv', 'a\n1\n');

        expect((await listAll(fixture.source)).map((object) => object.key)).toEqual(['ok.ndjson', 'sub/ok.csv']);
      });

      it('gives a new version when the content changes, and the same one when it does not', async () => {
        await fixture.put('v.ndjson', '{"a":1}\n');
        const first = await listed(fixture.source, 'v.ndjson');
        expect((await listed(fixture.source, 'v.ndjson')).version).toBe(first.version);

        await sleep(50); // Past the timestamp granularity of the backend.
        await fixture.put('v.ndjson', '{"a":2}\n'); // Same size, other bytes.
        const sameSize = await listed(fixture.source, 'v.ndjson');
        expect(sameSize.version).not.toBe(first.version);

        await fixture.put('v.ndjson', '{"a":1}\n{"a":3}\n');
        const longer = await listed(fixture.source, 'v.ndjson');
        expect(longer.version).not.toBe(sameSize.version);
        expect(longer.size).toBe(16);
      });
    });

    describe('open', () => {
      it('returns exactly the bytes, text and binary alike', async () => {
        const text = '{"name":"Zoë","emoji":"🚕"}\r\n{"n":2}';
        const binary = Buffer.concat([
          gzipSync(Buffer.from('{"a":1}\n'.repeat(1000))),
          Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)),
        ]);
        await fixture.put('text.ndjson', text);
        await fixture.put('deep/data.ndjson.gz', binary);

        expect((await readAll(fixture.source, await listed(fixture.source, 'text.ndjson'))).toString('utf8')).toBe(text);
        const read = await readAll(fixture.source, await listed(fixture.source, 'deep/data.ndjson.gz'));
        expect(read.equals(binary)).toBe(true);
      });

      it('refuses an object that changed since it was listed, as a transient error', async () => {
        await fixture.put('c.ndjson', '{"a":1}\n');
        const object = await listed(fixture.source, 'c.ndjson');
        await sleep(50);
        await fixture.put('c.ndjson', '{"a":1}\n{"a":2}\n');

        const error = await fixture.source.open(object).then(() => undefined, (caught: unknown) => caught);
        expect(error).toBeInstanceOf(AetlError);
        expect((error as AetlError).code).toBe('source_read_failed');
        expect((error as AetlError).kind).toBe('transient');
        expect((error as AetlError).message).toContain('c.ndjson');
      });

      it('refuses an object that was removed since it was listed', async () => {
        await fixture.put('gone.ndjson', '{}\n');
        const object = await listed(fixture.source, 'gone.ndjson');
        await fixture.remove('gone.ndjson');
        await expect(fixture.source.open(object)).rejects.toBeInstanceOf(AetlError);
      });
    });

    describe('watch', () => {
      it('yields a slowly written object once, after its writes settle, with its final size', async () => {
        const append = fixture.append;
        const watch = watchSource();
        await sleep(200);
        const chunk = '{"event":"click","n":12345}\n';
        if (append === undefined) {
          // Objects of this backend appear whole; one put is the whole "slow write".
          await fixture.put('slow.ndjson', chunk.repeat(5));
        } else {
          for (let index = 0; index < 5; index += 1) {
            await append('slow.ndjson', chunk);
            await sleep(WRITE_PAUSE_MS);
          }
        }
        await watch.until(1);
        await sleep(QUIET_MS);
        await watch.stop();

        expect(watch.yielded.map((object) => [object.key, object.size])).toEqual([['slow.ndjson', chunk.length * 5]]);
        expect(watch.yielded[0]?.version).toBe((await listed(fixture.source, 'slow.ndjson')).version);
      });

      it('yields an object written then renamed into place once, never the temporary name', async (context) => {
        if (fixture.rename === undefined) {
          context.skip();
          return;
        }
        const watch = watchSource();
        await sleep(200);
        await fixture.put('.x.ndjson.tmp', '{"a":1}\n{"a":2}\n');
        await sleep(50);
        await fixture.rename('.x.ndjson.tmp', 'x.ndjson');
        await watch.until(1);
        await sleep(QUIET_MS);
        await watch.stop();

        expect(watch.yielded.map((object) => object.key)).toEqual(['x.ndjson']);
      });

      it('does not yield objects present at start, but yields them again when they change', async () => {
        await fixture.put('old.ndjson', '{"a":1}\n');
        await fixture.put('.hidden.ndjson', '{"a":1}\n');
        // Older than any grace period a source gives files landing just before watch().
        await sleep(1_100);
        const watch = watchSource();
        await sleep(200);
        await fixture.put('new.ndjson', '{"b":1}\n');
        await fixture.put('skip.tmp', '{"b":1}\n');
        await watch.until(1);
        await fixture.put('old.ndjson', '{"a":1}\n{"a":2}\n');
        await watch.until(2);
        await sleep(QUIET_MS);
        await watch.stop();

        expect(watch.yielded.map((object) => [object.key, object.size])).toEqual([['new.ndjson', 8], ['old.ndjson', 16]]);
      });

      it('ends the iterator when the signal aborts', async () => {
        const watch = watchSource();
        await sleep(200);
        const started = Date.now();
        await watch.stop();
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(watch.yielded).toEqual([]);

        // Already aborted: ends at once without yielding.
        const controller = new AbortController();
        controller.abort();
        await fixture.put('late.ndjson', '{}\n');
        const after: SourceObject[] = [];
        for await (const object of fixture.source.watch(controller.signal)) after.push(object);
        expect(after).toEqual([]);
      });
    });
  });
}
