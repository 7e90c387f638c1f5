import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertConfig } from '../../lib/alerts/config';
import { evaluateAlerts } from '../../lib/alerts/evaluate';
import { alertSubject, type Alert } from '../../lib/jobs/alert';
import { listAlertPage } from '../../lib/http/alerts-api';
import { CursorCodec } from '../../lib/http/cursor';
import { ListAlertsParams } from '../../lib/http/schemas';
import { MICROS_PER_DAY, MICROS_PER_HOUR } from '../../lib/rollup/buckets';
import { DynamoDbJobStore } from '../../lib/store/dynamodb-store';
import { oracleEpisodesWith, oracleHolding, RecordingPublisher, type DurationSource } from '../support/alert-timeline';
import { durationStats } from '../../lib/stats/query';
import { formatIsoMicros } from '../../lib/jobs/time';
import type { StatsGroupBy } from '../../lib/stats/results';
import type { Level } from '../../lib/jobs/runs';
import { batchWrite, itemsOfRuns } from '../bench/bulk-load';
import { groundTruth, type World } from './support/api-data';
import { createWorld } from './support/harness';
import { crashingClient, createTestStore } from './support/store';
import { OverdueJudge } from '../../lib/stats/overdue';

// The alert evaluation on DynamoDB Local over a simulator timeline with a planted spike (EnablePolicy fails 90 %
// for 18 h) and a planted slowdown (DisablePolicy 10× slower for 30 h).
// path. Ten simulated days are thousands of runs: DynamoDB Local takes ~75 s a simulated day through
// recordObservation on this machine, so the world's ground truth is written with the bench's bulk loader, which
// `npm run bench` proves leaves the same run and rollup items as the real write path. Every evaluation is run by
// three evaluators at once (three store objects, as three Lambda containers).

const CONFIG: AlertConfig = { windowUs: MICROS_PER_DAY, baselineUs: 7 * MICROS_PER_DAY, minRuns: 5, overdueFactor: 2, apiUrl: 'http://127.0.0.1:3000' };
const START = new Date('2025-11-01T00:00:00.000Z');
const UNTIL = new Date('2025-11-11T00:00:00.000Z');
const us = (iso: string) => Date.parse(iso) * 1000;
const TIMES = Array.from({ length: 60 }, (_, h) => us('2025-11-08T12:07:00Z') + h * MICROS_PER_HOUR);

async function allAlerts(store: DynamoDbJobStore): Promise<Alert[]> {
  const out: Alert[] = [];
  let startKey: Record<string, string> | undefined;
  do {
    const page = await store.listAlerts({ open: false }, 25, startKey);
    out.push(...page.items);
    startKey = page.nextKey;
  } while (startKey);
  return out;
}

const episodes = (alerts: readonly Alert[]) => {
  const out = new Map<string, [number, number | undefined][]>();
  for (const a of [...alerts].sort((x, y) => (x.openedAt < y.openedAt ? -1 : 1))) {
    out.set(alertSubject(a), [...(out.get(alertSubject(a)) ?? []), [us(a.openedAt), a.closedAt === undefined ? undefined : us(a.closedAt)]]);
  }
  return out;
};

