import { request } from 'node:http';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, startUcsSimulator, type RunningSimulator } from '../../lib/local/simulator';
import { signRequest } from '../../lib/ucs/signer';
import { ClusterGroupList, FederationJob, PolicyJob, PolicyJobList, parseUcsResponse } from '../../lib/ucs/schemas';

const TOKEN = 'test-static-token';
const AKSK = { accessKey: 'TESTAK0000000001', secretKey: 'test-secret-key', domainId: 'd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0' };
const USER = { username: 'alice', password: 'p@ss word', domainName: 'acme' };
const SHORT_USER = { username: 'bob', password: 'pw', domainName: 'acme', tokenTtlSec: 0 };

/** A nested property of a JSON body, undefined when any step is missing (bodies are inspected loosely). */
function at(value: unknown, ...keys: (string | number)[]): unknown {
  let cur = value;
  for (const k of keys) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[k] : undefined;
  return cur;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body as JSON; the tests read it through zod schemas or loosely. */
  json: () => unknown;
}

/** One HTTP request over loopback with node:http (fetch would not let us control Host for the SDK signer). */
function call(sim: RunningSimulator, method: string, path: string, headers: Record<string, string> = {}, body?: string, timeoutMs = 5000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const { host: _host, ...rest } = headers;
    const req = request(`${sim.url}${path}`, { method, headers: rest, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const withToken = { 'X-Auth-Token': TOKEN };

function signed(sim: RunningSimulator, method: string, path: string, now = new Date(), creds = AKSK): Record<string, string> {
  const base = { 'Content-Type': 'application/json' };
  return { ...base, ...signRequest({ method, url: `${sim.url}${path}`, headers: base }, creds, now) };
}

function iamBody(u: { username: string; password: string; domainName: string }): string {
  return JSON.stringify({
    auth: {
      identity: { methods: ['password'], password: { user: { name: u.username, password: u.password, domain: { name: u.domainName } } } },
      scope: { domain: { name: u.domainName } },
    },
  });
}

describe('UCS simulator over HTTP', () => {
  let sim: RunningSimulator;
  const clock = new ManualClock(new Date('2025-11-10T02:00:00.000Z'));

  beforeAll(async () => {
    sim = await startUcsSimulator({
      seed: 21,
      fleets: 5,
      pageSize: 2,
      clock,
      start: new Date('2025-11-10T00:00:00.000Z'),
      auth: { tokens: [TOKEN], akSk: [AKSK], iamUsers: [USER, SHORT_USER] },
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('auth', () => {
    const fleetPath = (): string => `/v1/clustergroups/${sim.scenario.fleetIds()[0]}/federations/progress`;

    it('accepts a static token and serves exactly the scenario body', async () => {
      const res = await call(sim, 'GET', fleetPath(), withToken);
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(res.json()).toEqual(sim.scenario.federationJobAt(sim.scenario.fleetIds()[0]!, clock.now()));
      parseUcsResponse(FederationJob, res.json(), 'progress');
    });

    it('rejects no credentials and a bad token with a UCS 401 body', async () => {
      for (const headers of [{}, { 'X-Auth-Token': 'nope' }] as Record<string, string>[]) {
        const res = await call(sim, 'GET', fleetPath(), headers);
        expect(res.status).toBe(401);
        expect(at(res.json(), 'error_code')).toBe('UCS.00000001');
        expect(res.headers['x-request-id']).toBeTruthy();
      }
    });

    it('accepts AK/SK signed by our signer and by the official SDK signer', async () => {
      expect((await call(sim, 'GET', fleetPath(), signed(sim, 'GET', fleetPath()))).status).toBe(200);
      const path = '/v1/policy/jobs';
      const sdkHeaders = AKSKSigner.sign(
        { endpoint: `${sim.url}${path}`, method: 'GET', headers: { 'Content-Type': 'application/json', 'X-Domain-Id': AKSK.domainId }, queryParams: { kind: 'constraint' } },
        { getAk: () => AKSK.accessKey, getSk: () => AKSK.secretKey } as unknown as Parameters<typeof AKSKSigner.sign>[1],
      ) as Record<string, string>;
      const res = await call(sim, 'GET', `${path}?kind=constraint`, sdkHeaders);
      expect(res.status).toBe(200);
    });

    it('rejects a signature more than 15 minutes off the real clock, a tampered request and a wrong secret', async () => {
      const skewed = signed(sim, 'GET', fleetPath(), new Date(Date.now() - 16 * 60_000));
      expect((await call(sim, 'GET', fleetPath(), skewed)).status).toBe(401);
      const slightly = signed(sim, 'GET', fleetPath(), new Date(Date.now() + 14 * 60_000));
      expect((await call(sim, 'GET', fleetPath(), slightly)).status).toBe(200);
      const other = `/v1/clustergroups/${sim.scenario.fleetIds()[1]}/federations/progress`;
      expect((await call(sim, 'GET', other, signed(sim, 'GET', fleetPath()))).status).toBe(401);
      const wrong = signed(sim, 'GET', fleetPath(), new Date(), { ...AKSK, secretKey: 'guess' });
      expect((await call(sim, 'GET', fleetPath(), wrong)).status).toBe(401);
    });

    it('issues IAM tokens that work until expired or revoked, and refuses a bad password', async () => {
      expect((await call(sim, 'POST', '/v3/auth/tokens', { 'Content-Type': 'application/json' }, iamBody({ ...USER, password: 'bad' }))).status).toBe(401);
      const issued = await call(sim, 'POST', '/v3/auth/tokens', { 'Content-Type': 'application/json' }, iamBody(USER));
      expect(issued.status).toBe(201);
      const token = issued.headers['x-subject-token'] as string;
      expect(token).toBeTruthy();
      const times = [at(issued.json(), 'token', 'expires_at'), at(issued.json(), 'token', 'issued_at')].map((t) => Date.parse(String(t)));
      expect(times[0]! - times[1]!).toBe(86_400_000);
      expect((await call(sim, 'GET', fleetPath(), { 'X-Auth-Token': token })).status).toBe(200);
      sim.revokeIamTokens();
      expect((await call(sim, 'GET', fleetPath(), { 'X-Auth-Token': token })).status).toBe(401);
      const short = await call(sim, 'POST', '/v3/auth/tokens', {}, iamBody(SHORT_USER));
      const expired = await call(sim, 'GET', fleetPath(), { 'X-Auth-Token': short.headers['x-subject-token'] as string });
      expect(expired.status).toBe(401);
      expect(at(expired.json(), 'error_msg')).toMatch(/expired/);
    });
  });

  describe('routes', () => {
    it('pages cluster groups, clamping limit to the page size', async () => {
      const seen: string[] = [];
      let total = -1;
      for (let offset = 0; offset < 20; offset += 2) {
        const res = await call(sim, 'GET', `/v1/clustergroups?limit=100&offset=${offset}`, withToken);
        const page = parseUcsResponse(ClusterGroupList, res.json(), 'list');
        expect(page.items.length).toBeLessThanOrEqual(2);
        total = page.total ?? -1;
        if (page.items.length === 0) break;
        seen.push(...page.items.map((i) => i.metadata.uid));
      }
      expect(total).toBe(5);
      expect(seen).toEqual(sim.scenario.fleetIds());
      expect((await call(sim, 'GET', '/v1/clustergroups?limit=-1', withToken)).status).toBe(400);
    });

    it('lists policy jobs by kind', async () => {
      const all = parseUcsResponse(PolicyJobList, (await call(sim, 'GET', '/v1/policy/jobs', withToken)).json(), 'list');
      expect(all.items.map((i) => i.metadata.uid)).toEqual(sim.scenario.policyJobIds());
      const constraints = parseUcsResponse(PolicyJobList, (await call(sim, 'GET', '/v1/policy/jobs?kind=constraint', withToken)).json(), 'list');
      expect(constraints.items.every((i) => /Constraint$/.test(i.spec?.type ?? ''))).toBe(true);
      expect(constraints.items.length).toBe(all.items.filter((i) => /Constraint$/.test(i.spec?.type ?? '')).length);
    });

    it('serves a policy job, then 404 UCS.00000013 once deleted; unknown routes get the gateway 404', async () => {
      const id = sim.scenario.addPolicyJob({ outcomes: ['succeeded'] });
      const res = await call(sim, 'GET', `/v1/policy/jobs/${id}`, withToken);
      expect(parseUcsResponse(PolicyJob, res.json(), 'job').metadata.uid).toBe(id);
      clock.advance(1);
      sim.scenario.deleteJob(id);
      const gone = await call(sim, 'GET', `/v1/policy/jobs/${id}`, withToken);
      expect(gone.status).toBe(404);
      expect(at(gone.json(), 'error_code')).toBe('UCS.00000013');
      expect(at((await call(sim, 'GET', '/v2/nothing', withToken)).json(), 'error_code')).toBe('APIGW.0101');
    });
  });

  describe('faults', () => {
    const path = (): string => `/v1/policy/jobs/${sim.scenario.policyJobIds()[0]}`;
    afterAll(() => sim.setFaults({}));

    it('500, 429 (UCS.01000002) and latency', async () => {
      sim.setFaults({ error500Rate: 1, seed: 1 });
      expect((await call(sim, 'GET', path(), withToken)).status).toBe(500);
      sim.setFaults({ throttleRate: 1, seed: 1 });
      const statuses = await Promise.all(Array.from({ length: 6 }, () => call(sim, 'GET', path(), withToken)));
      for (const r of statuses) {
        expect(r.status).toBe(429);
        expect(at(r.json(), 'error_code')).toBe('UCS.01000002');
      }
      expect(statuses.some((r) => r.headers['retry-after'] === '1')).toBe(true);
      sim.setFaults({ latencyMs: 300 });
      const t0 = performance.now();
      expect((await call(sim, 'GET', path(), withToken)).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    });

    it('timeouts hold the request until the client gives up', async () => {
      sim.setFaults({ timeoutRate: 1 });
      const before = sim.stats().byStatus.timeout ?? 0;
      await expect(call(sim, 'GET', path(), withToken, undefined, 300)).rejects.toThrow();
      expect(sim.stats().byStatus.timeout).toBe(before + 1);
    });

    it('malformed JSON and each kind of schema drift', async () => {
      sim.setFaults({ malformedRate: 1 });
      const bad = await call(sim, 'GET', path(), withToken);
      expect(bad.status).toBe(200);
      expect(() => bad.json()).toThrow();
      sim.setFaults({ driftRate: 1, seed: 3 });
      const seen = new Set<string>();
      for (let i = 0; i < 30 && seen.size < 3; i++) {
        const body = (await call(sim, 'GET', path(), withToken)).json();
        if (at(body, 'x_ucs_trace') !== undefined) seen.add('extra');
        if (at(body, 'metadata', 'updateTimestamp') === undefined) seen.add('missing');
        if (at(body, 'status', 'status') === 'Reconciling') seen.add('phase');
        parseUcsResponse(PolicyJob, body, 'drifted job'); // drift stays within what the schema tolerates
      }
      expect([...seen].sort()).toEqual(['extra', 'missing', 'phase']);
    });
  });
});

it('close() ends fast even with a held request', async () => {
  const sim = await startUcsSimulator({ seed: 1, fleets: 1, faults: { timeoutRate: 1 } });
  const pending = call(sim, 'GET', `/v1/clustergroups`, { 'X-Auth-Token': 'local-ucs-simulator-token' }, undefined, 30_000);
  // Close once the simulator holds the request (an event, not a fixed sleep).
  while ((sim.stats().byStatus.timeout ?? 0) === 0) await new Promise((r) => setTimeout(r, 10));
  const t0 = performance.now();
  await sim.close();
  // close() destroyed the held socket rather than waiting for the client's 30 s timeout.
  expect(performance.now() - t0).toBeLessThan(30_000 / 3);
  await expect(pending).rejects.toThrow();
});
