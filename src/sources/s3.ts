/**
 * The S3 source: objects under `s3://bucket/prefix` (AWS or any S3-compatible store). The
 * key is the object key relative to the prefix, the version is the ETag. The AWS SDK is
 * loaded on first use, so configuring a local folder never loads it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { AetlError } from '../util/errors.js';
import type { Source, SourceObject } from './source.js';
import { isIgnoredKey } from './ignored-names.js';
import { createS3Client, loadS3Sdk, type S3ConnectionOptions, type S3Sdk } from './s3-client.js';
import { s3Error } from './s3-errors.js';
import { formatS3Uri, fullKey, type S3Location } from './s3-location.js';
import { openPinned, stripQuotes } from './s3-read.js';
import { resolveRetry, withRetries, type RetryPolicy } from './s3-retry.js';
import { pollObjects } from './s3-watch.js';

export interface S3SourceOptions extends S3ConnectionOptions {
  bucket: string;
  /** The key prefix; '' or a folder-like prefix ending in '/' (one is added when missing). */
  prefix: string;
  /** The source as configured, recorded in the ledger. Default `s3://bucket/prefix`. */
  uri?: string;
  /** How often watch() looks for keys after the last one seen (ms). Default 5 s. */
  pollIntervalMs?: number;
  /** How often watch() lists the whole prefix, for overwrites and keys landing out of order (ms). Default 60 s. */
  relistIntervalMs?: number;
  /** Retries of list and read requests. Default 5 attempts, 200 ms base, 5 s cap. */
  retry?: Partial<RetryPolicy>;
  /** Check the MD5 of each read against an MD5-shaped ETag (never for multipart or SSE-KMS/SSE-C objects). Default true. */
  verifyMd5?: boolean;
  /** A ready client (tests); its own retry settings then add to ours. Default: built from the options above. */
  client?: S3Client;
}

export const DEFAULT_S3_POLL_INTERVAL_MS = 5_000;
export const DEFAULT_S3_RELIST_INTERVAL_MS = 60_000;
// ListObjectsV2's maximum page.
const PAGE_SIZE = 1000;

interface Connected {
  sdk: S3Sdk;
  client: S3Client;
}

export function s3Source(options: S3SourceOptions): Source {
  const prefix = options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
  const location: S3Location = { bucket: options.bucket, prefix };
  const uri = options.uri ?? formatS3Uri(location);
  const retry = resolveRetry(options.retry);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_S3_POLL_INTERVAL_MS;
  const relistIntervalMs = options.relistIntervalMs ?? DEFAULT_S3_RELIST_INTERVAL_MS;
  let connecting: Promise<Connected> | undefined;

  const connect = (): Promise<Connected> => {
    connecting ??= (async () => {
      const sdk = await loadS3Sdk();
      return { sdk, client: options.client ?? (await createS3Client(options)) };
    })();
    connecting.catch(() => {
      connecting = undefined;
    });
    return connecting;
  };

  /** Every object after `startAfter` (a relative key), in the store's listing order. */
  async function* listFrom(startAfter: string | undefined, signal?: AbortSignal): AsyncGenerator<SourceObject> {
    const { sdk, client } = await connect();
    let token: string | undefined;
    do {
      const page = await withRetries(
        retry,
        () => client.send(new sdk.ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: location.prefix === '' ? undefined : location.prefix,
          ContinuationToken: token,
          StartAfter: token === undefined && startAfter !== undefined ? location.prefix + startAfter : undefined,
          MaxKeys: PAGE_SIZE,
        }), signal === undefined ? undefined : { abortSignal: signal }),
        (error, attempts) => s3Error(error, { uri, bucket: location.bucket, action: 'listing', attempts }),
        signal,
      );
      for (const entry of page.Contents ?? []) {
        const object = toSourceObject(location.prefix, entry);
        if (object !== undefined) yield object;
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      if (page.IsTruncated === true && token === undefined) {
        throw new AetlError('source_read_failed', `listing ${uri} stopped: the store said there is more but gave no continuation token`, {
          kind: 'transient',
          hint: 'The S3-compatible store misbehaves; check its version.',
        });
      }
    } while (token !== undefined);
  }

  return {
    uri,

    async *list(): AsyncGenerator<SourceObject> {
      // S3 lists by the keys' UTF-8 bytes, S3-compatible stores not always in order at all
      // (s3rver walks its folders); sorted here, the order is the local source's exactly.
      const objects: SourceObject[] = [];
      for await (const object of listFrom(undefined)) objects.push(object);
      objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      yield* objects;
    },

    async open(object: SourceObject): Promise<Readable> {
      const key = fullKey(location, uri, object.key);
      const { sdk, client } = await connect();
      return openPinned({
        sdk,
        client,
        uri,
        bucket: location.bucket,
        key,
        etag: object.version,
        size: object.size,
        retry,
        verifyMd5: options.verifyMd5 ?? true,
      });
    },

    watch(signal: AbortSignal): AsyncIterable<SourceObject> {
      return pollObjects({ list: listFrom, pollIntervalMs, relistIntervalMs, signal });
    },
  };
}

interface ListedEntry {
  Key?: string | undefined;
  ETag?: string | undefined;
  Size?: number | undefined;
  LastModified?: Date | undefined;
}

/** The source object for a listed entry, or undefined for placeholders and hidden or temporary names. */
function toSourceObject(prefix: string, entry: ListedEntry): SourceObject | undefined {
  if (entry.Key === undefined || !entry.Key.startsWith(prefix)) return undefined;
  const key = entry.Key.slice(prefix.length);
  // A key ending in '/' is the "folder" a console makes; it holds no data.
  if (key === '' || key.endsWith('/') || isIgnoredKey(key)) return undefined;
  return {
    key,
    version: stripQuotes(entry.ETag ?? ''),
    size: entry.Size ?? 0,
    modifiedAt: entry.LastModified ?? new Date(0),
  };
}
