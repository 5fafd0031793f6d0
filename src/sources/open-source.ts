/**
 * Picks the source for a configured `source:` value: a path (relative to the config
 * file's folder) or a `file://` URL is a local folder; `s3://bucket/prefix` is S3, reached
 * with the config's `s3:` settings (the SDK itself loads only when the source is first used).
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AetlError } from '../util/errors.js';
import type { Source } from './source.js';
import type { S3Settings } from '../config/s3-schema.js';
import { localSource } from './local.js';
import { s3Source } from './s3.js';
import { parseS3Uri } from './s3-location.js';

export interface OpenSourceOptions {
  /** Local sources: how long a file must stay unchanged before watch() yields it (ms). */
  settleMs?: number;
  /** Local sources: how often watch() re-lists as a backstop for missed events (ms). */
  pollIntervalMs?: number;
  /** S3 sources: the config's `s3:` section. */
  s3?: S3Settings;
}

// A URL scheme followed by '//'; a Windows drive path (`C:\x`, `C:/x`) never matches.
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function openSource(uri: string, baseDir: string, options: OpenSourceOptions = {}): Source {
  const trimmed = uri.trim();
  if (trimmed === '') {
    throw new AetlError('config_invalid', 'the source is empty', {
      hint: 'Set `source:` in agentic-etl.yaml to a folder (e.g. ./landing) or s3://bucket/prefix.',
    });
  }
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') {
    const path = scheme === 'file' ? fileURLToPath(trimmed) : trimmed;
    return localSource({ root: isAbsolute(path) ? path : resolve(baseDir, path), uri: trimmed, settleMs: options.settleMs, pollIntervalMs: options.pollIntervalMs });
  }
  if (scheme === 's3') {
    const { bucket, prefix } = parseS3Uri(trimmed);
    const settings = options.s3 ?? {};
    return s3Source({
      bucket,
      prefix,
      uri: trimmed,
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.force_path_style,
      pollIntervalMs: settings.poll_interval_ms,
      relistIntervalMs: settings.relist_interval_ms,
      verifyMd5: settings.verify_md5,
    });
  }
  throw new AetlError('config_invalid', `unknown source scheme "${scheme}:" in ${trimmed}`, {
    hint: 'Set `source:` in agentic-etl.yaml to a folder path, a file:// URL, or s3://bucket/prefix.',
  });
}
