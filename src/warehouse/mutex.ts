/**
 * A promise-queue mutex: holders run one at a time in call order. Drivers with a single
 * connection (DuckDB) use it so that concurrent callers never interleave statements
 * inside each other's transactions.
 */
export interface Mutex {
  /** Waits for the lock; the returned function releases it (calling it twice is harmless). */
  acquire(): Promise<() => void>;
  /** Runs `work` while holding the lock, releasing it however `work` ends. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createMutex(): Mutex {
  let tail: Promise<void> = Promise.resolve();

  async function acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = tail;
    tail = previous.then(() => held);
    await previous;
    return release;
  }

  async function run<T>(work: () => Promise<T>): Promise<T> {
    const release = await acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  return { acquire, run };
}
