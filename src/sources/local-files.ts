/**
 * File-system helpers of the local source: the root's real path, the walk that list()
 * and watch() share, and the object identity (key + size/mtime version) of a file.
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { AetlError } from '../util/errors.js';
import type { SourceObject } from './source.js';
import { isIgnoredName } from './ignored-names.js';

/** A regular file found under the root, with the stats its version came from. */
export interface LocalFile {
  key: string;
  stats: Stats;
}

const FIX_ROOT_HINT = 'Create the folder, or fix `source:` in agentic-etl.yaml.';
// Bounded so a folder with 100,000 files does not queue 100,000 stats at once.
const STAT_CONCURRENCY = 64;

/** size + whole milliseconds of mtime: a rewrite changes at least one of them. */
export function localVersion(stats: Stats): string {
  return `${stats.size}-${Math.trunc(stats.mtimeMs)}`;
}

export function toSourceObject(key: string, stats: Stats): SourceObject {
  return { key, version: localVersion(stats), size: stats.size, modifiedAt: stats.mtime };
}

/**
 * The root's real path (the configured root is trusted, so a symlinked root is followed),
 * or a `source_not_found` error that names it.
 */
export async function realRoot(root: string): Promise<string> {
  try {
    const real = await realpath(root);
    if (!(await stat(real)).isDirectory()) {
      throw new AetlError('source_not_found', `source ${root} is not a folder`, { hint: FIX_ROOT_HINT });
    }
    return real;
  } catch (error) {
    if (error instanceof AetlError) throw error;
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') {
      throw new AetlError('source_not_found', `source folder ${root} does not exist`, { hint: FIX_ROOT_HINT, cause: error });
    }
    throw readFailed(root, error);
  }
}

/**
 * Every regular file under `root` (a real path), in key order. Hidden and temporary names
 * are skipped, and so is every symlink: not following them is the simplest way to be sure
 * a listed key never reaches outside the root (a link inside the root is skipped too).
 */
export async function* walkFiles(root: string): AsyncGenerator<LocalFile> {
  yield* walkFolder(root, '');
}

async function* walkFolder(folder: string, prefix: string): AsyncGenerator<LocalFile> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    // A sub-folder removed while we walk is no longer part of the listing.
    if (prefix !== '' && errorCode(error) === 'ENOENT') return;
    throw readFailed(folder, error);
  }
  // Sorting a folder's names with '/' appended to sub-folders gives global key order:
  // every key under `a/` compares with a sibling `a-b` exactly as `a/` does.
  const kept = entries
    .filter((entry) => (entry.isFile() || entry.isDirectory()) && !isIgnoredName(entry.name))
    .map((entry) => ({ name: entry.name, folder: entry.isDirectory(), sortKey: entry.isDirectory() ? `${entry.name}/` : entry.name }))
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));

  const fileStats = await statFiles(folder, kept.filter((entry) => !entry.folder).map((entry) => entry.name));
  for (const entry of kept) {
    const key = prefix + entry.name;
    if (entry.folder) {
      yield* walkFolder(join(folder, entry.name), `${key}/`);
      continue;
    }
    const stats = fileStats.get(entry.name);
    if (stats !== undefined) yield { key, stats };
  }
}

/** lstat of each name; names that vanished or stopped being regular files are left out. */
async function statFiles(folder: string, names: string[]): Promise<Map<string, Stats>> {
  const found = new Map<string, Stats>();
  for (let start = 0; start < names.length; start += STAT_CONCURRENCY) {
    const chunk = names.slice(start, start + STAT_CONCURRENCY);
    const results = await Promise.all(
      chunk.map(async (name) => {
        try {
          return await lstat(join(folder, name));
        } catch (error) {
          if (errorCode(error) === 'ENOENT') return undefined;
          throw readFailed(join(folder, name), error);
        }
      }),
    );
    results.forEach((stats, index) => {
      if (stats?.isFile() === true) found.set(chunk[index] as string, stats);
    });
  }
  return found;
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function readFailed(path: string, error: unknown): AetlError {
  const code = errorCode(error);
  const transient = code === 'EMFILE' || code === 'ENFILE' || code === 'EBUSY' || code === 'EAGAIN';
  return new AetlError('source_read_failed', `cannot read ${path}: ${(error as Error).message}`, {
    kind: transient ? 'transient' : 'terminal',
    hint: code === 'EACCES' || code === 'EPERM' ? 'Give the agentic-etl user read access to the source folder.' : 'Check that the source folder is readable.',
    cause: error,
  });
}
