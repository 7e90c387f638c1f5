// The UCS client over real HTTP on 127.0.0.1, against small node:http servers that play exactly the
// behaviour each test needs (the full simulator in lib/local/simulator is tested on its own).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../lib/observability';
import { UcsClient, UcsClientConfig } from '../../lib/ucs/client';
import type { UcsCredentials } from '../../lib/ucs/credentials';
import { BadRequestError, ForbiddenError, InvalidIdError, InvalidResponseError, NotFoundError, ThrottledError, UnauthorizedError, UpstreamError } from '../../lib/ucs/errors';
import { canonicalRequest, parseAuthorization, signature, stringToSign } from '../../lib/ucs/signer';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve)))));
});

/** Starts a server on 127.0.0.1:0 that records every request. */
async function serve(handler: Handler): Promise<{ base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const entry = { method: req.method ?? '', url: req.url ?? '', headers, body };
      seen.push(entry);
      void handler(entry, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const federationJob = (uid: string) => ({
  kind: 'Job',
  apiVersion: 'v3',
  metadata: { uid, name: 'federation', creationTimestamp: '2023-07-31 13:16:22.100528 +0000 UTC' },
  spec: { type: 'CreateFederationContainer', subJobs: [{ metadata: { name: 'InstallFederationChart' }, spec: { type: 'InstallFederationChart' }, status: { phase: 'Success' } }] },
  status: { phase: 'Success', startTime: '2023-07-31 13:16:22.100528 +0000 UTC', completionTime: '2023-07-31 13:18:02.1 +0000 UTC' },
});
const policyJob = (uid: string) => ({
  kind: 'job',
  metadata: { uid, name: 'enable-policy', creationTimestamp: '2025-11-10 07:24:03.553733 +0000 UTC' },
  spec: { type: 'EnablePolicy', waitTimeOut: 600, taskList: [{ spec: { target: 'c1', targetType: 'cluster', type: 'install' }, status: { status: 'Succeeded' } }] },
  status: { status: 'Succeeded', startTime: '2025-11-10T15:24:03.553733+08:00', finishTime: '2025-11-10T15:25:03.553733+08:00' },
});
const ucsError = (code: string, msg: string) => ({ error_code: code, error_msg: msg });

/** A client with fast retries; `overrides` tweak the config. */
function client(base: string, credentials: UcsCredentials, overrides: Partial<UcsClientConfig> = {}, now?: () => number, random?: () => number): UcsClient {
  const config = UcsClientConfig.parse({ baseUrl: base, timeoutMs: 2_000, baseDelayMs: 10, maxDelayMs: 40, ...overrides });
  return new UcsClient(config, { credentials: () => Promise.resolve(credentials), ...(now ? { now } : {}), ...(random ? { random } : {}) });
}

const TOKEN: UcsCredentials = { mode: 'token', token: 'static-token-value' };

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('auth: static token', () => {
  it('sends X-Auth-Token, puts a UCS id in the path, and sends nothing for an id that is not one', async () => {
    const { base, seen } = await serve((req, res) =>
      req.headers['x-auth-token'] === 'static-token-value' ? json(res, 200, federationJob('fed-1')) : json(res, 401, ucsError('UCS.00000003', 'token invalid')),
    );
    const job = await client(base, TOKEN).getFederationProgress('fleet-a.b');
    expect(job.metadata.uid).toBe('fed-1');
    expect(job.status?.phase).toBe('Success');
    expect(seen[0]!.url).toBe('/v1/clustergroups/fleet-a.b/federations/progress');
    for (const bad of ['fleet a/b~*é', '..', 'fz-\ud800']) await expect(client(base, TOKEN).getFederationProgress(bad)).rejects.toBeInstanceOf(InvalidIdError);
    expect(seen).toHaveLength(1);
  });

  it('does not retry a 401: UnauthorizedError after one request', async () => {
    const { base, seen } = await serve((_req, res) => json(res, 401, ucsError('UCS.00000003', 'token invalid'), { 'X-Request-Id': 'r-401' }));
    const err = await failure(client(base, { mode: 'token', token: 'wrong' }).getPolicyJob('j1'));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toMatchObject({ status: 401, errorCode: 'UCS.00000003', errorMsg: 'token invalid', requestId: 'r-401', operation: 'GET /v1/policy/jobs/j1' });
    expect(seen).toHaveLength(1);
  });
});

describe('auth: AK/SK signing', () => {
  const creds: UcsCredentials = { mode: 'aksk', accessKey: 'AKTEST', secretKey: 'sk-secret-value', domainId: 'domain-123', securityToken: 'sts-token-value' };

  /** Verifies the signature as a gateway would, from the request as received. */
  const verifying: Handler = (req, res) => {
    const auth = parseAuthorization(req.headers.authorization ?? '');
    const date = req.headers['x-sdk-date'] ?? '';
    const ok =
      auth?.access === 'AKTEST' &&
      ['host', 'x-domain-id', 'x-sdk-date', 'x-security-token'].every((h) => auth.signedHeaders.includes(h)) &&
      req.headers['x-domain-id'] === 'domain-123' &&
      req.headers['x-security-token'] === 'sts-token-value' &&
      signature(stringToSign(canonicalRequest({ method: req.method, url: `http://${req.headers.host}${req.url}`, headers: req.headers, body: req.body }, auth.signedHeaders), date), 'sk-secret-value') === auth.signature;
    if (!ok) return json(res, 401, ucsError('APIGW.0301', 'signature mismatch'));
    if (req.url.startsWith('/v1/policy/jobs?')) return json(res, 200, { items: [{ metadata: { uid: 'p-1' } }] });
    return json(res, 200, policyJob('policy-1'));
  };

  it('signs requests the server can verify, with X-Domain-Id and X-Security-Token', async () => {
    const { base, seen } = await serve(verifying);
    const ucs = client(base, creds, { policyJobKinds: ['a b', 'x=y&z'] });
    // Ids are UCS ids (lib/ucs/ids.ts); what needs percent-encoding reaches UCS in the query string.
    expect((await ucs.getPolicyJob('C7678551-1F7E-4699-9EA1-3BAA2D32F552')).metadata.uid).toBe('policy-1');
    expect(await ucs.listPolicyJobIds()).toEqual(['p-1']);
    expect(seen.map((s) => s.url)).toEqual(['/v1/policy/jobs/C7678551-1F7E-4699-9EA1-3BAA2D32F552', '/v1/policy/jobs?kind=a%20b', '/v1/policy/jobs?kind=x%3Dy%26z']);
    expect(seen[0]!.headers.authorization).toMatch(/^SDK-HMAC-SHA256 Access=AKTEST, SignedHeaders=accept;host;x-domain-id;x-sdk-date;x-security-token, Signature=[0-9a-f]{64}$/);
  });

  it('a wrong secret key is rejected and not retried', async () => {
    const { base, seen } = await serve(verifying);
    const err = await failure(client(base, { ...creds, secretKey: 'other' }).getPolicyJob('j'));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as UnauthorizedError).errorCode).toBe('APIGW.0301');
    expect(seen).toHaveLength(1);
  });
});

