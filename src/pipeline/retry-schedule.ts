/**
 * When `watch` tries a failed file again: after a capped exponential backoff (1 s, 2 s,
 * 4 s, … up to 5 min by default), so a file that fails for a passing reason (a lock, a
 * constraint a person is fixing, memory) is taken again in the same session, and one that
 * keeps failing costs one attempt per cap. One entry per key: a new version of the file
 * replaces the old one's retries (the old version cannot be read any more).
 */
import type { SourceObject } from '../sources/source.js';

export interface BackoffPolicy {
  /** Delay before the first retry (ms). */
  initialMs: number;
  /** Longest delay between two tries (ms). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 300_000 };

export interface ScheduledRetry {
  object: SourceObject;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  /** Epoch milliseconds. */
  at: number;
}

export interface RetrySchedule {
  /** Records a failure of `object` and returns when it will be tried again. */
  failed(object: SourceObject, now: number): ScheduledRetry;
  /** The key is done or gone: no more retries. */
  forget(key: string): void;
  /** The source reports `object`: retries of an older version of its key end (that version cannot be read any more). */
  supersede(object: SourceObject): void;
  /** When the earliest retry is due, or undefined when none is waiting. */
  nextAt(): number | undefined;
  /** The retries due at `now`, earliest first; they leave the schedule until they fail again. */
  takeDue(now: number): ScheduledRetry[];
}

export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  // Exponent capped too, so a file failing for days never overflows to Infinity.
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt - 1, 30));
}

export function retrySchedule(policy: BackoffPolicy = DEFAULT_BACKOFF): RetrySchedule {
  /** Keys are object keys (data): a Map, never an object literal. */
  const waiting = new Map<string, ScheduledRetry>();
  /** Failures so far per key and version, kept while a retry is being processed. */
  const attempts = new Map<string, { version: string; count: number }>();

  return {
    failed(object, now) {
      const before = attempts.get(object.key);
      const count = before?.version === object.version ? before.count + 1 : 1;
      attempts.set(object.key, { version: object.version, count });
      const delayMs = backoffDelay(policy, count);
      const retry: ScheduledRetry = { object, attempt: count, delayMs, at: now + delayMs };
      waiting.set(object.key, retry);
      return retry;
    },
    forget(key) {
      waiting.delete(key);
      attempts.delete(key);
    },
    supersede(object) {
      const before = attempts.get(object.key);
      if (before !== undefined && before.version !== object.version) this.forget(object.key);
    },
    nextAt() {
      let earliest: number | undefined;
      for (const retry of waiting.values()) if (earliest === undefined || retry.at < earliest) earliest = retry.at;
      return earliest;
    },
    takeDue(now) {
      const due = [...waiting.values()].filter((retry) => retry.at <= now).sort((a, b) => a.at - b.at);
      for (const retry of due) waiting.delete(retry.object.key);
      return due;
    },
  };
}
