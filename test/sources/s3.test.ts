/**
 * The S3 source against a real S3-compatible server (s3rver, a child process on loopback):
 * the shared Source suite, then what only S3 has — pagination, prefixes, folder
 * placeholders, hostile keys, the config wiring and clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { openSource } from '../../src/sources/open-source.js';
import { s3Source } from '../../src/sources/s3.js';
import { s3ClientConfig } from '../../src/sources/s3-client.js';
import { parseS3Uri } from '../../src/sources/s3-location.js';
import { backoffMs, DEFAULT_RETRY } from '../../src/sources/s3-retry.js';
import type { Source, SourceObject } from '../../src/sources/source.js';
import { AetlError } from '../../src/util/errors.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startS3ServerOrSkip } from '../helpers/s3-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { describeSourceSuite } from './source-suite.js';

const server = await startS3ServerOrSkip();
afterAll(async () => server?.stop());

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

async function caught(promise: Promise<unknown>): Promise<AetlError> {
  const error = await promise.then(() => undefined, (failure: unknown) => failure);
  expect(error).toBeInstanceOf(AetlError);
  return error as AetlError;
}

if (server === undefined) {
  describe.skip('S3 source (SKIPPED: s3rver could not start)', () => {
    it('needs s3rver', () => undefined);
  });
} else {
  const s3 = server;
  const sourceFor = (bucket: string, prefix = 'landing/', extra: Partial<Parameters<typeof s3Source>[0]> = {}): Source =>
    s3Source({ bucket, prefix, endpoint: s3.endpoint, pollIntervalMs: 150, relistIntervalMs: 150, ...extra });

  describeSourceSuite('S3 (s3rver)', async () => {
    const bucket = await s3.bucket();
    // Outside the prefix: must never be listed.
    await s3.put(bucket, 'elsewhere/a.ndjson', '{}\n');
    await s3.put(bucket, 'landing.ndjson', '{}\n');
    return {
      source: sourceFor(bucket),
      put: (key, content) => s3.put(bucket, `landing/${key}`, content),
      remove: (key) => s3.remove(bucket, `landing/${key}`),
      cleanup: async () => undefined,
    };
  });

  describe('S3 source: listing', () => {
    // Two full pages and one key on a third: the continuation token is used twice.
    const KEYS = 2001;
    let bucket: string;
    beforeAll(async () => {
      bucket = await s3.bucket();
      const keys = Array.from({ length: KEYS }, (_, index) => `many/part-${String(index).padStart(5, '0')}.ndjson`);
      await s3.seed(bucket, keys.map((key) => [key, `{"key":"${key}"}\n`]));
    });

    it('pages past 1,000 keys: every key once, in order, with its ETag as version', async () => {
      const objects = await listAll(sourceFor(bucket, 'many'));
      expect(objects).toHaveLength(KEYS);
      const keys = objects.map((object) => object.key);
      expect(new Set(keys).size).toBe(KEYS);
      expect(keys).toEqual([...keys].sort());
      expect(keys[0]).toBe('part-00000.ndjson');
      expect(keys[KEYS - 1]).toBe('part-02000.ndjson');
      for (const object of objects) expect(object.version).toMatch(/^[0-9a-f]{32}$/);
    });

    it('skips folder placeholders, and treats the whole bucket as a source without a prefix', async () => {
      const other = await s3.bucket();
      await s3.put(other, 'a/', '');
      await s3.put(other, 'a/b/', '');
      await s3.put(other, 'a/b/c.csv', 'x\n1\n');
      await s3.put(other, 'top.ndjson', '{}\n');
      expect((await listAll(s3Source({ bucket: other, prefix: '', endpoint: s3.endpoint }))).map((object) => object.key)).toEqual(['a/b/c.csv', 'top.ndjson']);
      expect((await listAll(s3Source({ bucket: other, prefix: 'a/b', endpoint: s3.endpoint }))).map((object) => object.key)).toEqual(['c.csv']);
    });
  });

  describe('S3 source: keys are data', () => {
    it('round-trips odd keys as opaque keys: percent signs, dots, unicode, spaces, 1,024 bytes', async () => {
      const bucket = await s3.bucket();
      // s3rver stores keys as files: segments stay under 255 bytes, the whole key is S3's maximum.
      const segment = 'k'.repeat(200);
      const longKey = `${[segment, segment, segment, segment, segment].join('/')}/${'x'.repeat(1024 - 'landing/'.length - 5 * 201 - '.csv'.length)}.csv`;
      expect(Buffer.byteLength(`landing/${longKey}`)).toBe(1024);
      const keys = ['%2e%2e/x.ndjson', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', 'a..b/c..d.ndjson', 'ünï/€ 😀.ndjson', 'sp ace+plus&amp=?q#h.ndjson', 'back\\slash.ndjson', longKey];
      for (const key of keys) await s3.put(bucket, `landing/${key}`, `bytes of ${key.slice(0, 40)}\n`);

      const source = sourceFor(bucket);
      const objects = await listAll(source);
      expect(objects.map((object) => object.key).sort()).toEqual([...keys].sort());
      for (const object of objects) expect((await readAll(source, object)).toString()).toBe(`bytes of ${object.key.slice(0, 40)}\n`);
    });

    it('refuses keys that could leave the prefix, are empty, hold NUL or are too long, before any request', async () => {
      const bucket = await s3.bucket();
      // Where a normalizing hop would take `../secret.ndjson`: outside the prefix.
      await s3.put(bucket, 'secret.ndjson', 'SECRET\n');
      await s3.put(bucket, 'landing/inside.ndjson', 'inside\n');
      const source = sourceFor(bucket);
      const [inside] = await listAll(source);
      const secret = (await listAll(sourceFor(bucket, ''))).find((object) => object.key === 'secret.ndjson') as SourceObject;
      const hostile = ['../secret.ndjson', 'a/../../secret.ndjson', './../secret.ndjson', '..\\secret.ndjson', '', 'ok\0.ndjson', 'x'.repeat(1024), 'folder/'];
      for (const key of hostile) {
        const error = await caught(source.open({ ...secret, key }));
        expect(error.code, key).toBe('source_read_failed');
        expect(error.kind, key).toBe('terminal');
        expect(error.message).toContain('refusing key');
      }
      expect((await readAll(source, inside as SourceObject)).toString()).toBe('inside\n');
    });
  });

  describe('S3 source: errors', () => {
    it('reports a missing bucket as source_not_found, on list and on watch', async () => {
      const source = sourceFor('no-such-bucket-here');
      const error = await caught(listAll(source));
      expect(error.code).toBe('source_not_found');
      expect(error.message).toContain('no-such-bucket-here');
      const controller = new AbortController();
      const watchError = await caught((async () => {
        for await (const _object of source.watch(controller.signal)) break;
      })());
      controller.abort();
      expect(watchError.code).toBe('source_not_found');
    });

    it('reports an object removed since listing as not_found, naming it', async () => {
      const bucket = await s3.bucket();
      await s3.put(bucket, 'landing/gone.ndjson', '{}\n');
      const source = sourceFor(bucket);
      const [object] = await listAll(source);
      await s3.remove(bucket, 'landing/gone.ndjson');
      const error = await caught(source.open(object as SourceObject));
      expect(error.code).toBe('not_found');
      expect(error.message).toContain('landing/gone.ndjson');
    });

    it('fails with a transient error naming the endpoint when nothing listens there, within the capped retries', async () => {
      const started = Date.now();
      const source = s3Source({ bucket: 'b-x', prefix: '', endpoint: 'http://127.0.0.1:9', retry: { attempts: 3, baseMs: 10, capMs: 40 } });
      const error = await caught(listAll(source));
      expect(error.kind).toBe('transient');
      expect(error.message).toContain('after 3 attempt(s)');
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  describe('S3 source: watch polls for new keys and re-lists for the rest', () => {
    it('sees a greater key at the next poll and an overwrite only at the re-list', async () => {
      const bucket = await s3.bucket();
      await s3.put(bucket, 'landing/2024-01-01.ndjson', '{"a":1}\n');
      // Through a proxy that notes the latest request: which listing found an object is
      // the evidence (a poll lists after the greatest key, a re-list lists everything).
      const proxy = await startFaultProxy(s3.endpoint);
      const controller = new AbortController();
      try {
        const source = sourceFor(bucket, 'landing/', { endpoint: proxy.endpoint, pollIntervalMs: 100, relistIntervalMs: 2_500 });
        const found: Array<{ key: string; size: number; by: 'poll' | 're-list'; requests: number }> = [];
        const ended = (async () => {
          for await (const object of source.watch(controller.signal)) {
            // Yielded as soon as its listing returns: that listing is the latest request.
            found.push({ key: object.key, size: object.size, by: proxy.stats.lastUrl.includes('start-after=') ? 'poll' : 're-list', requests: proxy.stats.requests });
          }
        })().then(() => undefined, (error: unknown) => error);
        const seen = (key: string, size: number): boolean => found.some((entry) => entry.key === key && entry.size === size);
        // (The first object is new enough to be yielded by the first listing too; that is not what this test is about.)
        await waitFor(() => proxy.stats.requests >= 2, 'the first listing and a poll');
        await s3.put(bucket, 'landing/2024-01-02.ndjson', '{"b":1}\n');
        await waitFor(() => seen('2024-01-02.ndjson', 8), 'the greater key');
        await s3.put(bucket, 'landing/2024-01-01.ndjson', '{"a":1}\n{"a":2}\n');
        const afterOverwrite = proxy.stats.requests;
        await waitFor(() => seen('2024-01-01.ndjson', 16), 'the overwrite');
        controller.abort();
        expect(await ended).toBeUndefined();

        const greater = found.find((entry) => entry.key === '2024-01-02.ndjson');
        const overwrite = found.find((entry) => entry.key === '2024-01-01.ndjson' && entry.size === 16);
        expect(greater?.by).toBe('poll');
        expect(overwrite?.by).toBe('re-list');
        // Polls ran between the overwrite and the re-list, and did not see it.
        expect((overwrite?.requests ?? 0) - afterOverwrite).toBeGreaterThanOrEqual(2);
        expect(found.filter((entry) => entry.key === '2024-01-02.ndjson')).toHaveLength(1);
      } finally {
        controller.abort();
        await proxy.stop();
      }
    });
  });

  describe('S3 source: configuration', () => {
    it('opens s3:// from agentic-etl.yaml with its s3: settings, and lists through them', async () => {
      const bucket = await s3.bucket();
      await s3.put(bucket, 'in/x.ndjson', '{}\n');
      const yaml = `pipeline: p\nsource: s3://${bucket}/in\ncontract: ./c.yaml\ns3:\n  endpoint: ${s3.endpoint}\n  region: eu-west-1\n  force_path_style: true\n  poll_interval_ms: 1000\n`;
      const { config } = parseConfig(yaml, 'agentic-etl.yaml', '/tmp');
      expect(config.source).toBe(`s3://${bucket}/in`);
      expect(config.s3).toEqual({ endpoint: s3.endpoint, region: 'eu-west-1', force_path_style: true, poll_interval_ms: 1000 });
      const source = openSource(config.source, '/tmp', { s3: config.s3 });
      expect(source.uri).toBe(`s3://${bucket}/in`);
      expect((await listAll(source)).map((object) => object.key)).toEqual(['x.ndjson']);
    });
  });
}

describe('S3 configuration errors (no server needed)', () => {
  const base = 'pipeline: p\nsource: s3://bucket/x\ncontract: ./c.yaml\n';
  const problem = (yaml: string): string => {
    try {
      parseConfig(base + yaml, 'agentic-etl.yaml', '/tmp');
    } catch (error) {
      expect(error).toBeInstanceOf(AetlError);
      expect((error as AetlError).code).toBe('config_invalid');
      return (error as AetlError).message;
    }
    throw new Error('no error');
  };

  it('names the line, the key and the fix', () => {
    expect(problem('s3:\n  endpoint: localhost:9000\n')).toBe('agentic-etl.yaml:5: s3.endpoint must be an http:// or https:// URL such as http://127.0.0.1:9000 (got "localhost:9000")');
    expect(problem('s3:\n  force_path_style: yes\n')).toContain('agentic-etl.yaml:5: s3.force_path_style must be true or false');
    expect(problem('s3:\n  regoin: eu-west-1\n')).toContain('unknown key `regoin` in s3 — did you mean `region`?');
    expect(problem('s3:\n  poll_interval_ms: 0\n')).toContain('s3.poll_interval_ms must be greater than 0');
  });

  it('refuses credentials in the file and says where they come from', () => {
    expect(problem('s3:\n  access_key_id: AKIA\n  secret_access_key: x\n')).toMatch(/s3\.access_key_id is not read from the config file: credentials come from the environment/);
  });

  it('accepts an empty s3: section and leaves it out', () => {
    const { config, written } = parseConfig(`${base}s3:\n`, 'agentic-etl.yaml', '/tmp');
    expect(config.s3).toBeUndefined();
    expect('s3' in written).toBe(false);
  });

  it('refuses s3:// URIs without a usable bucket', () => {
    for (const uri of ['s3://', 's3:///prefix', 's3://a/x', 's3://bad bucket/x', 's3://bucket//x']) {
      let error: unknown;
      try {
        openSource(uri, '/tmp');
      } catch (failure) {
        error = failure;
      }
      expect(error, uri).toBeInstanceOf(AetlError);
      expect((error as AetlError).code).toBe('config_invalid');
      expect((error as AetlError).hint).toContain('s3://bucket');
    }
  });

  it('never touches the local file system: no S3 source file imports it', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const file of ['s3.ts', 's3-client.ts', 's3-read.ts', 's3-location.ts', 's3-watch.ts', 's3-errors.ts', 's3-retry.ts']) {
      const text = await readFile(new URL(`../../src/sources/${file}`, import.meta.url), 'utf8');
      expect(text, file).not.toMatch(/from 'node:(fs|fs\/promises|path)'/);
    }
  });

  it('loads the AWS SDK only dynamically: no source file imports it statically', async () => {
    // ESM leaves no require.cache to inspect, so the proof is the import graph: type-only
    // imports vanish at compile time, and s3-client.ts loads the SDK with import().
    const { readFile } = await import('node:fs/promises');
    for (const file of ['s3.ts', 's3-client.ts', 's3-read.ts', 's3-location.ts', 's3-watch.ts', 's3-errors.ts', 's3-retry.ts', 'open-source.ts']) {
      const text = await readFile(new URL(`../../src/sources/${file}`, import.meta.url), 'utf8');
      expect(text, file).not.toMatch(/^import (?!type )[^;]*'@aws-sdk\//m);
    }
    const client = await readFile(new URL('../../src/sources/s3-client.ts', import.meta.url), 'utf8');
    expect(client).toContain("import('@aws-sdk/client-s3')");
  });

  it('parses s3:// URIs into a bucket and a folder-like prefix', () => {
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Uri('S3://bucket/')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Uri('s3://bucket/a/b')).toEqual({ bucket: 'bucket', prefix: 'a/b/' });
    expect(parseS3Uri(' s3://my.bucket-1/a/b/ ')).toEqual({ bucket: 'my.bucket-1', prefix: 'a/b/' });
    expect(parseS3Uri('s3://bucket/%2e%2e/x')).toEqual({ bucket: 'bucket', prefix: '%2e%2e/x/' });
    expect(() => parseS3Uri('s3://bucket/../x')).toThrow(AetlError);
  });

  it('backs off exponentially with full jitter, never beyond the cap', () => {
    const policy = { ...DEFAULT_RETRY, baseMs: 100, capMs: 1_000 };
    expect([1, 2, 3, 4, 5, 9].map((attempt) => backoffMs(attempt, policy, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
    const draws = Array.from({ length: 200 }, () => backoffMs(4, policy));
    expect(Math.max(...draws)).toBeLessThan(800);
    expect(new Set(draws).size).toBeGreaterThan(50); // Jittered, not fixed.
  });

  it('configures the client: our retries only, checksums when required, path style with a custom endpoint', () => {
    const aws = s3ClientConfig({ region: 'eu-central-1' });
    expect(aws).toMatchObject({ maxAttempts: 1, forcePathStyle: false, region: 'eu-central-1', requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    expect(aws.endpoint).toBeUndefined();
    const saved = { region: process.env.AWS_REGION, fallback: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      expect(s3ClientConfig({ endpoint: 'http://127.0.0.1:9000' })).toMatchObject({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, region: 'us-east-1' });
    } finally {
      if (saved.region !== undefined) process.env.AWS_REGION = saved.region;
      if (saved.fallback !== undefined) process.env.AWS_DEFAULT_REGION = saved.fallback;
    }
    expect(s3ClientConfig({ endpoint: 'https://r2.example', forcePathStyle: false }).forcePathStyle).toBe(false);
    expect(s3ClientConfig({ idleTimeoutMs: 1234, connectTimeoutMs: 99 }).requestHandler).toEqual({ connectionTimeout: 99, socketTimeout: 1234 });
  });
});
