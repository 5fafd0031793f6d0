/**
 * A real S3-compatible server for tests: s3rver (npm) as a child process on a free port of
 * 127.0.0.1, over a temp folder, under `node --openssl-legacy-provider` (without it s3rver's
 * listings past 1,000 keys fail). When it cannot start the tests that need it are skipped
 * loudly — and under CI=true they fail instead.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { CreateBucketCommand, DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client as Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface S3TestServer {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** A client straight to the server, for arranging fixtures (not the code under test). */
  admin: S3Client;
  /** Creates a bucket with a fresh name. */
  bucket(): Promise<string>;
  put(bucket: string, key: string, body: string | Buffer): Promise<void>;
  /**
   * Places many objects at once, for fixtures of thousands of keys: written straight into
   * s3rver's store (see seedStore) instead of one signed PUT each, which costs s3rver ~5 ms
   * of CPU per key. Listing and reading them is s3rver's own. Plain keys only.
   */
  seed(bucket: string, objects: Iterable<[key: string, body: string | Buffer]>): Promise<void>;
  remove(bucket: string, key: string): Promise<void>;
  stop(): Promise<void>;
}

/** Keys `seed` takes: they map onto store paths one to one. */
const PLAIN_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * s3rver 3.7's FilesystemStore (pinned in package.json): an object `a/b.txt` of bucket `x`
 * is the file `x/a/b.txt._S3rver_object` with its MD5 (the ETag) in `….md5`; the metadata
 * file is optional. `seed` checks one object through the server, so a changed layout fails
 * loudly instead of listing nothing.
 */
async function seedStore(root: string, bucket: string, objects: Iterable<[string, string | Buffer]>): Promise<Array<[string, string]>> {
  const files = [...objects].map(([key, body]) => {
    if (!PLAIN_KEY.test(key)) throw new Error(`seed takes plain keys only (got ${JSON.stringify(key)}): use put`);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    return { key, bytes, path: join(root, bucket, `${key}._S3rver_object`), md5: createHash('md5').update(bytes).digest('hex') };
  });
  for (const folder of new Set(files.map((file) => dirname(file.path)))) await mkdir(folder, { recursive: true });
  // Many writes in flight: creating a file waits on the disk more than on the CPU.
  const queue = [...files];
  const writer = async (): Promise<void> => {
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      await writeFile(file.path, file.bytes);
      await writeFile(`${file.path}.md5`, file.md5);
    }
  };
  await Promise.all(Array.from({ length: 32 }, writer));
  return files.map((file) => [file.key, file.md5]);
}

/** s3rver's fixed development credentials; tests hand them to the SDK through the environment. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Puts s3rver's credentials where the SDK's standard chain finds them first. */
export function useS3rverCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

/** The client settings s3rver needs (the ones the S3 source sets itself). */
export function s3rverClient(endpoint: string): S3Client {
  return new Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function waitForPort(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 15 s: ${output()}`)), 15_000);
    const onData = (): void => {
      const match = /listening on [\d.]+:(\d+)/.exec(output());
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code}: ${output()}`));
    });
  });
}

export async function startS3Server(): Promise<S3TestServer> {
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const dir = await mkdtemp(join(tmpdir(), 'aetl-s3rver-'));
  // s3rver maps keys to paths: a key with `../` segments lands above its bucket folder. Two
  // spare levels keep even that inside our temp folder.
  const data = join(dir, 'spare', 'spare', 'data');
  await mkdir(data, { recursive: true });
  let output = '';
  const child = spawn(process.execPath, ['--openssl-legacy-provider', bin, '-d', data, '-a', '127.0.0.1', '-p', '0', '--silent'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  let port: number;
  try {
    port = await waitForPort(child, () => output);
  } catch (error) {
    kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  useS3rverCredentials();
  const admin = s3rverClient(endpoint);
  return {
    endpoint,
    admin,
    async bucket() {
      const name = `t-${randomUUID().slice(0, 12)}`;
      await admin.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async put(bucket, key, body) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: bytes.length }));
    },
    async seed(bucket, objects) {
      const written = await seedStore(data, bucket, objects);
      const [key, md5] = written[0] ?? [];
      if (key === undefined) return;
      const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => error as Error);
      if (!('ETag' in head) || head.ETag !== `"${md5}"`) {
        throw new Error(`seeded ${key} is not served as written (${head instanceof Error ? head.message : head.ETag}): has s3rver's store layout changed? See seedStore in test/helpers/s3-server.ts`);
      }
    },
    async remove(bucket, key) {
      await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async stop() {
      admin.destroy();
      process.removeListener('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the server for a test file, or says loudly why the file's S3 tests are skipped
 * (and throws under CI=true, so CI cannot pass without them).
 */
export async function startS3ServerOrSkip(): Promise<S3TestServer | undefined> {
  try {
    return await startS3Server();
  } catch (error) {
    const message = `s3rver could not start (${(error as Error).message}): the S3 source tests cannot run`;
    if (process.env.CI === 'true') throw new Error(message, { cause: error });
    process.stderr.write(`\n*** ${message} — they are SKIPPED ***\n\n`);
    return undefined;
  }
}
