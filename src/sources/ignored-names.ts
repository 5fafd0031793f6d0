/**
 * Which names in a landing zone are not data: hidden files and folders, and the partial
 * or temporary files that writers, editors and browsers leave while a file is on its way.
 * Shared by every source, so a key is skipped the same way on a disk and in a bucket.
 */

// Compiled once: this runs for every directory entry and every file event.
const TEMPORARY_SUFFIX = /(?:~|\.(?:tmp|part|partial|crdownload|swp|download))$/i;

/** True when one path segment (a file or folder name) is hidden or temporary. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$') || TEMPORARY_SUFFIX.test(name);
}

/** True when any '/'-separated segment of `key` is hidden or temporary. */
export function isIgnoredKey(key: string): boolean {
  for (const segment of key.split('/')) {
    if (isIgnoredName(segment)) return true;
  }
  return false;
}
