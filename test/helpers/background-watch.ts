/**
 * A source's watch() running in the background of a test: what it yields, and how it
 * ended — kept from the start, so a watch that fails is the test's failure and never an
 * unhandled rejection (reported against whichever test happens to run then).
 */
import type { Source, SourceObject } from '../../src/sources/source.js';
import { waitFor } from './wait-for.js';

export interface BackgroundWatch {
  yielded: SourceObject[];
  keys(): string[];
  /** Settles when the watch ends: with undefined, or with the error it threw. */
  outcome: Promise<unknown>;
  readonly ended: boolean;
  /** Waits until `count` objects were yielded; throws when the watch ends first or the wait times out. */
  until(count: number, timeoutMs?: number): Promise<void>;
  /** Aborts, waits for the end, and rethrows the error the watch ended with, if any. */
  stop(): Promise<void>;
}

export function watchInBackground(source: Source): BackgroundWatch {
  const controller = new AbortController();
  const yielded: SourceObject[] = [];
  let ended = false;
  const outcome = (async () => {
    for await (const object of source.watch(controller.signal)) yielded.push(object);
  })().then(
    () => undefined,
    (error: unknown) => error,
  ).finally(() => {
    ended = true;
  });
  return {
    yielded,
    keys: () => yielded.map((object) => object.key),
    outcome,
    get ended() {
      return ended;
    },
    async until(count, timeoutMs) {
      await waitFor(() => yielded.length >= count || ended, `${count} object(s) from watch()`, timeoutMs);
      if (yielded.length < count) throw new Error(`watch() ended after ${yielded.length} object(s), waiting for ${count}`, { cause: await outcome });
    },
    async stop() {
      controller.abort();
      const error = await outcome;
      if (error !== undefined) throw error;
    },
  };
}
