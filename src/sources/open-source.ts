/**
 * Picks the source for a configured `source:` value: a path (relative to the config
 * file's folder) or a `file://` URL is a local folder; `s3://bucket/prefix` will be S3.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AetlError } from '../util/errors.js';
import type { Source } from './source.js';
import { localSource } from './local.js';

export interface OpenSourceOptions {
  /** Local sources: how long a file must stay unchanged before watch() yields it (ms). */
  settleMs?: number;
  /** Local sources: how often watch() re-lists as a backstop for missed events (ms). */
  pollIntervalMs?: number;
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
    return localSource({ root: isAbsolute(path) ? path : resolve(baseDir, path), uri: trimmed, ...options });
  }
  if (scheme === 's3') {
    throw new AetlError('config_invalid', `S3 sources arrive with issue 4; ${trimmed} cannot be read yet`, {
      hint: 'Use a local folder for `source:` in agentic-etl.yaml for now (e.g. ./landing), or sync the bucket to one.',
    });
  }
  throw new AetlError('config_invalid', `unknown source scheme "${scheme}:" in ${trimmed}`, {
    hint: 'Set `source:` in agentic-etl.yaml to a folder path, a file:// URL, or s3://bucket/prefix.',
  });
}
