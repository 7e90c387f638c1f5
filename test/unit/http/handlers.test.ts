import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobRecord } from '../../../lib/jobs/record';
import type { JobStore } from '../../../lib/store/port';
import { apiEvent, invoke } from '../../support/api-event';
import { MemoryJobStore } from '../../support/memory-store';
import { expectDurationStats, expectFailureRateStats, generateRuns } from '../../support/stats-oracle';
import type { Target } from '../../../lib/jobs/target';

// The handlers read the config at cold start and take the store from default-store: give them a test config
// and the in-memory store.
const holder = vi.hoisted(() => {
  process.env.TABLE_NAME = 'unit-test-table';
  // The local form of the cursor key (deployed: a generated Secrets Manager secret).
  process.env.CURSOR_KEY = 'unit-test-cursor-key-0123456789abcdef';
  process.env.MAX_WINDOW_DAYS = '400';
  return { store: undefined as unknown as JobStore };
});
vi.mock('../../../lib/store/default-store', () => ({ defaultJobStore: () => holder.store }));

const { handler: listJobs } = await import('../../../functions/list-jobs');
const { handler: getJob } = await import('../../../functions/get-job');
const { handler: durations } = await import('../../../functions/stats-durations');
const { handler: failureRates } = await import('../../../functions/stats-failure-rates');
const { handler: listTargets } = await import('../../../functions/list-targets');
const { handler: addTarget } = await import('../../../functions/add-target');
const { handler: removeTarget } = await import('../../../functions/remove-target');
const { handler: health } = await import('../../../functions/health');
const { handler: notFound } = await import('../../../functions/not-found');
const { API_ROUTES } = await import('../../../lib/http/routes');
const { ErrorBody } = await import('../../../lib/http/schemas');

const DATA = { from: '2025-11-01T00:00:00Z', to: '2025-11-12T00:00:00Z' };
const runs = generateRuns(3, 600, DATA);

const job = (i: number, overrides: Partial<JobRecord> = {}): JobRecord => ({
  source: i % 2 ? 'policy' : 'federation',
  jobId: `job-${String(i).padStart(3, '0')}`,
  type: i % 3 ? 'CreateFederation' : 'EnablePolicy',
  status: i % 4 ? 'succeeded' : 'failed',
  fleetId: `fleet-${i % 2}`,
  startedAt: `2025-11-${String(1 + (i % 10)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00.000000Z`,
  attempt: 1,
  steps: [],
  observedAt: '2025-11-11T00:00:00.000000Z',
  ...overrides,
});
const jobs = Array.from({ length: 45 }, (_, i) => job(i));

const target = (kind: Target['kind'], id: string): Target => ({
  kind,
  id,
  state: 'active',
  addedAt: '2025-11-01T00:00:00.000000Z',
  addedBy: 'discovery',
  consecutiveFailures: 0,
  nextPollAt: '2025-11-01T00:01:00.000000Z',
  lastFingerprint: 'internal-fingerprint',
});

let store: MemoryJobStore;
beforeEach(() => {
  store = new MemoryJobStore({
    runs,
    jobs: jobs.map((j) => ({ job: j, history: [{ ...j, status: 'running' }, j] })),
    targets: [target('fleet', 'f-1')],
  });
  holder.store = store;
});
afterEach(() => {
  vi.useRealTimers();
});

const get = (route: string, query: Record<string, string> = {}, pathParameters?: Record<string, string>) =>
  apiEvent({ method: 'GET', route, query, pathParameters });

/** Validates a success body against the route's response schema (what the OpenAPI document promises). */
function expectSchema(method: string, path: string, status: number, body: unknown) {
  const route = API_ROUTES.find((r) => r.method === method && r.path === path)!;
  const response = route.responses[status];
  expect(response, `${method} ${path} ${status} is documented`).toBeDefined();
  expect(response!.schema.safeParse(body).error).toBeUndefined();
}

