import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decideRetry, isRetryableStatus, parseRetryAfterMs, type RetryPolicy } from '../../lib/ucs/retry-policy';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };
const now = Date.parse('2025-11-10T07:00:00Z');

describe('isRetryableStatus', () => {
  it('retries 429, the UCS throttling code and 5xx, nothing else', () => {
    expect([429, 500, 502, 503, 504].every((s) => isRetryableStatus(s))).toBe(true);
    expect(isRetryableStatus(400, 'UCS.01000002')).toBe(true);
    expect([400, 401, 403, 404, 409].some((s) => isRetryableStatus(s, 'UCS.00000013'))).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  it('stays within [0, min(max, base·2^(n-1))) — full jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (retry, r) => {
        const d = backoffDelayMs(retry, policy, () => r);
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
      }),
      { seed: 3 },
    );
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(1000);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfterMs(new Date(now + 7000).toUTCString(), now)).toBe(7000);
    expect(parseRetryAfterMs(new Date(now - 7000).toUTCString(), now)).toBe(0);
  });
  it('ignores absent or malformed values', () => {
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
    expect(parseRetryAfterMs('', now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-1', now)).toBeUndefined();
  });
});

describe('decideRetry', () => {
  const base = { attempt: 1, retryable: true, nowMs: now, policy, random: () => 0.5 };
  it('does not retry what is not retryable', () => {
    expect(decideRetry({ ...base, retryable: false })).toEqual({ retry: false, reason: 'not-retryable' });
  });
  it('stops after maxAttempts', () => {
    expect(decideRetry({ ...base, attempt: 3 }).retry).toBe(true);
    expect(decideRetry({ ...base, attempt: 4 })).toEqual({ retry: false, reason: 'attempts-exhausted' });
  });
  it('uses Retry-After instead of the backoff', () => {
    expect(decideRetry({ ...base, retryAfterMs: 2_000 })).toEqual({ retry: true, delayMs: 2_000 });
    expect(decideRetry({ ...base, attempt: 2 })).toEqual({ retry: true, delayMs: 500 });
  });
  it('refuses a Retry-After longer than maxRetryAfterMs', () => {
    expect(decideRetry({ ...base, retryAfterMs: 31_000 })).toEqual({ retry: false, reason: 'retry-after-too-long' });
  });
  it('never sleeps past the deadline', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 10_000 }), fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: undefined }), (attempt, budget, retryAfterMs) => {
        const d = decideRetry({ ...base, attempt, retryAfterMs, deadline: now + budget });
        if (d.retry) expect(now + d.delayMs).toBeLessThan(now + budget);
        else expect(d.reason).toBe('deadline');
      }),
      { seed: 11 },
    );
  });
});
