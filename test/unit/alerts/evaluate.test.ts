import { describe, expect, it } from 'vitest';
import type { AlertConfig } from '../../../lib/alerts/config';
import { evaluateAlerts } from '../../../lib/alerts/evaluate';
import { alertSubject, type Alert } from '../../../lib/jobs/alert';
import type { JobRecord } from '../../../lib/jobs/record';
import { formatIsoMicros } from '../../../lib/jobs/time';
import { MICROS_PER_DAY, MICROS_PER_HOUR } from '../../../lib/rollup/buckets';
import { OverdueJudge } from '../../../lib/stats/overdue';
import { oracleEpisodes, plantedTimeline, RecordingPublisher, type TimelineOptions } from '../../support/alert-timeline';
import { MemoryJobStore } from '../../support/memory-store';

const CONFIG: AlertConfig = { windowUs: MICROS_PER_DAY, baselineUs: 7 * MICROS_PER_DAY, minRuns: 5, overdueFactor: 2, apiUrl: 'https://api.example' };
const us = (iso: string) => Date.parse(iso) * 1000;
const at = (u: number) => new Date(u / 1000);

const TIMELINE: TimelineOptions = {
  seed: 14,
  start: '2025-11-01T00:00:00Z',
  hours: 11 * 24,
  fleet: 'fleet-1',
  types: [
    { type: 'Steady', perHour: 4, failureRate: 0.1, cluster: 'c-1' },
    { type: 'Spiky', perHour: 4, failureRate: 0.1, cluster: 'c-2' },
    { type: 'Slow', perHour: 4, failureRate: 0.1, cluster: 'c-3' },
  ],
  plants: [
    { type: 'Spiky', from: '2025-11-09T00:00:00Z', until: '2025-11-09T12:00:00Z', failureRate: 0.7 },
    { type: 'Slow', from: '2025-11-09T06:00:00Z', until: '2025-11-09T18:00:00Z', slowdown: 6 },
  ],
};
/** Hourly evaluations, 7 minutes past each hour, from day 8 to the end of the timeline. */
const TIMES = Array.from({ length: 3 * 24 }, (_, h) => us('2025-11-08T12:07:00Z') + h * MICROS_PER_HOUR);

const byEpisode = (alerts: Iterable<Alert>) => {
  const out = new Map<string, [number, number | undefined][]>();
  for (const a of [...alerts].sort((x, y) => (x.openedAt < y.openedAt ? -1 : 1))) {
    out.set(alertSubject(a), [...(out.get(alertSubject(a)) ?? []), [us(a.openedAt), a.closedAt === undefined ? undefined : us(a.closedAt)]]);
  }
  return out;
};