describe('bad input answers 400 naming the parameter', () => {
  const cases: [string, typeof durations, ReturnType<typeof apiEvent>, string][] = [
    ['unknown groupBy', durations, get('/stats/durations', { groupBy: 'colour' }), 'groupBy'],
    ['unknown level', failureRates, get('/stats/failure-rates', { level: 'task' }), 'level'],
    ['groupBy=cluster with level=job', durations, get('/stats/durations', { groupBy: 'cluster', level: 'job' }), 'groupBy'],
    ['groupBy=cluster with the default level', failureRates, get('/stats/failure-rates', { groupBy: 'cluster' }), 'groupBy'],
    ['a bad date', durations, get('/stats/durations', { from: 'yesterday' }), 'from'],
    ['an impossible date', durations, get('/stats/durations', { to: '2025-02-30T00:00:00Z' }), 'to'],
    ['a time without a zone', failureRates, get('/stats/failure-rates', { from: '2025-11-01T10:00:00' }), 'from'],
    ['from = to', durations, get('/stats/durations', { from: '2025-11-02T00:00:00Z', to: '2025-11-02T00:00:00Z' }), 'from'],
    ['from > to', failureRates, get('/stats/failure-rates', { from: '2025-11-03', to: '2025-11-02' }), 'from'],
    ['a window over 400 days', durations, get('/stats/durations', { from: '2024-01-01', to: '2025-02-05' }), 'from'],
    ['an hourly series too long', durations, get('/stats/durations', { from: '2025-01-01', to: '2025-03-01', interval: 'hour' }), 'interval'],
    ['unknown interval', durations, get('/stats/durations', { interval: 'week' }), 'interval'],
    ['unknown compare', failureRates, get('/stats/failure-rates', { compare: 'next' }), 'compare'],
    ['attempt=second on failure rates', failureRates, get('/stats/failure-rates', { attempt: 'second' }), 'attempt'],
    ['attempt=second on durations', durations, get('/stats/durations', { attempt: 'second' }), 'attempt'],
    ['unknown source', durations, get('/stats/durations', { source: 'k8s' }), 'source'],
    ['unknown status', durations, get('/stats/durations', { status: 'exploded' }), 'status'],
    ['non-terminal status on durations', durations, get('/stats/durations', { status: 'running' }), 'status'],
    ['status on failure rates', failureRates, get('/stats/failure-rates', { status: 'failed' }), 'status'],
    ['an empty type', durations, get('/stats/durations', { type: '' }), 'type'],
    ['an unknown parameter', durations, get('/stats/durations', { groupby: 'type' }), 'groupby'],
    ['limit 0', listJobs, get('/jobs', { limit: '0' }), 'limit'],
    ['limit 101', listJobs, get('/jobs', { limit: '101' }), 'limit'],
    ['limit not a number', listJobs, get('/jobs', { limit: 'ten' }), 'limit'],
    ['limit fractional', listJobs, get('/jobs', { limit: '2.5' }), 'limit'],
    ['a garbage cursor', listJobs, get('/jobs', { cursor: 'garbage' }), 'cursor'],
    ['a cursor with bad characters', listJobs, get('/jobs', { cursor: '%%%$$$' }), 'cursor'],
    ['unknown job status', listJobs, get('/jobs', { status: 'exploded' }), 'status'],
    ['unknown job source', listJobs, get('/jobs', { source: 'k8s' }), 'source'],
    ['jobs from > to', listJobs, get('/jobs', { from: '2025-11-05', to: '2025-11-01' }), 'from'],
    ['jobs window over 400 days', listJobs, get('/jobs', { from: '2020-01-01', to: '2025-11-01' }), 'from'],
    ['unknown source in the path', getJob, get('/jobs/{source}/{jobId}', {}, { source: 'k8s', jobId: 'x' }), 'source'],
    ['unknown target kind', listTargets, get('/targets', { kind: 'cluster' }), 'kind'],
    ['bad includeRetired', listTargets, get('/targets', { includeRetired: 'maybe' }), 'includeRetired'],
    ['unknown kind in the path', removeTarget, apiEvent({ method: 'DELETE', route: '/targets/{kind}/{id}', pathParameters: { kind: 'cluster', id: 'x' } }), 'kind'],
    ['a parameter with no name', listJobs, get('/jobs', { '': '5' }), 'query'],
    ...['fz-\ud800', 'a\u0000b', 'evil\u202Egpj', '..', '.', 'Fleet_1', '-f', 'f-', 'a'.repeat(254)].map(
      (id) => [`an id that is not a UCS id (${JSON.stringify(id).slice(0, 24)}) in the path`, removeTarget, apiEvent({ method: 'DELETE', route: '/targets/{kind}/{id}', pathParameters: { kind: 'fleet', id } }), 'id'] as [string, typeof durations, ReturnType<typeof apiEvent>, string],
    ),
  ];
  it.each(cases)('%s', async (_name, handler, event, parameter) => {
    const { status, body } = await invoke(handler, event);
    expect(status).toBe(400);
    expect(ErrorBody.parse(body).error.code).toBe('bad_request');
    expect(body.error.details.parameter).toBe(parameter);
    expect(body.error.message).toContain(`"${parameter}"`);
  });

  const post = (body?: string) => apiEvent({ method: 'POST', route: '/targets', body });
  const bodies: [string, string | undefined, string][] = [
    ['no body', undefined, 'body'],
    ['not JSON', '{"kind": "fleet", ', 'body'],
    ['a JSON array', '[]', 'body'],
    ['a JSON string', '"fleet"', 'body'],
    ['no kind', '{"id": "f-2"}', 'kind'],
    ['no id', '{"kind": "fleet"}', 'id'],
    ['an unknown kind', '{"kind": "cluster", "id": "c-1"}', 'kind'],
    ['an id with a slash', '{"kind": "fleet", "id": "a/b"}', 'id'],
    ['an id that is a number', '{"kind": "fleet", "id": 7}', 'id'],
    ['a lone surrogate in the id', '{"kind": "fleet", "id": "fz-\\ud800"}', 'id'],
    ['NUL in the id', '{"kind": "fleet", "id": "a\\u0000b"}', 'id'],
    ['U+202E in the id', '{"kind": "policy-job", "id": "evil\\u202egpj"}', 'id'],
    ['.. as the id', '{"kind": "fleet", "id": ".."}', 'id'],
    ['an unknown field', '{"kind": "fleet", "id": "f-2", "force": true}', 'force'],
  ];
  it.each(bodies)('POST /targets with %s', async (_name, text, parameter) => {
    const { status, body } = await invoke(addTarget, post(text));
    expect(status).toBe(400);
    expect(body.error.details.parameter).toBe(parameter);
  });
});