describe('auth: IAM password token', () => {
  const creds = (iamEndpoint: string): UcsCredentials => ({ mode: 'password', username: 'alice', password: 'pw-secret-value', domainName: 'acme', iamEndpoint });

  /** One server playing IAM (`POST /v3/auth/tokens`) and UCS; `valid` decides which tokens UCS accepts. */
  async function iamAndUcs(opts: { now: () => number; lifetimeMs?: number; iamDelayMs?: number; valid?: (token: string, issued: string[]) => boolean }) {
    const issued: string[] = [];
    const iamBodies: unknown[] = [];
    const server = await serve(async (req, res) => {
      if (req.method === 'POST' && req.url === '/v3/auth/tokens') {
        iamBodies.push(JSON.parse(req.body));
        if (opts.iamDelayMs) await new Promise((r) => setTimeout(r, opts.iamDelayMs));
        const token = `iam-token-${issued.length + 1}`;
        issued.push(token);
        const expiresAt = new Date(opts.now() + (opts.lifetimeMs ?? 24 * 3600_000)).toISOString();
        return json(res, 201, { token: { expires_at: expiresAt, methods: ['password'] } }, { 'X-Subject-Token': token });
      }
      const token = req.headers['x-auth-token'] ?? '';
      const ok = (opts.valid ?? ((t, all) => all.includes(t)))(token, issued);
      return ok ? json(res, 200, policyJob('pj')) : json(res, 401, ucsError('UCS.00000003', 'token expired'));
    });
    return { ...server, issued, iamBodies, ucsCalls: () => server.seen.filter((s) => s.url.startsWith('/v1/')) };
  }

  it('gets a domain-scoped token once and reuses it until 1 h before expiry', async () => {
    let offset = 0;
    const now = () => Date.now() + offset;
    const { base, issued, iamBodies, ucsCalls } = await iamAndUcs({ now, lifetimeMs: 3 * 3600_000 });
    const ucs = client(base, creds(base), {}, now);
    await ucs.getPolicyJob('a');
    await ucs.getPolicyJob('b');
    expect(issued).toHaveLength(1);
    expect(iamBodies[0]).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'alice', password: 'pw-secret-value', domain: { name: 'acme' } } } },
        scope: { domain: { name: 'acme' } },
      },
    });
    expect(ucsCalls().every((s) => s.headers['x-auth-token'] === 'iam-token-1')).toBe(true);
    offset = 2 * 3600_000 - 60_000; // 61 min before expiry: still cached
    await ucs.getPolicyJob('c');
    expect(issued).toHaveLength(1);
    offset = 2 * 3600_000 + 1_000; // inside the last hour: refreshed
    await ucs.getPolicyJob('d');
    expect(issued).toHaveLength(2);
    expect(ucsCalls().at(-1)!.headers['x-auth-token']).toBe('iam-token-2');
  });

  it('on a 401 refreshes once and retries', async () => {
    // UCS accepts only the newest token: the first one is "revoked" as soon as a second exists, and before.
    let revoked = true;
    const { base, issued, ucsCalls } = await iamAndUcs({ now: Date.now, valid: (t, all) => !(revoked && t === 'iam-token-1') && all.includes(t) });
    const ucs = client(base, creds(base));
    expect((await ucs.getPolicyJob('a')).metadata.uid).toBe('pj');
    expect(issued).toEqual(['iam-token-1', 'iam-token-2']);
    expect(ucsCalls().map((s) => s.headers['x-auth-token'])).toEqual(['iam-token-1', 'iam-token-2']);
    revoked = false;
  });

  it('gives up with UnauthorizedError when the fresh token is refused too', async () => {
    const { base, issued, ucsCalls } = await iamAndUcs({ now: Date.now, valid: () => false });
    const err = await failure(client(base, creds(base)).getPolicyJob('a'));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(issued).toHaveLength(2);
    expect(ucsCalls()).toHaveLength(2);
  });

  it('concurrent callers share one token request', async () => {
    const { base, issued } = await iamAndUcs({ now: Date.now, iamDelayMs: 150 });
    const ucs = client(base, creds(base));
    const jobs = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => ucs.getPolicyJob(id)));
    expect(jobs).toHaveLength(5);
    expect(issued).toHaveLength(1);
  });

  it('concurrent 401s share one refresh', async () => {
    let firstRevoked = false;
    const { base, issued } = await iamAndUcs({ now: Date.now, iamDelayMs: 50, valid: (t, all) => all.includes(t) && !(firstRevoked && t === 'iam-token-1') });
    const ucs = client(base, creds(base));
    await ucs.getPolicyJob('warm-up');
    firstRevoked = true;
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => ucs.getPolicyJob(id)));
    expect(issued).toEqual(['iam-token-1', 'iam-token-2']);
  });

  it('a refused password is UnauthorizedError from IAM, with no UCS call', async () => {
    const { base, seen } = await serve((_req, res) => json(res, 401, { error: { code: 'APIGW.0301', message: 'Incorrect IAM authentication information' } }, { 'X-Request-Id': 'iam-req' }));
    const err = await failure(client(base, creds(base)).getPolicyJob('a'));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toMatchObject({ status: 401, errorCode: 'APIGW.0301', requestId: 'iam-req', operation: 'POST /v3/auth/tokens' });
    expect(seen.map((s) => s.url)).toEqual(['/v3/auth/tokens']);
  });

  it('an IAM answer without X-Subject-Token is InvalidResponseError', async () => {
    const { base } = await serve((_req, res) => json(res, 201, { token: { expires_at: '2099-01-01T00:00:00Z' } }));
    expect(await failure(client(base, creds(base)).getPolicyJob('a'))).toBeInstanceOf(InvalidResponseError);
  });
});

