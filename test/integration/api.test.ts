import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { normalizeFederationJob, normalizePolicyJob } from '../../lib/jobs/normalize';
import type { JobView } from '../../lib/jobs/overdue';
import type { JobRecord, TerminalStatus } from '../../lib/jobs/record';
import type { DurationStatsBody, FailureRateStatsBody, StatsQuery } from '../../lib/stats/results';
import { FederationJob, parseUcsResponse, PolicyJob } from '../../lib/ucs/schemas';
import { apiEvent, checkEveryResponse, invoke } from '../support/api-event';
import {
  expectDurationFigures,
  expectDurationStats,
  expectedGroups,
  expectFailureFigures,
  expectFailureRateStats,
} from '../support/stats-oracle';
import { collectUntil, expectStoreMatchesTruth, groundTruth, openApiValidator } from './support/api-data';
import { createWorld } from './support/harness';
import { formatIsoMicros, parseInstantMicros } from '../../lib/jobs/time';
import type { TerminalRun } from '../../lib/jobs/runs';

// Every route against DynamoDB Local, with data the real collectors polled from the UCS simulator. The
// expected figures come from the simulator's own raw durations (its ground truth), never from the store.

// Two simulated hours across a UTC midnight: day, hour and partial-hour pieces all hold runs.
const START = new Date('2025-11-09T22:50:00.000Z');
const UNTIL = new Date('2025-11-10T00:50:00.000Z');
const STEP_MS = 30_000;
const world = await createWorld({ seed: 21, fleets: 4, policyJobsPerHour: 50, start: START });