describe('evaluateAlerts over a planted timeline (in memory)', () => {
  const runs = plantedTimeline(TIMELINE);

  it('opens each alert once, in the evaluation where its rule first holds, and closes it once, where it stops', async () => {
    const store = new MemoryJobStore({ runs });
    const events = new RecordingPublisher();
    for (const t of TIMES) await evaluateAlerts({ store, events, now: () => at(t) }, CONFIG);

    const expected = oracleEpisodes(runs, TIMES, CONFIG);
    expect(byEpisode(store.alerts.values())).toEqual(expected);
    // The plants are found, at both levels; the steady type never alarms.
    const subjects = [...expected.keys()];
    expect(subjects).toEqual(expect.arrayContaining([
      'failure-rate-spike|job|type|policy/Spiky',
      'failure-rate-spike|step|cluster|c-2',
      'duration-regression|job|type|policy/Slow',
      'duration-regression|step|type|policy/SlowTask',
    ]));
    // The steady type (10 %) alarms once by chance with this seed, and the oracle agrees: on 2025-11-09T11 its
    // current window had 16 failures in 96 runs (Wilson lower bound 0.10527) against a baseline that happened to
    // run at 8.2 % (upper bound 0.10503). The rule as specified does fire by chance; how often is measured in
    // false-alarms.test.ts. Kept (not reseeded away) so the test shows it.
    expect(subjects.filter((s) => s.includes('Steady') || s.endsWith('|c-1')).sort()).toEqual([
      'failure-rate-spike|job|type|policy/Steady',
      'failure-rate-spike|step|cluster|c-1',
      'failure-rate-spike|step|type|policy/SteadyTask',
    ]);
    expect(byEpisode(store.alerts.values()).get('failure-rate-spike|job|type|policy/Steady')).toEqual([[us('2025-11-09T11:07:00Z'), us('2025-11-09T12:07:00Z')]]);
    // Every episode closed by the end, once each; one Opened and one Closed event per episode, with its id.
    const alerts = [...store.alerts.values()];
    expect(alerts.every((a) => a.closedAt !== undefined)).toBe(true);
    for (const a of alerts) {
      const mine = events.published.filter((e) => e.detail.alertId === a.alertId);
      expect(mine.map((e) => e.detailType).sort()).toEqual(['Alert Closed', 'Alert Opened']);
    }
    expect(new Set(events.published.map((e) => e.detail.id)).size).toBe(events.published.length);
    const spike = alerts.find((a) => alertSubject(a) === 'failure-rate-spike|job|type|policy/Spiky')!;
    expect(spike.current).toMatchObject({ total: expect.any(Number), ci95: expect.any(Array) });
    expect((spike.current.ci95 as number[])[0]).toBeGreaterThan((spike.baseline.ci95 as number[])[1]!);
    expect(spike.dashboardUrl).toMatch(/^https:\/\/api\.example\/dashboard\/\?range=custom&from=.*&level=job&source=policy&type=Spiky$/);
    expect(store.outbox.size).toBe(0);
  });

  it('writes nothing when nothing changes, and nothing at all with no alert open', async () => {
    const store = new MemoryJobStore({ runs });
    const quiet = us('2025-11-08T12:07:00Z');
    const first = await evaluateAlerts({ store, events: new RecordingPublisher(), now: () => at(quiet) }, CONFIG);
    expect(first).toMatchObject({ opened: 0, closed: 0, open: 0 });
    expect(store.alertWrites).toBe(0);
    // During the spike: the second evaluation of the same hour changes nothing.
    const during = us('2025-11-09T10:07:00Z');
    await evaluateAlerts({ store, now: () => at(during) }, CONFIG);
    const writes = store.alertWrites;
    expect(writes).toBeGreaterThan(0);
    const again = await evaluateAlerts({ store, now: () => at(during + 5 * 60_000_000) }, CONFIG);
    expect(again).toMatchObject({ opened: 0, closed: 0, raced: 0 });
    expect(store.alertWrites).toBe(writes);
  });

  it('three concurrent evaluations give the alerts of one', async () => {
    const one = new MemoryJobStore({ runs });
    const three = new MemoryJobStore({ runs });
    for (const t of TIMES.slice(0, 40)) {
      await evaluateAlerts({ store: one, now: () => at(t) }, CONFIG);
      const results = await Promise.all([0, 1, 2].map((i) => evaluateAlerts({ store: three, now: () => at(t + i) }, CONFIG)));
      const opened = results.reduce((n, r) => n + r.opened, 0);
      const raced = results.reduce((n, r) => n + r.raced, 0);
      expect(raced).toBe(2 * (opened + results.reduce((n, r) => n + r.closed, 0)));
    }
    const shape = (s: MemoryJobStore) => [...s.alerts.values()].map((a) => [alertSubject(a), a.openedAt.slice(0, 16), a.closedAt?.slice(0, 16)]).sort();
    expect(shape(three)).toEqual(shape(one));
    expect(shape(one).length).toBeGreaterThan(0);
  });

  it('closes an alert whose group has no run left in the current window', async () => {
    const gone = plantedTimeline({
      ...TIMELINE,
      hours: 8 * 24 + 6,
      types: [{ type: 'Vanishing', perHour: 4, failureRate: 0.1, cluster: 'c-7' }],
      plants: [{ type: 'Vanishing', from: '2025-11-08T18:00:00Z', until: '2025-11-09T06:00:00Z', failureRate: 1 }],
    });
    const store = new MemoryJobStore({ runs: gone });
    const opened = await evaluateAlerts({ store, now: () => at(us('2025-11-09T06:07:00Z')) }, CONFIG);
    expect(opened.opened).toBeGreaterThan(0);
    const closed = await evaluateAlerts({ store, now: () => at(us('2025-11-10T07:07:00Z')) }, CONFIG);
    expect(closed).toMatchObject({ closed: opened.opened, open: 0 });
    expect([...store.alerts.values()].map((a) => a.closedReason)).toEqual(Array(opened.opened).fill('no runs in the current window'));
  });

  it('a type with no baseline opens nothing, however bad its first day', async () => {
    const fresh = plantedTimeline({ ...TIMELINE, start: '2025-11-09T00:00:00Z', hours: 24, types: [{ type: 'Brand-new', perHour: 10, failureRate: 1, cluster: 'c-9' }], plants: [] });
    const store = new MemoryJobStore({ runs: [...runs, ...fresh] });
    for (const t of TIMES) await evaluateAlerts({ store, now: () => at(t) }, CONFIG);
    expect([...store.alerts.values()].filter((a) => a.key.includes('Brand-new') || a.key === 'c-9')).toEqual([]);
  });

  it('keeps an alert event through a publisher outage: the alert opens once, its event is published later', async () => {
    const store = new MemoryJobStore({ runs });
    const events = new RecordingPublisher();
    events.failing = true;
    const during = us('2025-11-09T10:07:00Z');
    const down = await evaluateAlerts({ store, events, now: () => at(during) }, CONFIG);
    expect(down.opened).toBeGreaterThan(0);
    expect(down.eventsPending).toBe(down.opened);
    expect(store.outbox.size).toBe(down.opened);
    events.failing = false;
    const up = await evaluateAlerts({ store, events, now: () => at(during + 60_000_000) }, CONFIG);
    expect(up).toMatchObject({ opened: 0, eventsPublished: down.opened, eventsPending: 0 });
    expect(events.published.map((e) => e.detailType)).toEqual(Array(down.opened).fill('Alert Opened'));
    expect(store.alerts.size).toBe(down.opened);
  });
});