describe('retries', () => {
  it('retries 429 and 5xx, then succeeds', async () => {
    const script: [number, unknown][] = [
      [429, ucsError('UCS.01000002', 'Too many requests')],
      [500, 'Internal Server Error'],
      [503, ''],
      [200, federationJob('fed-ok')],
    ];
    const { base, seen } = await serve((_req, res) => {
      const [status, body] = script[Math.min(seen.length - 1, script.length - 1)]!;
      json(res, status, body);
    });
    expect((await client(base, TOKEN).getFederationProgress('f')).metadata.uid).toBe('fed-ok');
    expect(seen).toHaveLength(4);
  });

  it('honours Retry-After (seconds)', async () => {
    const { base, seen } = await serve((_req, res) =>
      seen.length === 1 ? json(res, 429, ucsError('UCS.01000002', 'Too many requests'), { 'Retry-After': '1' }) : json(res, 200, federationJob('f')),
    );
    const started = Date.now();
    await client(base, TOKEN, { baseDelayMs: 1, maxDelayMs: 2 }).getFederationProgress('f');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(seen).toHaveLength(2);
  });

  it('retries a hanging server after the timeout, then gives up as UpstreamError', async () => {
    const { base, seen } = await serve(() => undefined); // never answers
    const started = Date.now();
    const err = await failure(client(base, TOKEN, { timeoutMs: 150, maxAttempts: 3 }).getPolicyJob('j'));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toMatch(/timed out after 150 ms/);
    // Each attempt ended by its own timeout (the error says so), and there were exactly 3: what a hang costs is
    // counted, not timed (a loaded machine stretches every timer alike).
    expect(seen).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 150);
  });

  it('gives up within the caller deadline', async () => {
    const { base, seen } = await serve((_req, res) => json(res, 503, ucsError('UCS.00000500', 'busy')));
    const started = Date.now();
    // random() = 1 makes every backoff its full 400 ms ceiling: attempts at ~0, ~400 and ~800 ms, and the sleep
    // after the third would end past the 1 s deadline. (With real full jitter the count is random: a run of
    // short sleeps can fit all 10 attempts before the deadline, so this test must not depend on it.)
    const err = await failure(
      client(base, TOKEN, { maxAttempts: 10, baseDelayMs: 400, maxDelayMs: 400 }, undefined, () => 1).getPolicyJob('j', { deadline: started + 1_000 }),
    );
    expect(err).toBeInstanceOf(UpstreamError);
    // Without the deadline this would take 10 attempts; with it, at most the 3 whose start fits before it (fewer
    // when a loaded machine makes attempts slow). Counted, not timed.
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeLessThanOrEqual(3);
  });

  it('stops a hanging attempt at the deadline even with a long timeout', async () => {
    const { base } = await serve(() => undefined);
    const started = Date.now();
    const err = await failure(client(base, TOKEN, { timeoutMs: 10_000 }).getPolicyJob('j', { deadline: started + 300 }));
    expect(err).toBeInstanceOf(UpstreamError);
    // Stopped by the deadline, not by the 10 s timeout: the error names the deadline, and it came well before the
    // timeout would have (a ratio to the bound it must beat, not a guess of how fast this machine is).
    expect(err.message).not.toMatch(/timed out after 10000 ms/);
    expect(Date.now() - started).toBeLessThan(10_000 / 2);
  });

  it('does not sleep a Retry-After that ends past the deadline', async () => {
    const { base, seen } = await serve((_req, res) => json(res, 429, ucsError('UCS.01000002', 'Too many requests'), { 'Retry-After': '5' }));
    const started = Date.now();
    const err = await failure(client(base, TOKEN).getPolicyJob('j', { deadline: started + 2_000 }));
    expect(err).toBeInstanceOf(ThrottledError);
    expect(err).toMatchObject({ status: 429, errorCode: 'UCS.01000002' });
    expect(err.message).toMatch(/deadline/);
    // It did not sleep the 5 s: one request, and less time than the Retry-After it refused to wait.
    expect(seen).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('persistent throttling becomes ThrottledError after maxAttempts', async () => {
    const { base, seen } = await serve((_req, res) => json(res, 429, ucsError('UCS.01000002', 'Too many requests'), { 'X-Request-Id': 'thr' }));
    const err = await failure(client(base, TOKEN, { maxAttempts: 3 }).getPolicyJob('j'));
    expect(err).toBeInstanceOf(ThrottledError);
    expect(err).toMatchObject({ requestId: 'thr' });
    expect(seen).toHaveLength(3);
  });

  it('a refused connection is retried, then UpstreamError', async () => {
    const { base } = await serve(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    const err = await failure(client(base, TOKEN, { maxAttempts: 2 }).getPolicyJob('j'));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toMatch(/network error \(ECONNREFUSED\).*2 attempts/);
  });
});

describe('typed errors', () => {
  it.each([
    [400, ucsError('UCS.00000001', 'bad param'), BadRequestError, 'UCS.00000001', 'bad param'],
    [403, { error: { code: 'UCS.00000004', message: 'no permission' } }, ForbiddenError, 'UCS.00000004', 'no permission'],
    [404, ucsError('UCS.00000013', 'not found'), NotFoundError, 'UCS.00000013', 'not found'],
    [404, 'plain text not found', NotFoundError, undefined, 'plain text not found'],
    [404, '', NotFoundError, undefined, undefined],
    [502, '<html>Bad Gateway</html>', UpstreamError, undefined, '<html>Bad Gateway</html>'],
  ])('HTTP %i → typed error, not retried unless 5xx', async (status, body, type, errorCode, errorMsg) => {
    const { base, seen } = await serve((_req, res) => json(res, status, body, { 'X-Request-Id': `req-${status}` }));
    const err = await failure(client(base, TOKEN, { maxAttempts: 2 }).getFederationProgress('fleet-1'));
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ status, errorCode, errorMsg, requestId: `req-${status}`, operation: 'GET /v1/clustergroups/fleet-1/federations/progress' });
    expect(seen).toHaveLength(status >= 500 ? 2 : 1);
  });

  it('a 2xx body that is not JSON is InvalidResponseError', async () => {
    const { base } = await serve((_req, res) => json(res, 200, '{"metadata": {"uid": "x"', { 'X-Request-Id': 'bad-json' }));
    const err = await failure(client(base, TOKEN).getFederationProgress('f'));
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err).toMatchObject({ status: 200, requestId: 'bad-json' });
  });

  it('a 2xx body that fails the schema is InvalidResponseError naming the field', async () => {
    const { base } = await serve((_req, res) => json(res, 200, { metadata: { name: 'no uid' }, status: { status: 'Running' } }));
    const err = await failure(client(base, TOKEN).getPolicyJob('p'));
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect((err as InvalidResponseError).path).toMatch(/metadata\.uid/);
  });
});

