/**
 * watch() of the S3 source: S3 has no events we can rely on everywhere, so it polls. Each
 * poll lists the keys after the greatest key seen (cheap, and enough for the usual landing
 * zone whose keys grow: dates, sequence numbers); every `relistIntervalMs` a full re-list
 * catches the rest — overwrites and keys landing out of order — so nothing is missed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AetlError, errorMessage } from '../util/errors.js';
import type { SourceObject } from './source.js';
import { objectFeed } from './object-feed.js';

export interface PollOptions {
  /** Lists objects after a relative key (all of them without one), in any order. */
  list(startAfter: string | undefined, signal: AbortSignal): AsyncIterable<SourceObject>;
  pollIntervalMs: number;
  /** A full re-list at least this often; at or below pollIntervalMs, every poll is one. */
  relistIntervalMs: number;
  signal: AbortSignal;
}

/**
 * An object whose LastModified is at most this much older than the start of watch() is
 * yielded, so an object landing while the caller's list() runs is not lost (the ledger
 * turns the rare double into a no-op). Older ones are present at start, left to list().
 * S3 keeps LastModified to the second: one second covers that truncation; it does not
 * cover a server clock running behind ours by more.
 */
const START_GRACE_MS = 1000;
/** Polls that fail one after another (each after its own retries) before watch() gives up. */
const MAX_FAILED_POLLS = 3;

export function pollObjects(options: PollOptions): AsyncIterable<SourceObject> {
  const { list, pollIntervalMs, relistIntervalMs } = options;
  const startedAt = Date.now();
  // Aborted by the caller's signal or by return(): either stops the polling.
  const stopper = new AbortController();
  const signal = stopper.signal;
  /** Version last yielded or present at start, per key: the dedup memory. */
  const seen = new Map<string, string>();
  const feed = objectFeed();
  /**
   * The greatest key listed. JavaScript's order differs from S3's (UTF-8 bytes) only
   * between astral and U+E000–U+FFFF characters; the re-list covers that corner.
   */
  let lastKey: string | undefined;
  const greatest = (key: string): void => {
    if (lastKey === undefined || key > lastKey) lastKey = key;
  };
  const stop = (): void => {
    stopper.abort();
    feed.stop();
  };

  const offer = (object: SourceObject): void => {
    if (seen.get(object.key) === object.version) return;
    seen.set(object.key, object.version);
    feed.offer(object);
  };

  /** Lists everything; on the first listing, objects older than the start are only remembered. */
  async function fullList(baseline: boolean): Promise<void> {
    const present = new Set<string>();
    // Recomputed: when the greatest key is removed, new keys below it are new keys again.
    lastKey = undefined;
    for await (const object of list(undefined, signal)) {
      present.add(object.key);
      greatest(object.key);
      if (baseline && object.modifiedAt.getTime() < startedAt - START_GRACE_MS) seen.set(object.key, object.version);
      else offer(object);
    }
    // Forget removed keys, so the same bytes landing again count as a new arrival.
    for (const key of seen.keys()) if (!present.has(key)) seen.delete(key);
  }

  async function newKeys(): Promise<void> {
    for await (const object of list(lastKey, signal)) {
      greatest(object.key);
      offer(object);
    }
  }

  async function run(): Promise<void> {
    // The first listing must work: a wrong bucket or a denied policy shows at once.
    await fullList(true);
    let lastFull = Date.now();
    let failedPolls = 0;
    while (!signal.aborted) {
      try {
        await sleep(pollIntervalMs, undefined, { signal });
      } catch {
        return; // Stopped.
      }
      const began = Date.now();
      try {
        // After a failed poll, a full listing: keys may have landed in any order meanwhile.
        if (failedPolls > 0 || began - lastFull >= relistIntervalMs) {
          await fullList(false);
          lastFull = began;
        } else {
          await newKeys();
        }
        failedPolls = 0;
      } catch (error) {
        if (signal.aborted) return;
        failedPolls += 1;
        if (failedPolls >= MAX_FAILED_POLLS || (error instanceof AetlError && error.kind === 'terminal')) throw error;
      }
    }
  }

  if (options.signal.aborted) feed.stop();
  else {
    options.signal.addEventListener('abort', stop, { once: true });
    run()
      .catch((error: unknown) => {
        if (signal.aborted) return;
        feed.fail(error instanceof AetlError ? error : new AetlError('source_read_failed', `watching S3 failed: ${errorMessage(error)}`, { kind: 'transient', cause: error }));
      })
      .finally(() => {
        options.signal.removeEventListener('abort', stop);
        feed.end();
      });
  }
  return feed.iterable(stop);
}