describe('overdue alerts', () => {
  const job = (status: JobRecord['status'], attempt = 1): JobRecord => ({
    source: 'policy',
    jobId: 'j-1',
    name: 'stuck',
    type: 'EnablePolicy',
    status,
    attempt,
    waitTimeoutSec: 600,
    createdAt: '2025-11-10T10:00:00.000000Z',
    startedAt: '2025-11-10T10:00:00.000000Z',
    ...(status === 'succeeded' && { finishedAt: '2025-11-10T12:30:00.000000Z' }),
    steps: [],
    observedAt: status === 'running' ? '2025-11-10T10:00:01.000000Z' : '2025-11-10T12:30:00.000000Z',
  });

  it('opens one per overdue job and attempt, and closes it once the job leaves running/pending', async () => {
    const store = new MemoryJobStore();
    await store.recordObservation(job('running'));
    const judge = new OverdueJudge(() => store, { factor: 2, minRuns: 5 });
    const deps = (iso: string) => ({ store, judge, now: () => new Date(iso) });
    expect((await evaluateAlerts(deps('2025-11-10T10:05:00Z'), CONFIG)).opened).toBe(0);
    const late = await evaluateAlerts(deps('2025-11-10T10:15:00Z'), CONFIG);
    expect(late).toMatchObject({ opened: 1, inFlight: 1 });
    expect((await evaluateAlerts(deps('2025-11-10T11:00:00Z'), CONFIG)).opened).toBe(0);
    const [alert] = [...store.alerts.values()];
    expect(alert).toMatchObject({ kind: 'overdue', level: 'job', groupBy: 'job', key: 'policy/j-1#1', baseline: { limitSec: 600, basis: 'declared', since: '2025-11-10T10:10:00.000000Z' } });
    expect(alert!.reason).toContain('past its declared limit of 600 s');
    await store.recordObservation(job('succeeded'));
    const done = await evaluateAlerts(deps('2025-11-10T12:45:00Z'), CONFIG);
    expect(done).toMatchObject({ opened: 0, closed: 1, open: 0 });
    expect([...store.alerts.values()][0]).toMatchObject({ closedAt: '2025-11-10T12:45:00.000000Z', closedReason: 'the job is now succeeded' });
    expect((await evaluateAlerts(deps('2025-11-10T13:00:00Z'), CONFIG)).closed).toBe(0);
  });
});

it('formats the evaluation time it opens at', () => {
  expect(formatIsoMicros(us('2025-11-10T10:15:00Z'))).toBe('2025-11-10T10:15:00.000000Z');
});