describe('discovery', () => {
  it('pages through all fleets until a short page', async () => {
    const fleets = Array.from({ length: 25 }, (_, i) => `fleet-${i}`);
    const { base, seen } = await serve((req, res) => {
      const q = new URL(req.url, 'http://x').searchParams;
      const limit = Number(q.get('limit'));
      const offset = Number(q.get('offset'));
      json(res, 200, { total: fleets.length, items: fleets.slice(offset, offset + limit).map((uid) => ({ metadata: { uid, name: uid } })) });
    });
    expect(await client(base, TOKEN, { pageLimit: 10 }).listFleetIds()).toEqual(fleets);
    expect(seen.map((s) => s.url)).toEqual(['/v1/clustergroups?limit=10&offset=0', '/v1/clustergroups?limit=10&offset=10', '/v1/clustergroups?limit=10&offset=20']);
  });

  it('stops at total without asking for an empty page', async () => {
    const { base, seen } = await serve((req, res) => {
      const offset = Number(new URL(req.url, 'http://x').searchParams.get('offset'));
      json(res, 200, { total: 4, items: [0, 1].map((i) => ({ metadata: { uid: `f${offset + i}` } })) });
    });
    expect(await client(base, TOKEN, { pageLimit: 2 }).listFleetIds()).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(seen).toHaveLength(2);
  });

  it('lists policy jobs without kind when no kinds are configured, de-duplicated', async () => {
    const { base, seen } = await serve((_req, res) => json(res, 200, { items: [{ metadata: { uid: 'p1' } }, { metadata: { uid: 'p2' } }, { metadata: { uid: 'p1' } }] }));
    expect(await client(base, TOKEN).listPolicyJobIds()).toEqual(['p1', 'p2']);
    expect(seen.map((s) => s.url)).toEqual(['/v1/policy/jobs']);
  });
});