// The handlers read their config once, at import: point them at this file's table (vitest isolates modules
// per file), so they go through the real default store and document client.
const ENV_NAMES = ['TABLE_NAME', 'DYNAMODB_ENDPOINT', 'AWS_REGION', 'MAX_WINDOW_DAYS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'CURSOR_KEY'];
const savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
process.env.TABLE_NAME = world.tableName;
process.env.DYNAMODB_ENDPOINT = inject('ddbEndpoint');
process.env.AWS_REGION = 'local';
process.env.MAX_WINDOW_DAYS = '400';
// The local form of the cursor key; this test knows it, so it can forge what an attacker with the key could.
const CURSOR_KEY = 'integration-test-cursor-key-0123456789';
process.env.CURSOR_KEY = CURSOR_KEY;
// DynamoDB Local (in memory, not shared) keeps one database per access key and region: use the test store's.
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';

const { handler: listJobs } = await import('../../functions/list-jobs');
const { handler: getJob } = await import('../../functions/get-job');
const { handler: durations } = await import('../../functions/stats-durations');
const { handler: failureRates } = await import('../../functions/stats-failure-rates');
const { handler: listTargets } = await import('../../functions/list-targets');
const { handler: addTarget } = await import('../../functions/add-target');
const { handler: removeTarget } = await import('../../functions/remove-target');
const { handler: openapi } = await import('../../functions/openapi');
const { handler: health } = await import('../../functions/health');
const { API_ROUTES } = await import('../../lib/http/routes');
const { OpenApiDocumentBody } = await import('../../lib/http/schemas');

let truth: TerminalRun[] = [];
let schema: ReturnType<typeof openApiValidator>;

beforeAll(async () => {
  await collectUntil(world, UNTIL, STEP_MS);
  truth = groundTruth(world, UNTIL);
  const doc = await invoke(openapi, apiEvent({ method: 'GET', route: '/openapi.json' }));
  expect(doc.status).toBe(200);
  schema = openApiValidator(doc.body as Record<string, unknown>);
  // Every answer below, error answers included, must be one the document describes (JSON Schema 2020-12, Ajv).
  checkEveryResponse((path, method, status, body) => schema.expectValid(path, method, status, body));
  schema.expectValid('/openapi.json', 'get', 200, doc.body);
});
afterAll(async () => {
  await world.close();
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

type Query = Record<string, string>;
const getDurations = async (query: Query) => {
  const res = await invoke(durations, apiEvent({ method: 'GET', route: '/stats/durations', query }));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  schema.expectValid('/stats/durations', 'get', 200, res.body);
  return res.body as DurationStatsBody;
};
const getFailureRates = async (query: Query) => {
  const res = await invoke(failureRates, apiEvent({ method: 'GET', route: '/stats/failure-rates', query }));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  schema.expectValid('/stats/failure-rates', 'get', 200, res.body);
  return res.body as FailureRateStatsBody;
};

/** The oracle's query: the parameters with the API's defaults. */
const statsQuery = (query: Query): StatsQuery => ({
  level: (query.level ?? 'job') as StatsQuery['level'],
  groupBy: (query.groupBy ?? 'type') as StatsQuery['groupBy'],
  source: query.source as StatsQuery['source'],
  type: query.type,
  status: query.status as TerminalStatus | undefined,
  from: query.from!,
  to: query.to!,
});

const micros = (iso: string) => parseInstantMicros(iso)!;

describe('the collected data', () => {
  it('holds exactly the terminal runs the simulator produced: every job, attempt and step, with its raw duration', async () => {
    await expectStoreMatchesTruth(world.store, truth, { from: '2025-11-09T00:00:00.000000Z', to: '2025-11-11T00:00:00.000000Z' });
    // The scenario is rich enough for the statistics to mean something.
    const jobs = truth.filter((r) => r.level === 'job');
    expect(jobs.length).toBeGreaterThan(80);
    expect(truth.length - jobs.length).toBeGreaterThan(200);
    expect(new Set(jobs.map((r) => r.source))).toEqual(new Set(['federation', 'policy']));
    expect(new Set(jobs.map((r) => r.status))).toEqual(new Set(['succeeded', 'failed', 'timed_out']));
    expect(jobs.some((r) => r.attempt > 1)).toBe(true);
    expect(new Set(truth.map((r) => r.belongsAt.slice(0, 10)))).toEqual(new Set(['2025-11-09', '2025-11-10']));
  });
});

// Windows: mid-hour edges across midnight (hour rollups + edge runs), whole days (day rollups only), whole
// hours, a window inside one hour, one mixing an empty partial hour, a whole day and a partial hour, and one
// given with a non-UTC offset and a date.
const WINDOWS: { name: string; from: string; to: string }[] = [
  { name: 'mid-hour edges across midnight', from: '2025-11-09T22:57:13.123456Z', to: '2025-11-10T00:43:02.5Z' },
  { name: 'whole days', from: '2025-11-09', to: '2025-11-11' },
  { name: 'whole hours', from: '2025-11-09T22:00:00Z', to: '2025-11-10T01:00:00Z' },
  { name: 'inside one hour', from: '2025-11-10T00:05:00Z', to: '2025-11-10T00:35:30.25Z' },
  { name: 'partial hour, whole day, partial hour', from: '2025-11-08T23:30:00Z', to: '2025-11-10T00:30:00.000001Z' },
  { name: 'offset and date', from: '2025-11-10T00:20:00.5+01:00', to: '2025-11-11' },
];
const GROUPINGS: { level: 'job' | 'step'; groupBy: string }[] = [
  ...['type', 'source', 'fleet', 'day', 'none'].map((groupBy) => ({ level: 'job' as const, groupBy })),
  ...['type', 'source', 'fleet', 'cluster', 'day', 'none'].map((groupBy) => ({ level: 'step' as const, groupBy })),
];

describe('GET /stats/durations and /stats/failure-rates', () => {
  for (const window of WINDOWS) {
    it(`match the raw durations for every level and groupBy: ${window.name}`, async () => {
      let groups = 0;
      for (const { level, groupBy } of GROUPINGS) {
        const query = { level, groupBy, from: window.from, to: window.to };
        const d = await getDurations(query);
        expect(d).toMatchObject({ level, groupBy, from: formatIsoMicros(micros(window.from)), to: formatIsoMicros(micros(window.to)) });
        expectDurationStats(d, truth, statsQuery(query));
        const f = await getFailureRates(query);
        expectFailureRateStats(f, truth, statsQuery(query));
        groups += d.groups.length;
      }
      expect(groups, 'the window holds runs').toBeGreaterThan(GROUPINGS.length);
    });
  }

  it('match with source, type and status filters', async () => {
    const window = WINDOWS[0]!;
    const policyType = truth.find((r) => r.source === 'policy' && r.level === 'job')!.type;
    const fedStepType = truth.find((r) => r.source === 'federation' && r.level === 'step')!.type;
    const cases: Query[] = [
      { source: 'policy', groupBy: 'fleet' },
      { source: 'federation', groupBy: 'none' },
      { type: policyType, groupBy: 'fleet' },
      { type: policyType, groupBy: 'day' },
      { source: 'policy', type: policyType, groupBy: 'type' },
      { level: 'step', type: fedStepType, groupBy: 'fleet' },
      { level: 'step', source: 'policy', groupBy: 'cluster' },
      { level: 'step', type: policyType, groupBy: 'cluster' },
      { level: 'step', source: 'federation', groupBy: 'source' },
    ];
    for (const c of cases) {
      for (const w of [window, WINDOWS[1]!]) {
        const query = { ...c, from: w.from, to: w.to };
        expectDurationStats(await getDurations(query), truth, statsQuery(query));
        expectFailureRateStats(await getFailureRates(query), truth, statsQuery(query));
      }
    }
    for (const status of ['succeeded', 'failed', 'timed_out']) {
      for (const level of ['job', 'step']) {
        const query = { level, status, groupBy: 'source', from: window.from, to: window.to };
        const body = await getDurations(query);
        expectDurationStats(body, truth, statsQuery(query));
        expect(body.groups.length, `${level} ${status}`).toBeGreaterThan(0);
      }
    }
  });

  it('give an exact series per hour and per day, empty buckets included', async () => {
    for (const interval of ['hour', 'day'] as const) {
      for (const level of ['job', 'step'] as const) {
        const window = WINDOWS[0]!;
        const query = { level, groupBy: 'source', interval, from: window.from, to: window.to };
        const d = await getDurations(query);
        const f = await getFailureRates(query);
        expectDurationStats(d, truth, statsQuery(query));
        expectFailureRateStats(f, truth, statsQuery(query));
        const unit = interval === 'hour' ? 3_600_000_000 : 86_400_000_000;
        const expectedBuckets = Math.ceil(micros(window.to) / unit) - Math.floor(micros(window.from) / unit);
        for (const [body, check] of [
          [d, (e: never, runs: TerminalRun[], label: string) => expectDurationFigures(e, runs, undefined, label)],
          [f, (e: never, runs: TerminalRun[], label: string) => expectFailureFigures(e, runs, label)],
        ] as const) {
          for (const group of body.groups) {
            const series = group.series!;
            expect(series).toHaveLength(expectedBuckets);
            expect(series[0]!.from).toBe(formatIsoMicros(micros(window.from)));
            expect(series.at(-1)!.to).toBe(formatIsoMicros(micros(window.to)));
            series.forEach((bucket, i) => {
              if (i > 0) expect(bucket.from).toBe(series[i - 1]!.to);
              const runs = expectedGroups(truth, statsQuery(query), bucket).get(group.key) ?? [];
              check(bucket as never, runs, `${interval} ${level} ${group.key} ${bucket.from}`);
            });
          }
        }
      }
    }
  });

  it('compare=previous gives the window of equal length just before, and the change', async () => {
    const query = { level: 'job', groupBy: 'type', compare: 'previous', from: '2025-11-10T00:10:00Z', to: '2025-11-10T00:48:30Z' };
    const previousWindow = { from: formatIsoMicros(micros(query.from) - (micros(query.to) - micros(query.from))), to: formatIsoMicros(micros(query.from)) };
    expect(previousWindow.from).toBe('2025-11-09T23:31:30.000000Z');
    const d = await getDurations(query);
    const f = await getFailureRates(query);
    expectDurationStats(d, truth, statsQuery(query));
    expectFailureRateStats(f, truth, statsQuery(query));
    expect(d.previous).toEqual(previousWindow);
    expect(f.previous).toEqual(previousWindow);
    const before = expectedGroups(truth, statsQuery(query), previousWindow);
    expect([...before.keys()].length).toBeGreaterThan(0);
    for (const group of d.groups) {
      expectDurationFigures(group.previous!, before.get(group.key) ?? [], undefined, `previous ${group.key}`);
      expect(group.change!.count).toBe(group.count - group.previous!.count);
      if (group.meanMs !== null && group.previous!.meanMs !== null) {
        expect(group.change!.meanMs!).toBeCloseTo(group.meanMs - group.previous!.meanMs, 3);
        expect(group.change!.p90Ms!).toBeCloseTo(group.p90Ms! - group.previous!.p90Ms!, 3);
      } else expect(group.change!.meanMs).toBeNull();
    }
    for (const group of f.groups) {
      expectFailureFigures(group.previous!, before.get(group.key) ?? [], `previous ${group.key}`);
      expect(group.change!.total).toBe(group.total - group.previous!.total);
      if (group.previous!.failureRate !== null) expect(group.change!.failureRate!).toBeCloseTo(group.failureRate! - group.previous!.failureRate, 12);
    }
  });

  it('answer 400 naming the parameter for bad input against the real table', async () => {
    const bad: [Query, string][] = [
      [{ groupBy: 'cluster', level: 'job' }, 'groupBy'],
      [{ level: 'task' }, 'level'],
      [{ from: '2025-11-10T01:00:00Z', to: '2025-11-10T00:00:00Z' }, 'from'],
      [{ from: 'yesterday' }, 'from'],
      [{ from: '2024-01-01', to: '2025-11-10' }, 'from'],
      [{ source: 'cron' }, 'source'],
    ];
    for (const [query, parameter] of bad) {
      const res = await invoke(durations, apiEvent({ method: 'GET', route: '/stats/durations', query }));
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error.details.parameter).toBe(parameter);
      schema.expectValid('/stats/durations', 'get', 400, res.body);
    }
  });
});

/** Every job the collectors saw: each policy job, and each federation job that was some fleet's latest. */
function expectedJobIds(): Set<string> {
  const scenario = world.sim.scenario;
  const ids = new Set(truth.filter((r) => r.level === 'job').map((r) => r.jobId));
  for (const id of scenario.policyJobIds(UNTIL)) ids.add(id);
  for (const fleetId of scenario.fleetIds(UNTIL)) {
    const body = scenario.federationJobAt(fleetId, UNTIL) as { metadata: { uid: string } } | undefined;
    if (body) ids.add(body.metadata.uid);
  }
  return ids;
}

/** The last state of a job the simulator showed, normalized: at the end, or when a superseded federation job ended. */
function simulatorState(job: JobRecord): JobRecord {
  const at = UNTIL.toISOString();
  if (job.source === 'policy') return normalizePolicyJob(parseUcsResponse(PolicyJob, world.sim.scenario.policyJobAt(job.jobId, UNTIL), 'test'), { observedAt: at });
  // The progress API shows a fleet's latest job only: an earlier one was last seen in its final state.
  const ended = truth.find((r) => r.level === 'job' && r.jobId === job.jobId);
  const when = ended ? new Date(Math.floor(micros(ended.belongsAt) / 1000)) : UNTIL;
  const body = world.sim.scenario.federationJobAt(job.fleetId!, when);
  return normalizeFederationJob(parseUcsResponse(FederationJob, body, 'test'), { fleetId: job.fleetId!, observedAt: at });
}

const sortAt = (j: JobRecord) => j.startedAt ?? j.createdAt ?? j.observedAt;

async function allPages(query: Query, limit: number): Promise<{ items: JobRecord[]; pages: number }> {
  const items: JobRecord[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await invoke(listJobs, apiEvent({ method: 'GET', route: '/jobs', query: { ...query, limit: String(limit), ...(cursor && { cursor }) } }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    schema.expectValid('/jobs', 'get', 200, res.body);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...(res.body.items as JobRecord[]));
    cursor = res.body.nextCursor as string | undefined;
    pages += 1;
    expect(pages).toBeLessThan(500);
  } while (cursor);
  return { items, pages };
}

describe('GET /jobs and GET /jobs/{source}/{jobId}', () => {
  let all: JobRecord[] = [];
  beforeAll(async () => {
    all = (await allPages({}, 37)).items;
  });

  it('pages through every job exactly once, newest startedAt (else createdAt) first, each in its latest state', () => {
    const ids = all.map((j) => `${j.source}/${j.jobId}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(all.map((j) => j.jobId))).toEqual(expectedJobIds());
    for (let i = 1; i < all.length; i++) expect(sortAt(all[i - 1]!) >= sortAt(all[i]!), `${i}`).toBe(true);
    for (const job of all as JobView[]) {
      const expected = simulatorState(job);
      // `overdue` is judged when the API answers (against now), the simulator knows nothing of it.
      const shown = (j: JobRecord | JobView) => ({ jobId: j.jobId, status: j.status, startedAt: j.startedAt, finishedAt: j.finishedAt, durationMs: j.durationMs, steps: j.steps.map((step) => ({ ...step, overdue: undefined })) });
      expect(shown(job)).toEqual(shown(expected));
      for (const record of [job, ...job.steps]) {
        if (!record.overdue) continue;
        expect(['running', 'pending']).toContain(record.status);
        const start = Date.parse(record.startedAt ?? job.createdAt!);
        expect(Date.parse(record.overdue.since)).toBe(start + record.overdue.limitSec * 1000);
        expect(Date.parse(record.overdue.since)).toBeLessThan(Date.now());
      }
    }
  });

  it('filters by source, type, status, fleet, cluster and [from, to), across pages', async () => {
    const policy = all.find((j) => j.source === 'policy' && j.clusterIds?.length)!;
    const filters: [Query, (j: JobRecord) => boolean][] = [
      [{ source: 'federation' }, (j) => j.source === 'federation'],
      [{ source: 'policy', status: 'failed' }, (j) => j.source === 'policy' && j.status === 'failed'],
      [{ status: 'succeeded' }, (j) => j.status === 'succeeded'],
      [{ type: policy.type }, (j) => j.type === policy.type],
      [{ fleetId: policy.fleetId! }, (j) => j.fleetId === policy.fleetId],
      [{ clusterId: policy.clusterIds![0]! }, (j) => j.clusterIds?.includes(policy.clusterIds![0]!) ?? false],
      [
        { from: '2025-11-09T23:20:00Z', to: '2025-11-10T00:40:00.5+00:00' },
        (j) => sortAt(j) >= '2025-11-09T23:20:00.000000Z' && sortAt(j) < '2025-11-10T00:40:00.500000Z',
      ],
      [{ from: '2025-11-10T00:00:00Z', source: 'policy' }, (j) => j.source === 'policy' && sortAt(j) >= '2025-11-10T00:00:00.000000Z'],
    ];
    for (const [query, keep] of filters) {
      const expected = all.filter(keep);
      expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
      const { items, pages } = await allPages(query, 9);
      expect(items.map((j) => j.jobId), JSON.stringify(query)).toEqual(expected.map((j) => j.jobId));
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.length / 9));
    }
  });

  it('rejects a tampered cursor and a cursor of another query with 400 naming cursor', async () => {
    const first = await invoke(listJobs, apiEvent({ method: 'GET', route: '/jobs', query: { source: 'policy', limit: '5' } }));
    const cursor = first.body.nextCursor as string;
    expect(cursor).toBeTruthy();
    const flipped = cursor.slice(0, 10) + (cursor[10] === 'A' ? 'B' : 'A') + cursor.slice(11);
    const queries: Query[] = [{ source: 'policy', cursor: flipped }, { source: 'federation', cursor }, { cursor: 'garbage' }];
    for (const query of queries) {
      const res = await invoke(listJobs, apiEvent({ method: 'GET', route: '/jobs', query }));
      expect(res.status).toBe(400);
      expect(res.body.error.details.parameter).toBe('cursor');
      schema.expectValid('/jobs', 'get', 400, res.body);
    }
    // The right cursor with another page size is fine.
    const next = await invoke(listJobs, apiEvent({ method: 'GET', route: '/jobs', query: { source: 'policy', cursor, limit: '3' } }));
    expect(next.status).toBe(200);
    expect(next.body.items.map((j: JobRecord) => j.jobId)).toEqual(all.filter((j) => j.source === 'policy').slice(5, 8).map((j) => j.jobId));
  });

  it('answers 400 naming cursor for a cursor that opens but holds no position of its own query', async () => {
    const { CursorCodec, queryFingerprint } = await import('../../lib/http/cursor');
    const codec = new CursorCodec(CURSOR_KEY);
    const job = all[0]!;
    const pk = `JOB#${job.source}#${job.jobId}`;
    const sortAt = job.startedAt ?? job.createdAt!;
    const window = { from: '2025-11-09T00:00:00Z', to: '2025-11-10T00:00:00Z' };
    const filters = { from: '2025-11-09T00:00:00.000000Z', to: '2025-11-10T00:00:00.000000Z' };
    const forged: [Record<string, string>, Query, Record<string, string | undefined>][] = [
      [{ PK: pk, SK: 'LATEST', GSI1PK: 'JOBS', GSI1SK: '' }, {}, {}],
      [{ PK: pk, SK: 'LATEST', GSI1PK: 'JOBS', GSI1SK: `${sortAt}#policy#someone-else` }, {}, {}],
      [{ PK: pk, SK: 'LATEST', GSI1PK: 'JOBS', GSI1SK: `not-a-time#${job.source}#${job.jobId}` }, {}, {}],
      // A real position, but of no page of a listing bounded to another day.
      [{ PK: pk, SK: 'LATEST', GSI1PK: 'JOBS', GSI1SK: `2030-01-01T00:00:00.000000Z#${job.source}#${job.jobId}` }, window, filters],
    ];
    for (const [position, query, filter] of forged) {
      const cursor = codec.encode(position, queryFingerprint(filter));
      const res = await invoke(listJobs, apiEvent({ method: 'GET', route: '/jobs', query: { ...query, cursor } }));
      expect(res.status, JSON.stringify(position)).toBe(400);
      expect(res.body.error.details.parameter).toBe('cursor');
    }
    // The same codec with a real position opens fine: the test forges nothing else.
    const real = codec.encode({ PK: pk, SK: 'LATEST', GSI1PK: 'JOBS', GSI1SK: `${sortAt}#${job.source}#${job.jobId}` }, queryFingerprint({}));
    expect((await invoke(listJobs, apiEvent({ method: 'GET', route: '/jobs', query: { cursor: real } }))).status).toBe(200);
  });

  it('gives a retried job its latest state and every distinct observed state oldest first, with the simulator durations', async () => {
    const retried = truth.find((r) => r.level === 'job' && r.attempt > 1)!;
    const federation = truth.find((r) => r.level === 'job' && r.source === 'federation')!;
    for (const run of [retried, federation]) {
      const res = await invoke(getJob, apiEvent({ method: 'GET', route: '/jobs/{source}/{jobId}', pathParameters: { source: run.source, jobId: run.jobId } }));
      expect(res.status).toBe(200);
      schema.expectValid('/jobs/{source}/{jobId}', 'get', 200, res.body);
      const { job, history } = res.body as { job: JobRecord; history: JobRecord[] };
      expect(history.length).toBeGreaterThan(1);
      expect(history.at(-1)).toEqual(job);
      for (let i = 1; i < history.length; i++) {
        expect(history[i]!.observedAt > history[i - 1]!.observedAt).toBe(true);
        expect(history[i]).not.toEqual({ ...history[i - 1], observedAt: history[i]!.observedAt });
      }
      // Each attempt's terminal state in the history carries the duration the simulator produced.
      const runs = truth.filter((r) => r.level === 'job' && r.jobId === run.jobId);
      for (const r of runs) {
        const terminal = history.find((h) => h.attempt === r.attempt && h.finishedAt !== undefined);
        expect(terminal?.durationMs, `attempt ${r.attempt}`).toBe(r.durationMs);
      }
      expect(new Set(history.map((h) => h.attempt))).toEqual(new Set(runs.map((r) => r.attempt).concat(job.attempt)));
    }
  });

  it('answers 404 for an unknown job and 400 for an unknown source', async () => {
    const missing = await invoke(getJob, apiEvent({ method: 'GET', route: '/jobs/{source}/{jobId}', pathParameters: { source: 'policy', jobId: 'no-such-job' } }));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    schema.expectValid('/jobs/{source}/{jobId}', 'get', 404, missing.body);
    const bad = await invoke(getJob, apiEvent({ method: 'GET', route: '/jobs/{source}/{jobId}', pathParameters: { source: 'cron', jobId: 'x' } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.parameter).toBe('source');
  });
});

describe('GET/POST/DELETE /targets, GET /openapi.json, GET /health', () => {
  it('lists the discovered targets, adds one idempotently and retires it', async () => {
    const fleets = await invoke(listTargets, apiEvent({ method: 'GET', route: '/targets', query: { kind: 'fleet' } }));
    expect(fleets.status).toBe(200);
    schema.expectValid('/targets', 'get', 200, fleets.body);
    expect(fleets.body.items.map((t: { id: string }) => t.id)).toEqual([...world.sim.scenario.fleetIds(UNTIL)].sort());
    const everything = await invoke(listTargets, apiEvent({ method: 'GET', route: '/targets' }));
    const policyIds = everything.body.items.filter((t: { kind: string }) => t.kind === 'policy-job').map((t: { id: string }) => t.id);
    expect(policyIds).toEqual([...world.sim.scenario.policyJobIds(UNTIL)].sort());
    expect(JSON.stringify(everything.body)).not.toMatch(/TARGET#|lastFingerprint|GSI/);

    const body = JSON.stringify({ kind: 'fleet', id: 'fleet-added-by-api' });
    const created = await invoke(addTarget, apiEvent({ method: 'POST', route: '/targets', body }));
    expect(created.status).toBe(201);
    schema.expectValid('/targets', 'post', 201, created.body);
    expect(created.body.target).toMatchObject({ kind: 'fleet', id: 'fleet-added-by-api', state: 'active', addedBy: 'api' });
    const again = await invoke(addTarget, apiEvent({ method: 'POST', route: '/targets', body }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);

    const retired = await invoke(removeTarget, apiEvent({ method: 'DELETE', route: '/targets/{kind}/{id}', pathParameters: { kind: 'fleet', id: 'fleet-added-by-api' } }));
    expect(retired.status).toBe(200);
    schema.expectValid('/targets/{kind}/{id}', 'delete', 200, retired.body);
    expect(retired.body.target).toMatchObject({ state: 'retired', retiredAt: expect.any(String) });
    const active = await invoke(listTargets, apiEvent({ method: 'GET', route: '/targets', query: { kind: 'fleet' } }));
    expect(active.body.items.map((t: { id: string }) => t.id)).not.toContain('fleet-added-by-api');
    const withRetired = await invoke(listTargets, apiEvent({ method: 'GET', route: '/targets', query: { kind: 'fleet', includeRetired: 'true' } }));
    expect(withRetired.body.items.find((t: { id: string }) => t.id === 'fleet-added-by-api')).toMatchObject({ state: 'retired' });

    const unknown = await invoke(removeTarget, apiEvent({ method: 'DELETE', route: '/targets/{kind}/{id}', pathParameters: { kind: 'fleet', id: 'never-added' } }));
    expect(unknown.status).toBe(404);
    schema.expectValid('/targets/{kind}/{id}', 'delete', 404, unknown.body);
    const badJson = await invoke(addTarget, apiEvent({ method: 'POST', route: '/targets', body: '{"kind": "fleet", ' }));
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.details.parameter).toBe('body');
    schema.expectValid('/targets', 'post', 400, badJson.body);
  });

  it('serves the OpenAPI document with every route, and its schemas reject what the API must not answer', async () => {
    const res = await invoke(openapi, apiEvent({ method: 'GET', route: '/openapi.json' }));
    expect(res.status).toBe(200);
    schema.expectValid('/openapi.json', 'get', 200, res.body);
    OpenApiDocumentBody.parse(res.body);
    for (const route of API_ROUTES) expect(res.body.paths[route.path]?.[route.method], `${route.method} ${route.path}`).toBeDefined();

    // The validation above can fail: a real body, broken in ways a client would notice, is rejected.
    const body = await getDurations({ level: 'step', groupBy: 'cluster', from: WINDOWS[0]!.from, to: WINDOWS[0]!.to });
    const validate = schema.validator('/stats/durations', 'get', 200);
    expect(validate(body)).toBe(true);
    expect(validate({ ...body, groups: [{ ...body.groups[0], count: -1 }] })).toBe(false);
    expect(validate({ ...body, level: 'task' })).toBe(false);
    expect(validate({ ...body, from: 'yesterday' })).toBe(false);
    const { p99Ms: _dropped, ...incomplete } = body.groups[0]!;
    expect(validate({ ...body, groups: [incomplete] })).toBe(false);
  });

  it('answers /health with ok once the table is reachable', async () => {
    const res = await invoke(health, apiEvent({ method: 'GET', route: '/health' }));
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
    schema.expectValid('/health', 'get', 200, res.body);
  });
});