describe('GET /stats/*', () => {
  const window = { from: '2025-11-02T07:24:03.553733Z', to: '2025-11-09T15:10:00Z' };

  it('answers exact durations, validated against the response schema', async () => {
    const { status, body, headers } = await invoke(durations, get('/stats/durations', { ...window, level: 'step', groupBy: 'cluster', source: 'policy' }));
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expectSchema('get', '/stats/durations', 200, body);
    expect(body).toMatchObject({ from: '2025-11-02T07:24:03.553733Z', to: '2025-11-09T15:10:00.000000Z', level: 'step', groupBy: 'cluster' });
    expectDurationStats(body, runs, { level: 'step', groupBy: 'cluster', source: 'policy', ...window });
  });

  it('answers exact failure rates with series and comparison, validated against the response schema', async () => {
    const query = { ...window, groupBy: 'type', interval: 'day', compare: 'previous' };
    const { status, body } = await invoke(failureRates, get('/stats/failure-rates', query));
    expect(status).toBe(200);
    expectSchema('get', '/stats/failure-rates', 200, body);
    expectFailureRateStats(body, runs, { level: 'job', groupBy: 'type', ...window });
    expect(body.groups[0].series).toHaveLength(8);
    expect(body.previous.to).toBe(body.from);
  });

  it('defaults to level job, groupBy type and the 7 days up to the next whole hour', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-11-10T07:24:03.553Z'));
    const { status, body } = await invoke(durations, get('/stats/durations'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: '2025-11-03T08:00:00.000000Z', to: '2025-11-10T08:00:00.000000Z', level: 'job', groupBy: 'type' });
    expectDurationStats(body, runs, { level: 'job', groupBy: 'type', from: body.from, to: body.to });
    // Whole hours only: no run was read.
    expect(store.reads.runQueries).toBe(0);
  });

  it('accepts a window of exactly the maximum length', async () => {
    const { status } = await invoke(durations, get('/stats/durations', { from: '2024-11-01T00:00:00Z', to: '2025-12-06T00:00:00Z' }));
    expect(status).toBe(200);
  });
});

