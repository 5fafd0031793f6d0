/**
 * The local folder source, the embedded default: files under `root` are the objects, the
 * key is the path relative to the root with '/' separators, the version is size + mtime.
 */
import { constants } from 'node:fs';
import { lstat, open as openFile, realpath, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { AetlError } from '../util/errors.js';
import type { Source, SourceObject } from './source.js';
import { errorCode, localVersion, realRoot, toSourceObject, walkFiles } from './local-files.js';
import { isInside, keyToPath, outsideRoot } from './local-key.js';
import { watchFolder } from './local-watch.js';

export interface LocalSourceOptions {
  /** The folder to read; relative paths resolve against the process's working directory. */
  root: string;
  /** The source as configured, recorded in the ledger. Default: `root` as given. */
  uri?: string;
  /** How long a file's size and mtime must stay unchanged before watch() yields it. Default 300 ms. */
  settleMs?: number;
  /** How often watch() re-lists the folder to catch file events the OS dropped. Default 30 s. */
  pollIntervalMs?: number;
}

export const DEFAULT_SETTLE_MS = 300;
export const DEFAULT_POLL_INTERVAL_MS = 30_000;

// O_NOFOLLOW refuses a symlink as the last path component; Windows has no such flag.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

export function localSource(options: LocalSourceOptions): Source {
  const root = resolve(options.root);
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;

  return {
    uri: options.uri ?? options.root,

    async *list(): AsyncGenerator<SourceObject> {
      for await (const file of walkFiles(await realRoot(root))) yield toSourceObject(file.key, file.stats);
    },

    async open(object: SourceObject): Promise<Readable> {
      const base = await realRoot(root);
      const path = keyToPath(base, object.key);
      let handle: FileHandle | undefined;
      try {
        // lstat first: a symlink, folder or FIFO under a crafted key is refused before open()
        // (opening a FIFO would block). realpath catches a symlinked folder on the way.
        const linkStats = await lstat(path);
        if (!linkStats.isFile()) throw notFound(root, object.key, 'it is not a regular file');
        if (!isInside(base, await realpath(path))) throw outsideRoot(root, object.key, 'a folder on its way is a link out of the source root');
        handle = await openFile(path, OPEN_FLAGS);
        // The version is checked on the opened descriptor, so the bytes read are of the
        // inode we checked. A writer appending to that same inode while we read is the one
        // race left; the settle time of watch() and the version check keep it rare.
        const stats = await handle.stat();
        if (localVersion(stats) !== object.version) {
          throw new AetlError('source_read_failed', `${object.key} in ${root} changed since it was listed (version ${object.version}, now ${localVersion(stats)})`, {
            kind: 'transient',
            hint: 'List the source again and process the new version.',
          });
        }
        return handle.createReadStream();
      } catch (error) {
        await handle?.close();
        if (error instanceof AetlError) throw error;
        throw openFailed(root, object.key, error);
      }
    },

    watch(signal: AbortSignal): AsyncIterable<SourceObject> {
      return watchFolder({ root, settleMs, pollIntervalMs, signal });
    },
  };
}

function notFound(root: string, key: string, reason: string, cause?: unknown): AetlError {
  return new AetlError('not_found', `${JSON.stringify(key)} is not in source ${root}: ${reason}`, {
    hint: 'It was removed or renamed after it was listed; list the source again.',
    cause,
  });
}

function openFailed(root: string, key: string, error: unknown): AetlError {
  const code = errorCode(error);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return notFound(root, key, 'no such file', error);
    case 'ELOOP':
      return outsideRoot(root, key, 'it is a symbolic link');
    case 'ENAMETOOLONG':
      return outsideRoot(root, key, 'the path is too long for the file system');
    default:
      return new AetlError('source_read_failed', `cannot open ${JSON.stringify(key)} in source ${root}: ${(error as Error).message}`, {
        kind: code === 'EMFILE' || code === 'ENFILE' || code === 'EBUSY' ? 'transient' : 'terminal',
        hint: code === 'EACCES' || code === 'EPERM' ? 'Give the agentic-etl user read access to the file.' : 'Check that the file is readable.',
        cause: error,
      });
  }
}
