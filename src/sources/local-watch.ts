/**
 * watch() of the local source: chokidar events, filtered like list(), held back until the
 * file has settled, deduplicated by version, with a periodic re-list as a backstop for
 * events the OS dropped (inotify overflow, network mounts, a folder moved in whole).
 */
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { AetlError } from '../util/errors.js';
import type { SourceObject } from './source.js';
import { isIgnoredKey } from './ignored-names.js';
import { localVersion, realRoot, toSourceObject, walkFiles } from './local-files.js';
import { objectFeed } from './object-feed.js';

export interface LocalWatchOptions {
  /** The root as configured; resolved to its real path when watching starts. */
  root: string;
  settleMs: number;
  pollIntervalMs: number;
  signal: AbortSignal;
}

/**
 * A file whose last change (mtime or ctime, whichever is later) is older than this when
 * watch() starts counts as present at start and is left to list(). Anything newer is
 * yielded, so a file landing between the caller's list() and watch() is not lost; the
 * ledger turns the rare double into a no-op. ctime counts because a rename into place
 * keeps the old mtime but sets a new ctime.
 */
const START_SLACK_MS = 1000;

/**
 * Starts watching at once (not on the first next()), so a caller that calls watch()
 * before list() leaves no gap between the two; objects found meanwhile wait in a queue.
 */
export function watchFolder(options: LocalWatchOptions): AsyncIterable<SourceObject> {
  const { root, settleMs, pollIntervalMs, signal } = options;
  const startedAt = Date.now();
  /** Version last yielded (or present at start) per key: the dedup memory. */
  const seen = new Map<string, string>();
  /** Version first observed and when, per unsettled key: for files whose mtime lies. */
  const observed = new Map<string, { version: string; since: number }>();
  /** Settled objects waiting for next(), one per key, oldest first. */
  const feed = objectFeed();
  const timers = new Map<string, NodeJS.Timeout>();
  /** Keys with events before the start-up listing finished; considered right after it. */
  const early = new Set<string>();
  let base: string | undefined;
  let watcher: FSWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  let started = false;
  let polling = false;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      signal.removeEventListener('abort', onAbort);
      clearInterval(poller);
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await watcher?.close();
    })();
    feed.stop();
    return stopping;
  };
  const onAbort = (): void => void stop();

  const fail = (error: unknown): void => feed.fail(watchFailed(root, error));

  /** The key of an absolute path under the root, or undefined when it is not data. */
  const keyOf = (path: string): string | undefined => {
    if (base === undefined) return undefined;
    const rel = relative(base, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    const key = sep === '/' ? rel : rel.split(sep).join('/');
    return isIgnoredKey(key) ? undefined : key;
  };

  const schedule = (key: string, delayMs: number): void => {
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      void consider(key);
    }, Math.max(1, Math.ceil(delayMs))));
  };

  /** Yields the key's file once it has settled and its version is new. */
  async function consider(key: string): Promise<void> {
    if (stopping !== undefined || timers.has(key) || base === undefined) return;
    let stats;
    try {
      stats = await lstat(join(base, key));
    } catch {
      return; // Gone again; its unlink event clears what we remember of it.
    }
    if (stopping !== undefined || timers.has(key) || !stats.isFile()) return;
    const object = toSourceObject(key, stats);
    if (seen.get(key) === object.version) return;

    // Settled: mtime at least settleMs old, or (for a clock-skewed future mtime) the same
    // version observed for settleMs. chokidar's awaitWriteFinish has usually waited already.
    const now = Date.now();
    const first = observed.get(key);
    const stableFor = first?.version === object.version ? now - first.since : 0;
    if (first?.version !== object.version) observed.set(key, { version: object.version, since: now });
    const settledFor = Math.max(stableFor, now - stats.mtimeMs);
    if (settledFor < settleMs) {
      schedule(key, settleMs - settledFor);
      return;
    }
    observed.delete(key);
    seen.set(key, object.version);
    feed.offer(object);
  }

  const onEvent = (path: string): void => {
    const key = keyOf(path);
    if (key === undefined) return;
    if (started) void consider(key);
    else early.add(key);
  };

  const onUnlink = (path: string): void => {
    const key = keyOf(path);
    if (key === undefined) return;
    // Forget it, so the same bytes landing again count as a new arrival.
    seen.delete(key);
    observed.delete(key);
  };

  async function backstop(): Promise<void> {
    if (polling || stopping !== undefined || base === undefined) return;
    polling = true;
    try {
      for await (const file of walkFiles(base)) {
        if (stopping !== undefined) return;
        if (seen.get(file.key) !== localVersion(file.stats)) void consider(file.key);
      }
    } catch (error) {
      fail(error);
    } finally {
      polling = false;
    }
  }

  async function setup(): Promise<void> {
    const real = await realRoot(root);
    if (stopping !== undefined) return;
    base = real;
    const created = chokidarWatch(real, {
      ignoreInitial: true,
      // A symlink is never data here (list() skips them too), and following one could
      // lead outside the root.
      followSymlinks: false,
      awaitWriteFinish: { stabilityThreshold: settleMs, pollInterval: Math.max(10, Math.min(100, Math.floor(settleMs / 3))) },
      ignored: (path: string) => path !== real && keyOf(path) === undefined,
    });
    watcher = created;
    created.on('add', onEvent);
    created.on('change', onEvent);
    created.on('unlink', onUnlink);
    created.on('error', fail);
    await new Promise<void>((resolve) => created.once('ready', resolve));
    if (stopping !== undefined) return;

    // chokidar is live now; what it skipped as initial is either present at start or
    // recent enough to consider here.
    for await (const file of walkFiles(real)) {
      const changedAt = Math.max(file.stats.mtimeMs, file.stats.ctimeMs);
      if (changedAt >= startedAt - START_SLACK_MS) void consider(file.key);
      else if (!seen.has(file.key)) seen.set(file.key, localVersion(file.stats));
    }
    if (stopping !== undefined) return;
    started = true;
    for (const key of early) void consider(key);
    early.clear();
    poller = setInterval(() => void backstop(), pollIntervalMs);
  }

  if (signal.aborted) void stop();
  else {
    signal.addEventListener('abort', onAbort, { once: true });
    setup().catch(fail);
  }

  return feed.iterable(stop);
}

function watchFailed(root: string, error: unknown): AetlError {
  if (error instanceof AetlError) return error;
  return new AetlError('source_read_failed', `watching ${root} failed: ${(error as Error)?.message ?? String(error)}`, {
    kind: 'transient',
    hint: 'Start the watch again; if it keeps failing, check the folder permissions and the inotify limit (sysctl fs.inotify.max_user_watches).',
    cause: error,
  });
}
