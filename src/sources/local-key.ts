/**
 * Turns an object key into a path under the root, or refuses. A key is data (it may come
 * from a ledger row or a crafted request), so it is taken literally: no percent-decoding,
 * no `..`, no absolute paths, no NUL bytes, and the result must stay inside the root.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import { AetlError } from '../util/errors.js';

/** `root` must be an absolute real path; returns the absolute path the key names. */
export function keyToPath(root: string, key: string): string {
  const reason = unsafeReason(key);
  if (reason === undefined) {
    const target = resolve(root, ...key.split('/'));
    // The segment checks already exclude escapes; this is the last line, kept on purpose.
    if (target.startsWith(root + sep)) return target;
  }
  throw outsideRoot(root, key, reason ?? 'it resolves outside the source root');
}

/** True when `target` (a real path) is `root` itself or lies under it. */
export function isInside(root: string, target: string): boolean {
  return target === root || target.startsWith(root + sep);
}

export function outsideRoot(root: string, key: string, reason: string): AetlError {
  // JSON.stringify shows NUL and control characters instead of printing them raw.
  const shown = JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key);
  return new AetlError('source_read_failed', `refusing key ${shown} of source ${root}: ${reason}`, {
    hint: 'Object keys are paths relative to the source root, as list() returns them; this one was not.',
  });
}

function unsafeReason(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'it is empty';
  if (key.includes('\0')) return 'it contains a NUL byte';
  if (isAbsolute(key) || key.startsWith('/')) return 'it is an absolute path';
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return `it has a "${segment}" path segment`;
    // On Windows '\' separates and ':' names a drive or a stream; on POSIX both are plain characters.
    if (sep === '\\' && (segment.includes('\\') || segment.includes(':'))) return 'it contains "\\" or ":"';
  }
  return undefined;
}
