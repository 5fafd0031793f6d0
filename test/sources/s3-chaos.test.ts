/**
 * The chaos monkey writing to S3 (s3rver): the same bytes as to a folder, the manifest in
 * the bucket's hidden `.chaos/`, earlier runs refused or replaced, and the S3 source
 * ingesting exactly the chaos files. Also the command behind `agentic-etl chaos --out s3://…`.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChaosOptions } from '../../src/chaos/generate.js';
import { readManifest } from '../../src/chaos/manifest.js';
import { writeChaos } from '../../src/chaos/write.js';
import { s3Source } from '../../src/sources/s3.js';
import type { SourceObject } from '../../src/sources/source.js';
import { AetlError } from '../../src/util/errors.js';
import { startS3ServerOrSkip } from '../helpers/s3-server.js';

const server = await startS3ServerOrSkip();
const dirs: string[] = [];
afterAll(async () => {
  await server?.stop();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const OPTIONS: ChaosOptions = { files: 3, records: 200, poisonRate: 0.1, seed: 7, drift: [{ kind: 'new_column', fromFile: 2 }] };

if (server === undefined) {
  describe.skip('chaos to S3 (SKIPPED: s3rver could not start)', () => {
    it('needs s3rver', () => undefined);
  });
} else {
  const s3 = server;
  const keysOf = async (bucket: string): Promise<string[]> => {
    const page = await s3.admin.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (page.Contents ?? []).map((entry) => entry.Key as string).sort();
  };
  const bodyOf = async (bucket: string, key: string): Promise<Buffer> => {
    const source = s3Source({ bucket, prefix: '', endpoint: s3.endpoint });
    let object: SourceObject | undefined;
    for await (const candidate of source.list()) if (candidate.key === key) object = candidate;
    const chunks: Buffer[] = [];
    for await (const chunk of await source.open(object as SourceObject)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  describe('chaos to S3', () => {
    it('writes the same files as to a folder, with the manifest hidden in the bucket', async () => {
      const bucket = await s3.bucket();
      const folder = await mkdtemp(join(tmpdir(), 'aetl-chaos-s3-'));
      dirs.push(folder);
      const remote = await writeChaos({ ...OPTIONS, out: `s3://${bucket}/landing`, s3: { endpoint: s3.endpoint } });
      const local = await writeChaos({ ...OPTIONS, out: folder });
      expect(remote).toEqual(local);

      expect(await keysOf(bucket)).toEqual([
        'landing/.chaos/manifest.ndjson',
        'landing/.chaos/summary.json',
        'landing/events-00001.ndjson',
        'landing/events-00002.ndjson',
        'landing/events-00003.ndjson',
      ]);
      for (const name of ['events-00001.ndjson', 'events-00002.ndjson', 'events-00003.ndjson']) {
        const bytes = await readFile(join(folder, name));
        const s3Bytes = await (async () => {
          const source = s3Source({ bucket, prefix: 'landing', endpoint: s3.endpoint });
          const chunks: Buffer[] = [];
          for await (const object of source.list()) {
            if (object.key === name) for await (const chunk of await source.open(object)) chunks.push(chunk as Buffer);
          }
          return Buffer.concat(chunks);
        })();
        expect(s3Bytes.equals(bytes), name).toBe(true);
      }
      const manifest = await readManifest(`s3://${bucket}/landing`, { endpoint: s3.endpoint });
      expect(manifest).toEqual(await readManifest(folder));
      expect(manifest).toHaveLength(600);

      // The S3 source sees the chaos files and never the manifest.
      const keys: string[] = [];
      for await (const object of s3Source({ bucket, prefix: 'landing', endpoint: s3.endpoint }).list()) keys.push(object.key);
      expect(keys).toEqual(['events-00001.ndjson', 'events-00002.ndjson', 'events-00003.ndjson']);
    });

    it('refuses a prefix holding an earlier run unless told to overwrite, and never touches other objects', async () => {
      const bucket = await s3.bucket();
      const out = `s3://${bucket}/in/`;
      const s3Options = { endpoint: s3.endpoint };
      await writeChaos({ ...OPTIONS, out, s3: s3Options });
      await s3.put(bucket, 'in/keep-me.txt', 'not chaos');
      await s3.put(bucket, 'in/events-2024.ndjson', '{"other":"data"}\n');
      const error = await writeChaos({ ...OPTIONS, files: 1, out, s3: s3Options }).then(() => undefined, (failure: unknown) => failure);
      expect(error).toBeInstanceOf(AetlError);
      expect((error as AetlError).message).toContain(out);

      await writeChaos({ ...OPTIONS, files: 1, out, s3: s3Options, overwrite: true });
      expect(await keysOf(bucket)).toEqual([
        'in/.chaos/manifest.ndjson',
        'in/.chaos/summary.json',
        'in/events-00001.ndjson',
        'in/events-2024.ndjson',
        'in/keep-me.txt',
      ]);
      expect(await readManifest(out, s3Options)).toHaveLength(200);
      expect((await bodyOf(bucket, 'in/keep-me.txt')).toString()).toBe('not chaos');
    });

    it('says where to look when there is no manifest', async () => {
      const bucket = await s3.bucket();
      await expect(readManifest(`s3://${bucket}/nothing`, { endpoint: s3.endpoint })).rejects.toMatchObject({ code: 'not_found' });
    });

    it('runs the chaos command with --out s3://…, reaching the endpoint through the environment', async () => {
      const bucket = await s3.bucket();
      const saved = { endpoint: process.env.AWS_ENDPOINT_URL_S3, write: process.stdout.write };
      let printed = '';
      process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
      process.stdout.write = ((chunk: string | Uint8Array) => {
        printed += chunk.toString();
        return true;
      }) as typeof process.stdout.write;
      try {
        const { default: chaos } = await import('../../src/cli/chaos.js');
        const code = await chaos({ out: `s3://${bucket}/cli`, files: '2', records: '50', poisonRate: '0.02', seed: '1', interval: '0', json: true });
        expect(code).toBe(0);
      } finally {
        process.stdout.write = saved.write;
        if (saved.endpoint === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
        else process.env.AWS_ENDPOINT_URL_S3 = saved.endpoint;
      }
      expect(JSON.parse(printed)).toMatchObject({ out: `s3://${bucket}/cli`, totals: { files: 2, records: 100 } });
      expect(await keysOf(bucket)).toEqual(['cli/.chaos/manifest.ndjson', 'cli/.chaos/summary.json', 'cli/events-00001.ndjson', 'cli/events-00002.ndjson']);
      expect(existsSync('s3:')).toBe(false);
    });
  });
}
