// The retry decisions of the UCS client, as pure functions. Hand-written (~40 lines) rather than p-retry or
// exponential-backoff: neither honours a per-response Retry-After nor stops before a caller's deadline, and
// those two rules are the point here.

/** UCS error code for throttling (sent with HTTP 429). */
export const THROTTLING_ERROR_CODE = 'UCS.01000002';

/** Backoff bounds. */
export interface RetryPolicy {
  /** Attempts in all, first included. */
  maxAttempts: number;
  /** First backoff ceiling; doubles each retry. */
  baseDelayMs: number;
  /** Largest backoff ceiling. */
  maxDelayMs: number;
  /** A Retry-After longer than this ends the retries instead of sleeping that long. */
  maxRetryAfterMs: number;
}

/** True for the statuses worth another attempt: 429 (or the UCS throttling code) and 5xx. */
export function isRetryableStatus(status: number, errorCode?: string): boolean {
  return status === 429 || status >= 500 || errorCode === THROTTLING_ERROR_CODE;
}

/** Full-jitter exponential backoff before retry number `retry` (1 = the first retry). */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into ms from `nowMs`; undefined when absent or malformed. */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its month (`Wed, 21 Oct 2015 07:28:00 GMT`); Date.parse alone would accept "-1".
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** What to do after a failed attempt. */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: 'not-retryable' | 'attempts-exhausted' | 'deadline' | 'retry-after-too-long' };

/**
 * Decides whether attempt number `attempt` (1-based) that just failed is retried, and after how long: the
 * server's Retry-After when given, else full-jitter backoff; never a sleep that would end past `deadline`.
 */
export function decideRetry(input: {
  attempt: number;
  retryable: boolean;
  retryAfterMs?: number;
  nowMs: number;
  deadline?: number;
  policy: RetryPolicy;
  random: () => number;
}): RetryDecision {
  const { attempt, policy } = input;
  if (!input.retryable) return { retry: false, reason: 'not-retryable' };
  if (attempt >= policy.maxAttempts) return { retry: false, reason: 'attempts-exhausted' };
  if (input.retryAfterMs !== undefined && input.retryAfterMs > policy.maxRetryAfterMs) return { retry: false, reason: 'retry-after-too-long' };
  const delayMs = input.retryAfterMs ?? backoffDelayMs(attempt, policy, input.random);
  // A retry needs time for the sleep and then some for the attempt itself.
  if (input.deadline !== undefined && input.nowMs + delayMs >= input.deadline) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs };
}