describe('alert evaluation on DynamoDB Local', () => {
  let world: World;
  let truth: ReturnType<typeof groundTruth>;
  const events = new RecordingPublisher();

  beforeAll(async () => {
    world = await createWorld({
      seed: 11,
      fleets: 3,
      policyJobsPerHour: 6,
      start: START,
      incidents: [
        { type: 'EnablePolicy', fromUs: us('2025-11-09T00:00:00Z'), untilUs: us('2025-11-09T18:00:00Z'), failureRate: 0.9 },
        { type: 'DisablePolicy', fromUs: us('2025-11-09T00:00:00Z'), untilUs: us('2025-11-10T06:00:00Z'), slowdown: 10 },
      ],
    });
    truth = groundTruth(world, UNTIL);
    await batchWrite(world.doc, world.tableName, itemsOfRuns(truth));
    const stores = [world.otherStore(), world.otherStore(), world.otherStore()];
    for (const t of TIMES) {
      // Three evaluations racing (a millisecond apart, so their alert ids differ and only the store's conditions decide).
      await Promise.all(stores.map((store, i) => evaluateAlerts({ store, events, now: () => new Date(t / 1000 + i) }, CONFIG)));
    }
  });
  afterAll(() => world?.close());

  it('opens each alert once, in the evaluation where its rule first holds, and closes it once, however many evaluate at once', async () => {
    const alerts = await allAlerts(world.store);
    // Durations as GET /stats/durations answers them for each window (percentiles are sketched: DESIGN.md).
    const statsDurations: DurationSource = async (level, groupBy, from, to) => {
      const body = await durationStats(world.store, { level: level as Level, groupBy: groupBy as StatsGroupBy, from: formatIsoMicros(from), to: formatIsoMicros(to) });
      return new Map(body.groups.map((g) => [g.key, g]));
    };
    const expected = await oracleEpisodesWith(truth, TIMES, CONFIG, statsDurations);
    const got = episodes(alerts);
    // Opened at the first evaluation (any of the three racing, 1 ms apart) where the rule holds on the truth.
    const rounded = new Map([...got].map(([s, list]) => [s, list.map(([o, c]) => [o - (o % 1_000_000), c === undefined ? undefined : c - (c % 1_000_000)])]));
    expect(rounded).toEqual(expected);
    expect([...expected.keys()]).toEqual(expect.arrayContaining(['failure-rate-spike|job|type|policy/EnablePolicy', 'duration-regression|job|type|policy/DisablePolicy']));
    // One Alert Opened and (for a closed one) one Alert Closed per episode, never two. Delivery is at least once:
    // racing evaluators drain the same outbox, so an event may be published twice, always under its one id.
    const distinct = [...new Map(events.published.map((e) => [e.detail.id, e])).values()];
    for (const a of alerts) {
      const mine = distinct.filter((e) => e.detail.alertId === a.alertId).map((e) => e.detailType).sort();
      expect(mine, alertSubject(a)).toEqual(a.closedAt === undefined ? ['Alert Opened'] : ['Alert Closed', 'Alert Opened']);
    }
    expect(events.published.filter((e) => !alerts.some((a) => a.alertId === e.detail.alertId))).toEqual([]);
    expect(await world.store.pendingEvents(10)).toEqual([]);
    const spike = alerts.find((a) => alertSubject(a) === 'failure-rate-spike|job|type|policy/EnablePolicy')!;
    expect(events.published.find((e) => e.detail.alertId === spike.alertId && e.detailType === 'Alert Opened')?.detail.summary).toMatch(
      /^\[OPEN\] failure-rate-spike on job type policy\/EnablePolicy: failure rate .* Dashboard: http:\/\/127\.0\.0\.1:3000\/dashboard\/\?range=custom&from=.*&level=job&source=policy&type=EnablePolicy$/,
    );
  });

  it('with no alert to change, an evaluation reads rollups and writes nothing', async () => {
    const store = world.otherStore();
    const quiet = TIMES.find((t) => oracleHolding(truth, t, CONFIG).size === 0)!;
    const openBefore = (await store.openAlerts()).length;
    expect(openBefore).toBe(0);
    const summary = await evaluateAlerts({ store, events, now: () => new Date(quiet / 1000) }, CONFIG);
    expect(summary).toMatchObject({ opened: 0, closed: 0 });
    expect(store.capacity.writeRequests).toBe(0);
    expect(store.capacity.readUnits).toBeGreaterThan(0);
  });

  it('a crash right after the alert transaction loses neither the alert nor its event', async () => {
    const t = TIMES.find((x) => oracleHolding(truth, x, CONFIG).size > 0)!; // the first hour a rule holds
    const holding = oracleHolding(truth, t, CONFIG);
    const published = events.published.length;
    // Evaluated again at that hour, later: the episodes there are closed, so each subject opens anew.
    const at = new Date(t / 1000 + 10 * 60_000);
    const crashing = new DynamoDbJobStore({ client: crashingClient(world.doc, 1, 'after'), tableName: world.tableName });
    await expect(evaluateAlerts({ store: crashing, events, now: () => at }, CONFIG)).rejects.toThrow('injected crash after the write');
    expect(events.published.length).toBe(published);
    const retry = await evaluateAlerts({ store: world.otherStore(), events, now: () => new Date(at.getTime() + 1000) }, CONFIG);
    // The crashed evaluation's alert is not opened again; its event comes out of the outbox with the retry's.
    expect(retry.opened).toBe(holding.size - 1);
    const fresh = events.published.slice(published);
    expect(fresh.map((e) => e.detailType)).toEqual(Array(holding.size).fill('Alert Opened'));
    expect(new Set(fresh.map((e) => alertSubject(e.detail as unknown as Alert)))).toEqual(holding);
    const open = await world.store.openAlerts();
    expect(new Set(open.map(alertSubject))).toEqual(holding);
  });

  it('GET /alerts pages the table with sealed cursors, open ones from their own index', async () => {
    const codec = new CursorCodec('integration-test-cursor-key-0123456789');
    const all = await allAlerts(world.store);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAlertPage(world.store, ListAlertsParams.parse({ state: 'all', limit: '7', ...(cursor && { cursor }) }), codec);
      seen.push(...page.items.map((a) => a.alertId));
      cursor = page.nextCursor;
    } while (cursor);
    const position = (a: Alert) => `${a.openedAt}#${a.alertId}`;
    expect(seen).toEqual([...all].sort((a, b) => (position(a) < position(b) ? 1 : -1)).map((a) => a.alertId));
    const open = await listAlertPage(world.store, ListAlertsParams.parse({}), codec);
    expect(new Set(open.items.map((a) => a.alertId))).toEqual(new Set((await world.store.openAlerts()).map((a) => a.alertId)));
    expect(open.items.every((a) => a.closedAt === undefined)).toBe(true);
    const spikes = await listAlertPage(world.store, ListAlertsParams.parse({ state: 'all', kind: 'duration-regression', limit: '100' }), codec);
    expect(spikes.items.map((a) => a.alertId).sort()).toEqual(all.filter((a) => a.kind === 'duration-regression').map((a) => a.alertId).sort());
  });
});

