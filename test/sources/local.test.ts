import { appendFile, mkdir, mkdtemp, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localSource } from '../../src/sources/local.js';
import { keyToPath } from '../../src/sources/local-key.js';
import { openSource } from '../../src/sources/open-source.js';
import type { Source, SourceObject } from '../../src/sources/source.js';
import { AetlError } from '../../src/util/errors.js';
import { watchInBackground } from '../helpers/background-watch.js';
import { describeSourceSuite } from './source-suite.js';

async function makeFolder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'aetl-local-source-'));
}

describeSourceSuite('local folder', async () => {
  const root = await makeFolder();
  const at = async (key: string): Promise<string> => {
    const path = join(root, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    return path;
  };
  return {
    // Six times the suite's pause between a slow writer's writes (see WRITE_PAUSE_MS).
    source: localSource({ root, settleMs: 300, pollIntervalMs: 250 }),
    put: async (key, content) => writeFile(await at(key), content),
    append: async (key, content) => appendFile(await at(key), content),
    rename: async (from, to) => rename(await at(from), await at(to)),
    remove: async (key) => rm(await at(key)),
    cleanup: async () => rm(root, { recursive: true, force: true }),
  };
});

async function listKeys(source: Source): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of source.list()) keys.push(object.key);
  return keys;
}