describe('GET /jobs', () => {
  it('pages through every job newest first with an opaque cursor', async () => {
    const seen: JobRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await invoke(listJobs, get('/jobs', { limit: '20', ...(cursor && { cursor }) }));
      expect(status).toBe(200);
      expectSchema('get', '/jobs', 200, body);
      seen.push(...body.items);
      cursor = body.nextCursor;
      if (cursor) expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/position|job-\d/);
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((j) => j.jobId)).toEqual(
      [...jobs].sort((a, b) => (`${a.startedAt}${a.source}${a.jobId}` < `${b.startedAt}${b.source}${b.jobId}` ? 1 : -1)).map((j) => j.jobId),
    );
  });

  it('uses the default page size of 20 and applies filters', async () => {
    const all = await invoke(listJobs, get('/jobs'));
    expect(all.body.items).toHaveLength(20);
    const failed = await invoke(listJobs, get('/jobs', { status: 'failed', source: 'federation' }));
    expect(failed.body.items.length).toBeGreaterThan(0);
    for (const j of failed.body.items) expect(j).toMatchObject({ status: 'failed', source: 'federation' });
  });

  it('rejects an altered cursor and a cursor of another query', async () => {
    const first = await invoke(listJobs, get('/jobs', { limit: '5', source: 'policy' }));
    const cursor: string = first.body.nextCursor;
    expect(cursor).toBeTruthy();
    const flipped = cursor.slice(0, 20) + (cursor[20] === 'A' ? 'B' : 'A') + cursor.slice(21);
    for (const bad of [flipped, cursor.slice(0, -2), `${cursor}AA`]) {
      const r = await invoke(listJobs, get('/jobs', { limit: '5', source: 'policy', cursor: bad }));
      expect(r.status).toBe(400);
      expect(r.body.error.details.parameter).toBe('cursor');
    }
    const other = await invoke(listJobs, get('/jobs', { limit: '5', source: 'federation', cursor }));
    expect(other.status).toBe(400);
    expect(other.body.error.message).toContain('"cursor"');
    // Another page size is the same query.
    const resized = await invoke(listJobs, get('/jobs', { limit: '7', source: 'policy', cursor }));
    expect(resized.status).toBe(200);
    expect(resized.body.items[0].jobId).not.toBe(first.body.items[0].jobId);
  });
});

describe('GET /jobs/{source}/{jobId}', () => {
  it('answers the job and its history', async () => {
    const { status, body } = await invoke(getJob, get('/jobs/{source}/{jobId}', {}, { source: 'policy', jobId: 'job-001' }));
    expect(status).toBe(200);
    expectSchema('get', '/jobs/{source}/{jobId}', 200, body);
    expect(body.job.jobId).toBe('job-001');
    expect(body.history.map((h: JobRecord) => h.status)).toEqual(['running', 'succeeded']);
  });

  it('answers 404 for an unknown job', async () => {
    const { status, body } = await invoke(getJob, get('/jobs/{source}/{jobId}', {}, { source: 'policy', jobId: 'job-000' }));
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });
});

