/**
 * Chaos output to `s3://bucket/prefix`: a file is one PutObject when it is complete (an
 * object appears whole, so no temp name is needed), and the manifest — S3 cannot append —
 * is put whole again before each file, at `<prefix>.chaos/manifest.ndjson`, hidden from
 * sources by the same rule as the local `.chaos` folder. Files are held in memory until
 * they are put, which suits the chaos monkey's test-sized files.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createS3Client, loadS3Sdk, type S3ConnectionOptions, type S3Sdk } from '../sources/s3-client.js';
import { classifyS3Error, s3Error } from '../sources/s3-errors.js';
import { parseS3Uri, type S3Location } from '../sources/s3-location.js';
import { DEFAULT_RETRY, withRetries } from '../sources/s3-retry.js';
import { AetlError } from '../util/errors.js';
import { earlierRun } from './output-local.js';
import type { ChaosFileWriter, ChaosOutput } from './output.js';

const CHAOS_FOLDER = '.chaos/';

interface Bucket {
  sdk: S3Sdk;
  client: S3Client;
  location: S3Location;
  uri: string;
}

async function connect(out: string, options: S3ConnectionOptions): Promise<Bucket> {
  const location = parseS3Uri(out);
  return { sdk: await loadS3Sdk(), client: await createS3Client(options), location, uri: out.trim() };
}

async function put(bucket: Bucket, key: string, text: string): Promise<void> {
  const { sdk, client, location, uri } = bucket;
  const body = Buffer.from(text);
  await withRetries(
    DEFAULT_RETRY,
    () => client.send(new sdk.PutObjectCommand({ Bucket: location.bucket, Key: key, Body: body, ContentLength: body.length })),
    (error, attempts) => s3Error(error, { uri, bucket: location.bucket, key, action: 'writing', attempts }),
  );
}

/** Keys under `prefix`: with a delimiter, only the top level (folders end in '/'). */
async function listKeys(bucket: Bucket, prefix: string, delimiter: string | undefined): Promise<string[]> {
  const { sdk, client, location, uri } = bucket;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await withRetries(
      DEFAULT_RETRY,
      () => client.send(new sdk.ListObjectsV2Command({ Bucket: location.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token })),
      (error, attempts) => s3Error(error, { uri, bucket: location.bucket, action: 'listing', attempts }),
    );
    for (const entry of page.Contents ?? []) if (entry.Key !== undefined) keys.push(entry.Key);
    for (const folder of page.CommonPrefixes ?? []) if (folder.Prefix !== undefined) keys.push(folder.Prefix);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

export async function s3ChaosOutput(out: string, options: S3ConnectionOptions): Promise<ChaosOutput> {
  const bucket = await connect(out, options);
  const { prefix } = bucket.location;
  const manifest: string[] = [];
  let manifestDirty = true;

  const flushManifest = async (): Promise<void> => {
    if (!manifestDirty) return;
    await put(bucket, `${prefix}${CHAOS_FOLDER}manifest.ndjson`, manifest.join(''));
    manifestDirty = false;
  };

  return {
    location: bucket.uri,

    async prepare(isOurs, overwrite) {
      const top = await listKeys(bucket, prefix, '/');
      const earlier = top.map((key) => key.slice(prefix.length)).filter((name) => name === CHAOS_FOLDER || isOurs(name));
      if (earlier.length === 0) return;
      if (!overwrite) throw earlierRun(bucket.uri, earlier.length, earlier[0] as string);
      const doomed = earlier.filter((name) => name !== CHAOS_FOLDER).map((name) => prefix + name);
      if (earlier.includes(CHAOS_FOLDER)) doomed.push(...(await listKeys(bucket, prefix + CHAOS_FOLDER, undefined)));
      const { sdk, client, location, uri } = bucket;
      for (const key of doomed) {
        await withRetries(
          DEFAULT_RETRY,
          () => client.send(new sdk.DeleteObjectCommand({ Bucket: location.bucket, Key: key })),
          (error, attempts) => s3Error(error, { uri, bucket: location.bucket, key, action: 'deleting', attempts }),
        );
      }
    },

    async openFile(name): Promise<ChaosFileWriter> {
      let parts: string[] = [];
      return {
        write: async (text) => {
          parts.push(text);
        },
        async commit() {
          await flushManifest();
          await put(bucket, prefix + name, parts.join(''));
          parts = [];
        },
        async abort() {
          parts = [];
        },
      };
    },

    async appendManifest(text) {
      manifest.push(text);
      manifestDirty = true;
    },

    async finish(summary) {
      await flushManifest();
      await put(bucket, `${prefix}${CHAOS_FOLDER}summary.json`, summary);
    },

    async close() {
      bucket.client.destroy();
    },
  };
}

/** The lines of the manifest a chaos run wrote to `out` (s3://bucket/prefix). */
export async function* s3ManifestLines(out: string, options: S3ConnectionOptions = {}): AsyncGenerator<string> {
  const bucket = await connect(out, options);
  const { sdk, client, location, uri } = bucket;
  const key = `${location.prefix}${CHAOS_FOLDER}manifest.ndjson`;
  try {
    const response = await withRetries(
      DEFAULT_RETRY,
      () => client.send(new sdk.GetObjectCommand({ Bucket: location.bucket, Key: key })),
      (error, attempts) => {
        if (classifyS3Error(error) === 'not_found') {
          return new AetlError('not_found', `No chaos manifest at s3://${location.bucket}/${key}.`, {
            hint: `Run 'agentic-etl chaos --out ${uri}' first, or point at the location it wrote.`,
            cause: error,
          });
        }
        return s3Error(error, { uri, bucket: location.bucket, key, action: 'reading', attempts });
      },
    );
    yield* createInterface({ input: response.Body as Readable, crlfDelay: Infinity });
  } finally {
    client.destroy();
  }
}