describe('local folder source: keys never leave the root', () => {
  const SECRET = 'SECRET outside the root\n';
  let base: string;
  let root: string;
  let source: Source;
  /** An object for `key` with the version the secret files share, so only the path decides. */
  let objectFor: (key: string) => SourceObject;

  beforeEach(async () => {
    base = await makeFolder();
    root = join(base, 'root');
    await mkdir(join(root, '%2e%2e'), { recursive: true });
    await mkdir(join(base, 'etc'));
    // Files at exactly the places the traversal keys aim at, with identical bytes.
    await writeFile(join(base, 'etc', 'passwd'), SECRET);
    await writeFile(join(base, 'x'), SECRET);
    await writeFile(join(root, '%2e%2e', 'x'), 'inside\n');
    await writeFile(join(root, 'inside.ndjson'), SECRET);
    // Same size and mtime everywhere: the version check cannot be what stops a traversal.
    const when = new Date('2024-01-02T03:04:05.678Z');
    for (const path of [join(base, 'etc', 'passwd'), join(base, 'x'), join(root, 'inside.ndjson')]) await utimes(path, when, when);
    source = localSource({ root });
    let template: SourceObject | undefined;
    for await (const object of source.list()) if (object.key === 'inside.ndjson') template = object;
    objectFor = (key) => ({ ...(template as SourceObject), key });
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const hostile = ['../etc/passwd', '/etc/passwd', '/x', 'a/../../x', '../x', './../x', 'a//../../x', 'ok\0.ndjson', `${'a'.repeat(1024)}.ndjson`, '', '.', '..', 'inside.ndjson/'];
  for (const key of hostile) {
    it(`refuses key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 20)}…(${key.length})` : key)} with an AetlError`, async () => {
      const error = await source.open(objectFor(key)).then(
        async (stream) => {
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        },
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(AetlError);
    });
  }

  it('takes percent-encoded keys literally: %2e%2e/x is a folder inside the root', async () => {
    const keys = await listKeys(source);
    expect(keys).toEqual(['%2e%2e/x', 'inside.ndjson']);
    const objects: SourceObject[] = [];
    for await (const object of source.list()) objects.push(object);
    const literal = objects.find((object) => object.key === '%2e%2e/x') as SourceObject;
    const chunks: Buffer[] = [];
    for await (const chunk of await source.open(literal)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('inside\n');
  });

  it('neither lists nor opens symlinks, whether to a file or a folder outside the root', async () => {
    await symlink(join(base, 'etc', 'passwd'), join(root, 'link.ndjson'));
    await symlink(join(base, 'etc'), join(root, 'linkdir'));
    await symlink(join(root, 'inside.ndjson'), join(root, 'inner-link.ndjson'));

    expect(await listKeys(source)).toEqual(['%2e%2e/x', 'inside.ndjson']);
    for (const key of ['link.ndjson', 'linkdir/passwd', 'inner-link.ndjson']) {
      await expect(source.open(objectFor(key))).rejects.toBeInstanceOf(AetlError);
    }
  });

  it('opens a legitimate object (the hostile keys fail for their key, not for the version)', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of await source.open(objectFor('inside.ndjson'))) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(SECRET);
  });
});

describe('keyToPath', () => {
  const root = join(tmpdir(), 'aetl-root');
  it('maps a relative key under the root, literally', () => {
    expect(keyToPath(root, 'a/b.ndjson')).toBe(join(root, 'a', 'b.ndjson'));
    expect(keyToPath(root, '%2e%2e/x')).toBe(join(root, '%2e%2e', 'x'));
    expect(keyToPath(root, '..x/y..')).toBe(join(root, '..x', 'y..'));
  });
  it('refuses traversal, absolute, empty and NUL keys before touching the disk', () => {
    for (const key of ['../x', 'a/../../x', 'a/..', '/etc/passwd', '', 'a//b', './a', 'a/', 'a\0b']) {
      expect(() => keyToPath(root, key), key).toThrow(AetlError);
    }
  });
});

describe('local folder source: a missing root', () => {
  it('fails list() and watch() with source_not_found naming the folder', async () => {
    const missing = join(tmpdir(), `aetl-missing-${process.pid}-${Date.now()}`);
    const source = localSource({ root: missing });
    const listError = await listKeys(source).then(() => undefined, (caught: unknown) => caught);
    expect(listError).toBeInstanceOf(AetlError);
    expect((listError as AetlError).code).toBe('source_not_found');
    expect((listError as AetlError).message).toContain(missing);
    expect((listError as AetlError).hint).toContain('agentic-etl.yaml');

    const controller = new AbortController();
    const watchError = await (async () => {
      for await (const _object of source.watch(controller.signal)) break;
    })().then(() => undefined, (caught: unknown) => caught);
    controller.abort();
    expect((watchError as AetlError).code).toBe('source_not_found');
  });

  it('fails when the root is a file', async () => {
    const folder = await makeFolder();
    try {
      await writeFile(join(folder, 'file'), 'x');
      await expect(listKeys(localSource({ root: join(folder, 'file') }))).rejects.toMatchObject({ code: 'source_not_found' });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('local folder source: watch', () => {
  it('yields a file that lands in a folder moved in whole with old timestamps', async () => {
    const folder = await makeFolder();
    const root = join(folder, 'root');
    await mkdir(root);
    try {
      const outside = join(folder, 'batch');
      await mkdir(outside);
      await writeFile(join(outside, 'a.ndjson'), '{"a":1}\n');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const watch = watchInBackground(localSource({ root, settleMs: 100, pollIntervalMs: 300 }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await rename(outside, join(root, 'batch'));
      await watch.until(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await watch.stop();
      expect(watch.keys()).toEqual(['batch/a.ndjson']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('openSource', () => {
  it('opens a relative path against the base folder as a local source', async () => {
    const base = await makeFolder();
    try {
      await mkdir(join(base, 'landing', 'day'), { recursive: true });
      await writeFile(join(base, 'landing', 'day', 'a.ndjson'), '{}\n');
      const source = openSource('./landing', base);
      expect(source.uri).toBe('./landing');
      expect(await listKeys(source)).toEqual(['day/a.ndjson']);
      expect(await listKeys(openSource(`file://${join(base, 'landing')}`, '/nowhere'))).toEqual(['day/a.ndjson']);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('refuses unknown schemes and an empty source, as config errors with a hint (s3:// is in s3.test.ts)', () => {
    for (const uri of ['gs://bucket/prefix', 'ftp://host/x', '  ']) {
      let caught: unknown;
      try {
        openSource(uri, '/tmp');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AetlError);
      expect((caught as AetlError).code).toBe('config_invalid');
      expect((caught as AetlError).hint).toBeTruthy();
    }
  });
});