describe('secrets never leak', () => {
  const secrets = ['pw-secret-value', 'static-token-value', 'sk-secret-value', 'sts-token-value', 'iam-token-leak-check'];
  let captured: string[];

  beforeEach(() => {
    captured = [];
    logger.setLogLevel('DEBUG');
    const keep = (chunk: unknown) => captured.push(String(chunk));
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => (keep(chunk), write(chunk, ...(rest as []))));
    }
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      const original = logger[level].bind(logger) as (...args: unknown[]) => void;
      vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => (captured.push(JSON.stringify(args)), original(...args)));
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('INFO');
  });

  it('appear in no log line and no error across failing auth paths', async () => {
    const errors: Error[] = [];
    const collect = (p: Promise<unknown>) => p.then(() => undefined, (err: Error) => void errors.push(err));
    // IAM refuses, then IAM answers but UCS refuses the token, with retries on 5xx on the way.
    const iamRefuses = await serve((_req, res) => json(res, 401, { error: { code: 'APIGW.0301', message: 'Incorrect IAM authentication information' } }));
    await collect(client(iamRefuses.base, { mode: 'password', username: 'alice', password: 'pw-secret-value', domainName: 'acme', iamEndpoint: iamRefuses.base }).getPolicyJob('a'));
    let calls = 0;
    const ucsRefuses = await serve((req, res) => {
      calls += 1;
      if (req.url === '/v3/auth/tokens') return json(res, 201, { token: { expires_at: '2099-01-01T00:00:00Z' } }, { 'X-Subject-Token': 'iam-token-leak-check' });
      return calls % 2 === 0 ? json(res, 500, 'oops') : json(res, 401, ucsError('UCS.00000003', 'token invalid'));
    });
    await collect(client(ucsRefuses.base, { mode: 'password', username: 'alice', password: 'pw-secret-value', domainName: 'acme', iamEndpoint: ucsRefuses.base }).getPolicyJob('b'));
    await collect(client(ucsRefuses.base, TOKEN).listFleetIds());
    await collect(client(ucsRefuses.base, { mode: 'aksk', accessKey: 'AK', secretKey: 'sk-secret-value', domainId: 'd', securityToken: 'sts-token-value' }).listPolicyJobIds());
    const down = await serve(() => undefined);
    await collect(client(down.base, TOKEN, { timeoutMs: 100, maxAttempts: 2 }).getPolicyJob('c'));

    expect(errors).toHaveLength(5);
    expect(captured.join('\n')).toMatch(/UCS call retried/); // the capture works, so its absence below means something
    const text = [...captured, ...errors.flatMap((e) => [e.message, String(e.stack), JSON.stringify(e), String(e.cause)])].join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
