// The simulator's HTTP face: node:http on 127.0.0.1, UCS routes, IAM token issue, auth on every UCS call,
// and fault injection on authenticated UCS calls only (IAM login stays reliable so auth tests are exact).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_AUTH, SimulatorAuth, type AuthConfig } from './auth';
import { AcceleratedClock, type SimClock } from './clock';
import { decideFault, driftBody, malformedBody, type FaultConfig } from './faults';
import { Scenario, type Incident } from './scenario';

/** How to start a simulator; every field is optional. */
export interface SimulatorOptions {
  /** Scenario seed (default 1). */
  seed?: number;
  /** Number of fleets (default 5). */
  fleets?: number;
  /** Mean policy-job arrivals per simulated hour (default 12; 0 = only jobs added with `addPolicyJob`). */
  policyJobsPerHour?: number;
  /** Simulated start (default: `clock.now()`, else DEFAULT_SEEDED_START when a seed is given, else now). */
  start?: Date;
  /** Default: real time (an AcceleratedClock with factor 1) from `start`. */
  clock?: SimClock;
  /** Default: DEFAULT_AUTH (every mode with the DEFAULT_LOCAL_* credentials). Never open. */
  auth?: AuthConfig;
  faults?: FaultConfig;
  /** Max page size of `GET /v1/clustergroups` (default 50); `limit` is clamped to it. */
  pageSize?: number;
  /** Default 0: a free port. */
  port?: number;
  /** Incidents in the generated policy jobs: a type failing more (and slower) on one cluster from a time on. */
  incidents?: readonly Incident[];
}

/** A started simulator. */
export interface RunningSimulator {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  clock: SimClock;
  scenario: Scenario;
  /** Replaces the fault configuration (the request counter keeps going). */
  setFaults(f: FaultConfig): void;
  /** Requests received, and answers by HTTP status (`timeout` for held requests). */
  stats(): { requests: number; byStatus: Record<string, number> };
  /** Invalidates every IAM-issued token (forces a client's refresh-on-401). */
  revokeIamTokens(): void;
  /** Stops listening and destroys every open socket, held ones included. */
  close(): Promise<void>;
}

/** The start of a seeded scenario when neither `start` nor `clock` says otherwise. */
export const DEFAULT_SEEDED_START = new Date('2025-11-10T00:00:00.000Z');

/** UCS error codes the simulator answers with. */
export const UCS_ERROR = {
  unauthorized: 'UCS.00000001',
  badRequest: 'UCS.00000002',
  internal: 'UCS.00000004',
  notFound: 'UCS.00000013',
  throttled: 'UCS.01000002',
} as const;

const ROUTES = {
  federationProgress: /^\/v1\/clustergroups\/([^/]+)\/federations\/progress\/?$/,
  policyJob: /^\/v1\/policy\/jobs\/([^/]+)\/?$/,
  clusterGroups: /^\/v1\/clustergroups\/?$/,
  policyJobs: /^\/v1\/policy\/jobs\/?$/,
  iamTokens: /^\/v3\/auth\/tokens\/?$/,
};

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

function ucsError(status: number, code: string, msg: string): Answer {
  return { status, body: { error_code: code, error_msg: msg } };
}