describe('overdue alerts on DynamoDB Local', () => {
  it('opens one per overdue job from the in-flight index, and closes it once the job finishes', async () => {
    const { store } = await createTestStore('overdue-alerts');
    const job = (status: 'running' | 'succeeded', observedAt: string) => ({
      source: 'policy' as const,
      jobId: 'c7678551-1f7e-4699-9ea1-3baa2d32f552',
      name: 'stuck',
      type: 'EnablePolicy',
      status,
      attempt: 1,
      waitTimeoutSec: 600,
      createdAt: '2025-11-10T10:00:00.000000Z',
      startedAt: '2025-11-10T10:00:00.000000Z',
      ...(status === 'succeeded' && { finishedAt: '2025-11-10T12:30:00.000000Z' }),
      steps: [],
      observedAt,
    });
    await store.recordObservation(job('running', '2025-11-10T10:00:01.000000Z'));
    const judge = new OverdueJudge(() => store, { factor: 2, minRuns: 5 });
    const events = new RecordingPublisher();
    const evaluate = (iso: string) => evaluateAlerts({ store, judge, events, now: () => new Date(iso) }, CONFIG);
    expect((await evaluate('2025-11-10T10:05:00Z')).opened).toBe(0);
    const [a, b] = await Promise.all([evaluate('2025-11-10T10:15:00Z'), evaluate('2025-11-10T10:15:00.001Z')]);
    // Two at once: one opens it; the other either loses the race or already sees it open.
    expect(a.opened + b.opened).toBe(1);
    expect(a.raced + b.raced).toBeLessThanOrEqual(1);
    await store.recordObservation(job('succeeded', '2025-11-10T12:30:00.000000Z'));
    expect(await evaluate('2025-11-10T12:45:00Z')).toMatchObject({ closed: 1, open: 0 });
    expect((await evaluate('2025-11-10T13:00:00Z')).closed).toBe(0);
    const [alert] = await allAlerts(store);
    expect(alert).toMatchObject({ kind: 'overdue', key: 'policy/c7678551-1f7e-4699-9ea1-3baa2d32f552#1', closedReason: 'the job is now succeeded' });
    // Its two events, once each by id (the evaluation also delivers what else the outbox holds: here the run's Job Run Finished).
    const alertEvents = events.published.filter((e) => e.detail.alertId === alert!.alertId);
    expect([...new Map(alertEvents.map((e) => [e.detail.id, e.detailType])).values()].sort()).toEqual(['Alert Closed', 'Alert Opened']);
    expect(events.published.map((e) => e.detailType)).toContain('Job Run Finished');
  });
});
