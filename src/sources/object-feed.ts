/**
 * The hand-over between a watcher that finds objects (file events, S3 polls) and the
 * consumer iterating `watch()`: a queue holding the newest version per key in arrival
 * order, a failure thrown once, and the two ways it ends — the producer is done (drain,
 * then finish) or the watch is stopped (finish now). Shared by every source's watch.
 */
import type { AetlError } from '../util/errors.js';
import type { SourceObject } from './source.js';

export interface ObjectFeed {
  /** Queues the object; a newer version of a queued key replaces the older one. */
  offer(object: SourceObject): void;
  /** The first failure is kept and thrown to the consumer (unless the feed is stopped). */
  fail(error: AetlError): void;
  /** The producer found everything it will: the consumer drains the queue, then finishes. */
  end(): void;
  /** Stopped (aborted, or the consumer returned): the consumer finishes at once. */
  stop(): void;
  readonly stopped: boolean;
  /** The iterable for the consumer; `halt` releases the producer's resources. */
  iterable(halt: () => Promise<void> | void): AsyncIterable<SourceObject>;
}

export function objectFeed(): ObjectFeed {
  const queue = new Map<string, SourceObject>();
  let failure: AetlError | undefined;
  let ended = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  return {
    offer(object) {
      queue.delete(object.key);
      queue.set(object.key, object);
      notify();
    },
    fail(error) {
      if (failure === undefined && !stopped) failure = error;
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    stop() {
      stopped = true;
      notify();
    },
    get stopped() {
      return stopped;
    },
    iterable(halt) {
      const finish = async (): Promise<IteratorResult<SourceObject>> => {
        stopped = true;
        await halt();
        return { done: true, value: undefined };
      };
      const iterator: AsyncIterator<SourceObject> = {
        async next() {
          for (;;) {
            if (failure !== undefined) {
              const error = failure;
              failure = undefined; // Thrown once; later calls see a finished iterator.
              await finish();
              throw error;
            }
            if (stopped) return finish();
            const first = queue.values().next();
            if (first.done !== true) {
              queue.delete(first.value.key);
              return { done: false, value: first.value };
            }
            if (ended) return finish();
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
          }
        },
        return: finish,
      };
      return { [Symbol.asyncIterator]: () => iterator };
    },
  };
}