/** A non-negative integer query parameter, `fallback` when absent, undefined when invalid. */
function intParam(value: string | null, fallback: number): number | undefined {
  if (value === null || value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Flattens node's header object (arrays joined by `,`, as a proxy would). */
function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** Starts a UCS simulator on 127.0.0.1. */
export async function startUcsSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const start = opts.start ?? opts.clock?.now() ?? (opts.seed !== undefined ? DEFAULT_SEEDED_START : new Date());
  const clock = opts.clock ?? new AcceleratedClock(start, 1);
  const scenario = new Scenario({
    seed: opts.seed ?? 1,
    fleets: opts.fleets ?? 5,
    policyJobsPerHour: opts.policyJobsPerHour ?? 12,
    start,
    now: () => clock.now(),
    ...(opts.incidents && { incidents: opts.incidents }),
  });
  const auth = new SimulatorAuth(opts.auth ?? DEFAULT_AUTH);
  const pageSize = Math.max(1, opts.pageSize ?? 50);
  let faults: FaultConfig = opts.faults ?? {};
  let requests = 0;
  let faultCounter = 0;
  const byStatus: Record<string, number> = {};
  const count = (key: string): void => {
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  };

  /** The answer of an authenticated UCS route, computed at the simulated now. */
  const route = (method: string, url: URL): Answer | undefined => {
    if (method !== 'GET') return undefined;
    const now = clock.now();
    let m = ROUTES.federationProgress.exec(url.pathname);
    if (m) {
      const body = scenario.federationJobAt(decodeURIComponent(m[1] ?? ''), now);
      return body ? { status: 200, body } : ucsError(404, UCS_ERROR.notFound, 'The fleet does not exist or has no federation job.');
    }
    m = ROUTES.policyJob.exec(url.pathname);
    if (m) {
      const body = scenario.policyJobAt(decodeURIComponent(m[1] ?? ''), now);
      return body ? { status: 200, body } : ucsError(404, UCS_ERROR.notFound, 'The job does not exist.');
    }
    if (ROUTES.clusterGroups.test(url.pathname)) {
      const limit = intParam(url.searchParams.get('limit'), pageSize);
      const offset = intParam(url.searchParams.get('offset'), 0);
      if (limit === undefined || offset === undefined) return ucsError(400, UCS_ERROR.badRequest, 'limit and offset must be non-negative integers.');
      const all = scenario.clusterGroupsAt(now);
      const size = Math.min(Math.max(limit, 1), pageSize);
      return { status: 200, body: { items: all.slice(offset, offset + size), total: all.length } };
    }
    if (ROUTES.policyJobs.test(url.pathname)) {
      const kinds = url.searchParams.getAll('kind').flatMap((k) => k.split(',')).map((k) => k.trim());
      return { status: 200, body: { items: scenario.policyJobsAt(now, kinds) } };
    }
    return undefined;
  };

  const send = (res: ServerResponse, answer: Answer, raw?: string): void => {
    count(String(answer.status));
    const text = raw ?? (answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    const json = raw !== undefined || (answer.body !== undefined && typeof answer.body !== 'string');
    res.writeHead(answer.status, {
      'X-Request-Id': randomUUID(),
      ...(text !== '' ? { 'Content-Type': json ? 'application/json;charset=utf-8' : 'text/plain;charset=utf-8' } : {}),
      'Content-Length': Buffer.byteLength(text),
      ...answer.headers,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';

    if (ROUTES.iamTokens.test(url.pathname) && method === 'POST') {
      const issued = auth.issueToken(body);
      send(res, { status: issued.status, body: issued.body, headers: 'token' in issued ? { 'X-Subject-Token': issued.token } : undefined });
      return;
    }
    if (!Object.values(ROUTES).some((r) => r.test(url.pathname))) {
      // What API Gateway answers for a path it does not know, before any auth.
      send(res, { status: 404, body: { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment' } });
      return;
    }
    const verdict = auth.verify({ method, rawUrl: req.url ?? '/', headers: flatHeaders(req), body });
    if (!verdict.ok) {
      send(res, ucsError(401, UCS_ERROR.unauthorized, verdict.message));
      return;
    }

    const fault = decideFault(faults, faultCounter++);
    if (fault.kind === 'timeout') {
      count('timeout');
      return; // hold: never answer; close() destroys the socket
    }
    if ((faults.latencyMs ?? 0) > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (fault.kind === 'error500') {
      const answer = ucsError(500, UCS_ERROR.internal, 'Internal server error.');
      send(res, fault.body === 'json' ? answer : { status: 500, body: fault.body === 'text' ? 'Internal Server Error' : undefined });
      return;
    }
    if (fault.kind === 'throttle') {
      const answer = ucsError(429, UCS_ERROR.throttled, 'The request is throttled. Try again later.');
      send(res, { ...answer, headers: fault.retryAfter ? { 'Retry-After': '1' } : undefined });
      return;
    }
    const answer = route(method, url) ?? ucsError(404, UCS_ERROR.notFound, `${method} ${url.pathname} is not supported.`);
    if (answer.status === 200 && fault.kind === 'malformed') {
      send(res, answer, malformedBody(JSON.stringify(answer.body)));
      return;
    }
    send(res, answer.status === 200 && fault.kind === 'drift' ? { ...answer, body: driftBody(answer.body, fault.variant) } : answer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, ucsError(500, UCS_ERROR.internal, `simulator error: ${err instanceof Error ? err.message : String(err)}`));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    clock,
    scenario,
    setFaults: (f) => {
      faults = f;
    },
    stats: () => ({ requests, byStatus: { ...byStatus } }),
    revokeIamTokens: () => auth.revokeIssuedTokens(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Held (timeout-fault) and keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      }),
  };
}
