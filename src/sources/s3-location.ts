/**
 * Where an S3 source reads: `s3://bucket/prefix` parsed into a bucket and a folder-like
 * prefix, and the checks that keep a key (which is data) inside that prefix. A key never
 * builds a local path; what it must not do is name an object outside the prefix, which a
 * path-normalizing hop (a proxy, or a store that maps keys to files) would make of `..`.
 */
import { AetlError } from '../util/errors.js';

export interface S3Location {
  bucket: string;
  /** The key prefix with a trailing '/', or '' for the whole bucket. */
  prefix: string;
}

/** S3's limit on a whole key, in UTF-8 bytes. */
export const MAX_S3_KEY_BYTES = 1024;

// Lenient on purpose: old us-east-1 buckets may hold capitals and underscores.
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;
const S3_SCHEME = /^s3:\/\//i;

/** Parses `s3://bucket`, `s3://bucket/`, `s3://bucket/a/b` (prefix `a/b/`). */
export function parseS3Uri(uri: string): S3Location {
  const trimmed = uri.trim();
  if (!S3_SCHEME.test(trimmed)) throw badUri(uri, 'it does not start with s3://');
  const rest = trimmed.replace(S3_SCHEME, '');
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);
  if (bucket === '') throw badUri(uri, 'the bucket name is missing');
  if (!BUCKET_NAME.test(bucket)) throw badUri(uri, `"${bucket}" is not a valid bucket name (3–255 letters, digits, '.', '-', '_')`);
  // A prefix names a folder, like the local source's root: `logs` means `logs/`.
  const prefix = path === '' || path.endsWith('/') ? path : `${path}/`;
  if (prefix.startsWith('/')) throw badUri(uri, 'the prefix starts with "/" (write s3://bucket/prefix, with one slash)');
  const reason = unsafeKeyReason(prefix.slice(0, -1), Buffer.byteLength(prefix));
  if (prefix !== '' && reason !== undefined) throw badUri(uri, `the prefix is not usable: ${reason}`);
  return { bucket, prefix };
}

/** The `s3://` form of a location, as the ledger records it when no uri is given. */
export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.prefix}`;
}

/**
 * Why `key` (relative to the prefix) may not be opened, or undefined when it may. The
 * checks mirror the local source where they matter: empty, NUL, absurd length, and `.`/`..`
 * segments (on AWS those are literal, but a normalizing hop would read outside the prefix).
 */
export function unsafeKeyReason(key: string, fullKeyBytes: number): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'it is empty';
  if (key.includes('\0')) return 'it contains a NUL byte';
  if (fullKeyBytes > MAX_S3_KEY_BYTES) return `it is longer than S3's ${MAX_S3_KEY_BYTES}-byte key limit`;
  if (key.endsWith('/')) return 'it names a folder placeholder, not an object';
  for (const segment of key.split(/[/\\]/)) {
    if (segment === '.' || segment === '..') return `it has a "${segment}" path segment`;
  }
  return undefined;
}

/** The full object key for `key`, or a terminal error naming the source and the reason. */
export function fullKey(location: S3Location, uri: string, key: string): string {
  const full = location.prefix + key;
  const reason = unsafeKeyReason(key, Buffer.byteLength(full));
  if (reason !== undefined) {
    const shown = JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key);
    throw new AetlError('source_read_failed', `refusing key ${shown} of source ${uri}: ${reason}`, {
      hint: 'Object keys are relative to the source prefix, as list() returns them; rename the object in the bucket if it really has such a name.',
    });
  }
  return full;
}

function badUri(uri: string, reason: string): AetlError {
  return new AetlError('config_invalid', `source ${JSON.stringify(uri.trim())} is not a usable S3 location: ${reason}`, {
    hint: 'Set `source:` in agentic-etl.yaml to s3://bucket or s3://bucket/prefix.',
  });
}
