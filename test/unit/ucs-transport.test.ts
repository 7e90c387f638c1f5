import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../lib/ucs/errors';
import { sendWithRetry, type TransportDeps, type TransportSettings } from '../../lib/ucs/transport';

const settings: TransportSettings = { timeoutMs: 1_000, retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 30_000 } };
const req = { method: 'GET', url: 'https://ucs.example.test/v1/policy/jobs/j', operation: 'GET /v1/policy/jobs/j' };

/** A fake world: scripted responses, a clock that sleeping advances, recorded sleeps. */
function world(script: (Response | Error)[], random = 0.5) {
  let clock = Date.parse('2025-11-10T00:00:00Z');
  const sleeps: number[] = [];
  let calls = 0;
  const deps: TransportDeps = {
    fetch: () => {
      const next = script[Math.min(calls++, script.length - 1)]!;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next.clone());
    },
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    random: () => random,
  };
  return { deps, sleeps, calls: () => calls, clock: () => clock };
}
const status = (s: number, headers: Record<string, string> = {}, body = '') => new Response(s === 204 ? null : body, { status: s, headers });
const noAuth = () => Promise.resolve({});

describe('sendWithRetry', () => {
  it('backs off exponentially with jitter between retries', async () => {
    const w = world([status(500), status(502), status(503), status(200, {}, '{}')]);
    const res = await sendWithRetry(req, noAuth, settings, w.deps);
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(4);
    expect(w.sleeps).toEqual([50, 100, 200]); // random 0.5 × 100·2^(n-1)
  });

  it('sleeps exactly the Retry-After, as seconds or as an HTTP date', async () => {
    const w = world([]);
    const at = new Date(w.clock() + 4_000).toUTCString();
    const script = [status(429, { 'Retry-After': '2' }), status(503, { 'Retry-After': at }), status(200, {}, '{}')];
    const w2 = world(script);
    await sendWithRetry(req, noAuth, settings, w2.deps);
    expect(w2.sleeps[0]).toBe(2_000);
    expect(w2.sleeps[1]).toBe(2_000); // the date was 4 s after the start, 2 s of which were slept
  });

  it('returns a non-retryable failure at once', async () => {
    for (const s of [400, 401, 403, 404]) {
      const w = world([status(s), status(200)]);
      const res = await sendWithRetry(req, noAuth, settings, w.deps);
      expect(res.status).toBe(s);
      expect(res.gaveUp?.reason).toBe('not-retryable');
      expect(w.calls()).toBe(1);
    }
  });

  it('treats UCS.01000002 as throttling whatever the status', async () => {
    const w = world([status(400, {}, '{"error_code":"UCS.01000002","error_msg":"Too many requests"}'), status(200, {}, '{}')]);
    expect((await sendWithRetry(req, noAuth, settings, w.deps)).status).toBe(200);
    expect(w.calls()).toBe(2);
  });

  it('retries network errors, then throws UpstreamError', async () => {
    const w = world([Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })]);
    const err = await sendWithRetry(req, noAuth, settings, w.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/ECONNRESET.*4 attempts, attempts-exhausted/);
    expect(w.calls()).toBe(4);
  });

  it('never starts a sleep past the deadline', async () => {
    const w = world([status(503)], 0.99);
    const deadline = w.clock() + 250;
    const res = await sendWithRetry(req, noAuth, settings, w.deps, { deadline });
    expect(res.gaveUp?.reason).toBe('deadline');
    expect(w.clock()).toBeLessThan(deadline);
  });

  it('asks for fresh auth headers on every attempt', async () => {
    const w = world([status(500), status(200, {}, '{}')]);
    let n = 0;
    const seen: string[] = [];
    const fetchSpy: TransportDeps['fetch'] = (input, init) => {
      seen.push(new Headers(init?.headers).get('x-n') ?? '');
      return w.deps.fetch(input, init);
    };
    await sendWithRetry(req, () => Promise.resolve({ 'X-N': String(++n) }), settings, { ...w.deps, fetch: fetchSpy });
    expect(seen).toEqual(['1', '2']);
  });

  it('stops when the caller aborts, without retrying', async () => {
    const controller = new AbortController();
    const w = world([status(500)]);
    const deps = { ...w.deps, sleep: () => (controller.abort(new Error('shutdown')), Promise.resolve()) };
    await expect(sendWithRetry(req, noAuth, settings, deps, { signal: controller.signal })).rejects.toThrow('shutdown');
    expect(w.calls()).toBe(1);
  });
});
