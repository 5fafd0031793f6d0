/**
 * Capped exponential backoff with full jitter (the AWS Architecture Blog's recommendation):
 * the wait before attempt n+1 is uniform in [0, min(cap, base·2^(n−1))], so many workers
 * throttled together do not retry together.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AetlError } from '../util/errors.js';
import { classifyS3Error } from './s3-errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5. */
  attempts: number;
  /** The first backoff's ceiling (ms). Default 200. */
  baseMs: number;
  /** No backoff is longer than this (ms). Default 5,000. */
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, capMs: 5_000 };

/** The wait after failed attempt `attempt` (1-based). `random` is in [0, 1). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Waits out a backoff; rejects with the signal's reason when it aborts first. */
export async function backoff(attempt: number, policy: RetryPolicy, signal?: AbortSignal): Promise<void> {
  await sleep(backoffMs(attempt, policy), undefined, signal === undefined ? undefined : { signal });
}

/**
 * Runs `operation` until it succeeds, fails in a way retrying cannot fix, or the attempts
 * run out; then rejects with `giveUp(error, attempts)`.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  operation: (attempt: number) => Promise<T>,
  giveUp: (error: unknown, attempts: number) => Error,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (signal?.aborted === true || classifyS3Error(error) !== 'retry' || attempt >= policy.attempts) throw giveUp(error, attempt);
      await backoff(attempt, policy, signal);
    }
  }
}

/** Validates a policy given in options, so a typo cannot turn retries off silently. */
export function resolveRetry(policy: Partial<RetryPolicy> | undefined): RetryPolicy {
  const resolved = { ...DEFAULT_RETRY, ...policy };
  if (!Number.isInteger(resolved.attempts) || resolved.attempts < 1) throw invalid(`retry.attempts must be a whole number ≥ 1 (got ${resolved.attempts})`);
  if (!(resolved.baseMs >= 0) || !(resolved.capMs >= resolved.baseMs)) throw invalid(`retry needs 0 ≤ baseMs ≤ capMs (got ${resolved.baseMs}, ${resolved.capMs})`);
  return resolved;
}

function invalid(message: string): AetlError {
  return new AetlError('config_invalid', `S3 source: ${message}`, { hint: 'Fix the retry options passed to s3Source().' });
}
