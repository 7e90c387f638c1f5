// One HTTP exchange with UCS or IAM, with a timeout per attempt and retries on network errors, timeouts,
// 5xx and throttling, bounded by attempts and by the caller's deadline. Uses the global fetch (Node 20).
import { setTimeout as sleepFor } from 'node:timers/promises';
import { logger } from '../observability';
import type { CallOptions } from './api';
import { UpstreamError } from './errors';
import { parseUcsErrorBody } from './error-response';
import { decideRetry, isRetryableStatus, parseRetryAfterMs, type RetryDecision, type RetryPolicy } from './retry-policy';

/** What the transport needs from the outside world; injectable so unit tests need no sockets or real time. */
export interface TransportDeps {
  fetch: typeof fetch;
  /** Epoch ms. */
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1), for the backoff jitter. */
  random: () => number;
}

/** The real clock, sleep, randomness and global fetch. */
export const defaultTransportDeps: TransportDeps = {
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }),
  random: () => Math.random(),
};

/** Timeout and retry bounds. */
export interface TransportSettings {
  timeoutMs: number;
  retry: RetryPolicy;
}

/** A request; `operation` (method and path, no query, no headers) is what logs and errors show. */
export interface OutgoingRequest {
  method: string;
  url: string;
  body?: string;
  operation: string;
}

/** The last response received. */
export interface ReceivedResponse {
  status: number;
  headers: Headers;
  text: string;
  requestId?: string;
  attempts: number;
  /** Why retrying stopped, when this is a failed response. */
  gaveUp?: RetryDecision & { retry: false };
}

/** Sends `req`, asking `authorize` for fresh headers before every attempt (a signature carries its time). */
export async function sendWithRetry(
  req: OutgoingRequest,
  authorize: () => Promise<Record<string, string>>,
  settings: TransportSettings,
  deps: TransportDeps,
  options: CallOptions = {},
): Promise<ReceivedResponse> {
  const { deadline, signal: callerSignal } = options;
  for (let attempt = 1; ; attempt += 1) {
    callerSignal?.throwIfAborted();
    const remaining = deadline === undefined ? Infinity : deadline - deps.now();
    if (remaining <= 0) {
      throw new UpstreamError(`${req.operation} failed: deadline passed before attempt ${attempt}`, { operation: req.operation });
    }
    const timeoutMs = Math.min(settings.timeoutMs, remaining);
    const signal = callerSignal ? AbortSignal.any([callerSignal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);

    // Outside the try: a failed token refresh or unreadable credentials is not a network error to retry.
    const headers = await authorize();
    let response: ReceivedResponse | undefined;
    let failure: string | undefined;
    let failureCause: unknown;
    try {
      const res = await deps.fetch(req.url, { method: req.method, headers, body: req.body, signal, redirect: 'manual' });
      const text = await res.text();
      const requestId = res.headers.get('x-request-id') ?? undefined;
      response = { status: res.status, headers: res.headers, text, attempts: attempt, ...(requestId ? { requestId } : {}) };
    } catch (err) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (!(err instanceof Error)) throw err;
      failure = err.name === 'TimeoutError' || err.name === 'AbortError' ? `timed out after ${timeoutMs} ms` : `network error (${networkErrorCode(err)})`;
      failureCause = err;
    }

    const errorCode = response && response.status >= 400 ? parseUcsErrorBody(response.text).errorCode : undefined;
    if (response && response.status < 400) return response;
    const retryable = response ? isRetryableStatus(response.status, errorCode) : true;
    const retryAfterMs = response ? parseRetryAfterMs(response.headers.get('retry-after'), deps.now()) : undefined;
    const decision = decideRetry({ attempt, retryable, retryAfterMs, nowMs: deps.now(), deadline, policy: settings.retry, random: deps.random });
    if (!decision.retry) {
      if (response) return { ...response, gaveUp: decision };
      throw new UpstreamError(`${req.operation} failed: ${failure} (${attempt} attempt${attempt > 1 ? 's' : ''}, ${decision.reason})`, { operation: req.operation }, { cause: failureCause });
    }
    logger.warn('UCS call retried', {
      operation: req.operation,
      attempt,
      status: response?.status,
      errorCode,
      requestId: response?.requestId,
      failure,
      delayMs: decision.delayMs,
    });
    await deps.sleep(decision.delayMs, callerSignal);
  }
}

/** A short, log-safe name for a fetch failure: undici hides the reason in `cause.code`. */
function networkErrorCode(err: Error): string {
  const cause: unknown = err.cause;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return err.name;
}