describe('targets', () => {
  const post = (body: unknown) => apiEvent({ method: 'POST', route: '/targets', body: JSON.stringify(body) });
  const del = (kind: string, id: string) => apiEvent({ method: 'DELETE', route: '/targets/{kind}/{id}', pathParameters: { kind, id } });

  it('adds idempotently (201 then 200), lists, retires (kept, never deleted) and 404s unknown targets', async () => {
    const created = await invoke(addTarget, post({ kind: 'policy-job', id: 'p-1' }));
    expect(created.status).toBe(201);
    expectSchema('post', '/targets', 201, created.body);
    expect(created.body.target).toMatchObject({ kind: 'policy-job', id: 'p-1', state: 'active', addedBy: 'api' });
    const again = await invoke(addTarget, post({ kind: 'policy-job', id: 'p-1' }));
    expect(again.status).toBe(200);
    expect(again.body.target).toEqual(created.body.target);

    const listed = await invoke(listTargets, get('/targets'));
    expectSchema('get', '/targets', 200, listed.body);
    expect(listed.body.items.map((t: Target) => `${t.kind}/${t.id}`)).toEqual(['fleet/f-1', 'policy-job/p-1']);
    expect(JSON.stringify(listed.body)).not.toContain('internal-fingerprint');

    const retired = await invoke(removeTarget, del('fleet', 'f-1'));
    expect(retired.status).toBe(200);
    expectSchema('delete', '/targets/{kind}/{id}', 200, retired.body);
    expect(retired.body.target).toMatchObject({ kind: 'fleet', id: 'f-1', state: 'retired' });
    const retiredAgain = await invoke(removeTarget, del('fleet', 'f-1'));
    expect(retiredAgain.body.target.retiredAt).toBe(retired.body.target.retiredAt);

    expect((await invoke(listTargets, get('/targets'))).body.items.map((t: Target) => t.id)).toEqual(['p-1']);
    const all = await invoke(listTargets, get('/targets', { includeRetired: 'true', kind: 'fleet' }));
    expect(all.body.items).toMatchObject([{ id: 'f-1', state: 'retired' }]);

    const unknown = await invoke(removeTarget, del('fleet', 'nope'));
    expect(unknown.status).toBe(404);
  });
});

describe('health, unknown routes and unexpected errors', () => {
  it('GET /health is ok when the store answers, 503 when it does not', async () => {
    const ok = await invoke(health, get('/health'));
    expect(ok).toMatchObject({ status: 200, body: { status: 'ok' } });
    expectSchema('get', '/health', 200, ok.body);
    store.pingError = new Error('connect ECONNREFUSED');
    const down = await invoke(health, get('/health'));
    expect(down.status).toBe(503);
    expect(ErrorBody.parse(down.body).error.code).toBe('service_unavailable');
  });

  it('an unknown route answers a JSON 404', async () => {
    const { status, body } = await invoke(notFound, apiEvent({ method: 'GET', route: '/nope' }));
    expect(status).toBe(404);
    expect(body.error.message).toContain('/nope');
  });

  it('an unexpected failure is a generic 500 that leaks nothing', async () => {
    store.readRollups = () => Promise.reject(new Error('ValidationException: PK ROLLUP#job#type#* secret'));
    const { status, body } = await invoke(durations, get('/stats/durations'));
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
  });
});

