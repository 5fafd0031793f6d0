/**
 * A read pinned to the listed version: every GET carries `If-Match: <listed ETag>`, every
 * response must carry that ETag, a connection lost mid-body resumes with a Range GET from
 * the byte reached (still If-Match), and at the end the byte count — and, where the ETag is
 * an MD5 of the content, the MD5 — must match. So a reader never completes with bytes of
 * two versions: on AWS the first check already holds; the rest catches stores that ignore
 * If-Match or replace objects in place (s3rver does both).
 */
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AetlError } from '../util/errors.js';
import type { S3Sdk } from './s3-client.js';
import { classifyS3Error, httpStatusOf, s3Error } from './s3-errors.js';
import { backoff, type RetryPolicy } from './s3-retry.js';

export interface PinnedRead {
  sdk: S3Sdk;
  client: S3Client;
  /** The source as configured, for messages. */
  uri: string;
  bucket: string;
  /** The full object key (prefix included). */
  key: string;
  /** The listed ETag, without quotes. */
  etag: string;
  size: number;
  retry: RetryPolicy;
  /** Check the MD5 of the bytes against an MD5-shaped ETag. */
  verifyMd5: boolean;
}

const MD5_ETAG = /^[0-9a-f]{32}$/i;
const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

export function stripQuotes(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** Opens the object; rejects at once when it changed, vanished or is forbidden. */
export async function openPinned(read: PinnedRead): Promise<Readable> {
  let failures = 0;
  const where = `s3://${read.bucket}/${read.key}`;

  const changed = (detail: string): AetlError =>
    new AetlError('source_read_failed', `${where} of source ${read.uri} changed since it was listed (${detail})`, {
      kind: 'transient',
      hint: 'List the source again and process the new version.',
    });

  /** Counts a failure; rethrows it as final, or waits out the backoff. */
  const failed = async (error: unknown): Promise<void> => {
    failures += 1;
    if (error instanceof AetlError || classifyS3Error(error) !== 'retry' || failures >= read.retry.attempts) {
      throw s3Error(error, { uri: read.uri, bucket: read.bucket, key: read.key, action: 'reading', attempts: failures });
    }
    await backoff(failures, read.retry);
  };

  /** A GET from `offset` whose response is checked against the pin; `skip` bytes to drop (a server that ignored Range). */
  const fetchFrom = async (offset: number): Promise<{ body: Readable; skip: number; response: GetObjectCommandOutput }> => {
    for (;;) {
      try {
        const response = await read.client.send(new read.sdk.GetObjectCommand({
          Bucket: read.bucket,
          Key: read.key,
          IfMatch: `"${read.etag}"`,
          ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
        }));
        const body = response.Body;
        if (!(body instanceof Readable)) throw new AetlError('internal', `the AWS SDK returned no Node.js stream for ${where}`);
        const skip = checkResponse(response, offset);
        if (typeof skip === 'string') {
          body.destroy();
          throw changed(skip);
        }
        return { body, skip, response };
      } catch (error) {
        // A resume beyond the end: the object is shorter now than the bytes we already have.
        if (offset > 0 && (httpStatusOf(error) === 416 || (error as Error).name === 'InvalidRange')) throw changed(`it ends before byte ${offset}`);
        await failed(error);
      }
    }
  };

  /** The bytes to skip, or why the response is not the pinned version. */
  const checkResponse = (response: GetObjectCommandOutput, offset: number): number | string => {
    const etag = response.ETag === undefined ? undefined : stripQuotes(response.ETag);
    if (etag !== read.etag) return `listed ETag ${read.etag}, now ${etag ?? 'none'}`;
    if (offset === 0) {
      return response.ContentLength === undefined || response.ContentLength === read.size ? 0 : `listed ${read.size} bytes, now ${response.ContentLength}`;
    }
    if (response.ContentRange === undefined) return offset; // 200 with the whole object.
    const range = CONTENT_RANGE.exec(response.ContentRange);
    if (range === null || Number(range[1]) !== offset || (range[3] !== '*' && Number(range[3]) !== read.size)) {
      return `resuming at byte ${offset} got range ${response.ContentRange} of a ${read.size}-byte object`;
    }
    return 0;
  };

  const first = await fetchFrom(0);
  const encryption = first.response.ServerSideEncryption;
  // SSE-KMS and SSE-C objects (and multipart uploads, whose ETag has a '-') have ETags that are not the MD5 of their bytes.
  const md5 = read.verifyMd5 && MD5_ETAG.test(read.etag) && !String(encryption ?? '').startsWith('aws:kms') && first.response.SSECustomerAlgorithm === undefined
    ? createHash('md5')
    : undefined;

  async function* bytes(): AsyncGenerator<Buffer> {
    let current: { body: Readable; skip: number } = first;
    let offset = 0;
    try {
      for (;;) {
        try {
          for await (const chunk of current.body as AsyncIterable<Buffer>) {
            let data = chunk;
            if (current.skip > 0) {
              const dropped = Math.min(current.skip, data.length);
              current.skip -= dropped;
              data = data.subarray(dropped);
              if (data.length === 0) continue;
            }
            offset += data.length;
            if (offset > read.size) throw changed(`more than the listed ${read.size} bytes`);
            md5?.update(data);
            yield data;
          }
          if (offset === read.size) break;
          // A clean end short of the size: the connection was closed early.
          throw Object.assign(new Error(`the response ended at byte ${offset} of ${read.size}`), { name: 'PrematureClose' });
        } catch (error) {
          current.body.destroy();
          await failed(error);
          if (offset === read.size) break; // Every byte arrived; only the close failed.
          current = await fetchFrom(offset);
        }
      }
      if (md5 !== undefined) {
        const digest = md5.digest('hex');
        if (digest !== read.etag.toLowerCase()) {
          throw new AetlError('source_read_failed', `${where} of source ${read.uri} changed while it was read: its bytes have MD5 ${digest}, the listed ETag is ${read.etag}`, {
            kind: 'transient',
            hint: 'It is read again on the next run. If this store\'s ETags are not MD5 digests of the content (some S3-compatible stores with encryption), set `s3.verify_md5: false` in agentic-etl.yaml.',
          });
        }
      }
    } finally {
      current.body.destroy();
    }
  }

  return Readable.from(bytes(), { objectMode: false });
}