describe('overdue jobs', () => {
  const NOW = '2025-11-11T00:00:00.000Z';
  const inFlight = (id: string, overrides: Partial<JobRecord>): JobRecord => ({
    source: 'policy',
    jobId: id,
    type: 'UpdateConstraint',
    status: 'running',
    attempt: 1,
    steps: [],
    observedAt: '2025-11-10T23:59:00.000000Z',
    ...overrides,
  });
  const flying = [
    inFlight('late', { startedAt: '2025-11-10T23:00:00.000000Z', waitTimeoutSec: 600, fleetId: 'fleet-1' }),
    inFlight('in-time', { startedAt: '2025-11-10T23:00:00.000000Z', waitTimeoutSec: 7200, fleetId: 'fleet-1' }),
    inFlight('queued-too-long', { status: 'pending', createdAt: '2025-11-10T22:00:00.000000Z', waitTimeoutSec: 60, fleetId: 'fleet-2' }),
    // No declared limit and no history of its type: never overdue.
    inFlight('no-basis', { source: 'federation', type: 'RollbackFederation', startedAt: '2025-11-01T00:00:00.000000Z' }),
    // UCS's clock ahead of ours: not overdue before it has even started.
    inFlight('skewed', { startedAt: '2025-11-11T02:00:00.000000Z', waitTimeoutSec: 1 }),
    inFlight('late-step', {
      startedAt: '2025-11-10T23:30:00.000000Z',
      waitTimeoutSec: 7200,
      steps: [{ stepId: 't1', type: 'UpdateConstraint', status: 'running', startedAt: '2025-11-10T23:30:00.000000Z', waitTimeoutSec: 300 }],
    }),
  ];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
    store = new MemoryJobStore({ runs, jobs: [...jobs, ...flying].map((j) => ({ job: j, history: [j] })) });
    holder.store = store;
  });

  it('GET /jobs?overdue=true lists exactly the jobs overdue now, and combines with the other filters', async () => {
    const { status, body } = await invoke(listJobs, get('/jobs', { overdue: 'true', limit: '2' }));
    expect(status).toBe(200);
    expectSchema('get', '/jobs', 200, body);
    const ids: string[] = body.items.map((j: JobRecord) => j.jobId);
    let cursor = body.nextCursor as string | undefined;
    while (cursor) {
      const next = await invoke(listJobs, get('/jobs', { overdue: 'true', limit: '2', cursor }));
      ids.push(...next.body.items.map((j: JobRecord) => j.jobId));
      cursor = next.body.nextCursor;
    }
    expect(ids.sort()).toEqual(['late', 'queued-too-long']);
    const filtered = await invoke(listJobs, get('/jobs', { overdue: 'true', fleetId: 'fleet-2' }));
    expect(filtered.body.items.map((j: JobRecord) => j.jobId)).toEqual(['queued-too-long']);
    expect(filtered.body.items[0].overdue).toEqual({ since: '2025-11-10T22:01:00.000000Z', limitSec: 60, basis: 'declared' });
  });

  it('shows overdue on every job and step of every answer that shows one, derived now, not stored', async () => {
    const page = await invoke(listJobs, get('/jobs', { limit: '100' }));
    const byId = new Map(page.body.items.map((j: JobRecord & { overdue?: unknown }) => [j.jobId, j]));
    expect(byId.get('late')).toMatchObject({ overdue: { limitSec: 600, basis: 'declared', since: '2025-11-10T23:10:00.000000Z' } });
    expect(byId.get('in-time')).not.toHaveProperty('overdue');
    expect(byId.get('skewed')).not.toHaveProperty('overdue');
    expect(byId.get('late-step')).not.toHaveProperty('overdue');
    expect((byId.get('late-step') as { steps: unknown[] }).steps[0]).toMatchObject({ overdue: { limitSec: 300, since: '2025-11-10T23:35:00.000000Z' } });
    const one = await invoke(getJob, get('/jobs/{source}/{jobId}', {}, { source: 'policy', jobId: 'late' }));
    expect(one.body.job.overdue).toMatchObject({ limitSec: 600 });
    expect(one.body.history[0]).not.toHaveProperty('overdue');
    expectSchema('get', '/jobs/{source}/{jobId}', 200, one.body);
  });

  it('answers 400 for overdue=maybe, naming overdue, and for a cursor of another listing, naming cursor', async () => {
    const bad = await invoke(listJobs, get('/jobs', { overdue: 'maybe' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.parameter).toBe('overdue');
    const all = await invoke(listJobs, get('/jobs', { limit: '2' }));
    const mixed = await invoke(listJobs, get('/jobs', { limit: '2', overdue: 'true', cursor: all.body.nextCursor }));
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.details.parameter).toBe('cursor');
  });
});
