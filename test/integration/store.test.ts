import { BatchGetCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../lib/concurrency';
import { normalizeFederationJob, normalizePolicyJob } from '../../lib/jobs/normalize';
import type { ServiceEvent } from '../../lib/jobs/events';
import type { JobRecord } from '../../lib/jobs/record';
import { DynamoDbJobStore } from '../../lib/store/dynamodb-store';
import * as keys from '../../lib/store/keys';
import { InvalidPositionError, type JobStore } from '../../lib/store/port';
import { FederationJob, PolicyJob } from '../../lib/ucs/schemas';
import { crashingClient, createTestStore, tableSnapshot } from './support/store';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'ucs', name), 'utf8'));
const policySeed = () => PolicyJob.parse(fixture('policy-job.seed.json'));
const federationSeed = () => FederationJob.parse(fixture('federation-progress.seed.json'));

/** The seed policy job, reshaped into another state of its life. */
function policyState(status: string, times: { start?: string; finish?: string; task?: string; taskStart?: string; taskFinish?: string }, observedAt: string): JobRecord {
  const job = policySeed();
  job.status = { ...job.status, status, startTime: times.start ?? '', finishTime: times.finish ?? '' };
  const task = job.spec?.taskList?.[0];
  if (task) task.status = { ...task.status, status: times.task ?? status, startTime: times.taskStart ?? times.start ?? '', finishTime: times.taskFinish ?? '' };
  return normalizePolicyJob(job, { observedAt });
}

/** The `Job Run Finished` events a call counted, as `<level> <attempt> <status>`. */
const told = (events: ServiceEvent[]) => events.map((e) => `${String(e.detail.level)} ${String(e.detail.attempt)} ${String(e.detail.status)}`).sort();

const day = '2025-11-10';
const window = { from: `${day}T00:00:00.000000Z`, to: `${day}T23:59:59.999999Z` };

async function totals(store: JobStore, level: 'job' | 'step') {
  const rollups = await store.readRollups({ level: level, grouping: 'none', scope: '*', granularity: 'day', fromBucket: day, toBucket: '2025-11-11' });
  const agg = rollups[0]?.aggregate;
  return {
    succeeded: agg?.succeeded.runs ?? 0,
    failed: agg?.failed.runs ?? 0,
    timedOut: agg?.timed_out.runs ?? 0,
    sumMs: (agg?.succeeded.sumMs ?? 0) + (agg?.failed.sumMs ?? 0) + (agg?.timed_out.sumMs ?? 0),
  };
}

describe('DynamoDbJobStore against DynamoDB Local', () => {
  it('stores the seed policy job with its run and rollups, and a repeated observation writes nothing', async () => {
    const { store } = await createTestStore();
    const record = normalizePolicyJob(policySeed(), { observedAt: '2025-11-10T08:00:00.000000Z' });
    const result = await store.recordObservation(record);
    expect({ ...result, events: told(result.events) }).toEqual({ outcome: 'changed', attempt: 1, newRuns: 2, durationsRepaired: 0, events: ['job 1 succeeded', 'step 1 succeeded'] });

    const stored = await store.getJob('policy', record.jobId);
    expect(stored?.job).toEqual(record);
    expect(stored?.history).toEqual([record]);

    const jobRuns = await store.readRuns('job', window.from, window.to);
    expect(jobRuns).toHaveLength(1);
    expect(jobRuns[0]).toMatchObject({ status: 'succeeded', durationMs: 4984.451, belongsAt: '2025-11-10T07:24:08.524767Z', attempt: 1 });
    const stepRuns = await store.readRuns('step', window.from, window.to);
    expect(stepRuns).toEqual([
      expect.objectContaining({ level: 'step', type: 'UpdateConstraint', durationMs: 1135.729, clusterId: 'be72df63-7dfa-426d-acc9-6c426c4e979c' }),
    ]);

    const [dayRollup] = await store.readRollups({ level: 'job', grouping: 'type', scope: '*', granularity: 'day', fromBucket: day, toBucket: '2025-11-11' });
    expect(dayRollup?.key).toBe('policy/UpdateConstraint');
    expect(dayRollup?.aggregate.succeeded).toMatchObject({ runs: 1, withDuration: 1, sumMs: 4984.451, minMs: 4984.451, maxMs: 4984.451 });
    const [hourRollup] = await store.readRollups({ level: 'step', grouping: 'cluster', scope: 'source=policy', granularity: 'hour', fromBucket: '2025-11-10T07', toBucket: '2025-11-10T08' });
    expect(hourRollup).toMatchObject({ key: 'be72df63-7dfa-426d-acc9-6c426c4e979c', bucket: '2025-11-10T07' });

    const before = { ...store.capacity };
    expect(before.writeUnits).toBeGreaterThan(0); // the first observation did write, and it was counted
    const again = { ...record, observedAt: '2025-11-10T08:01:00.000000Z' };
    expect(await store.recordObservation(again)).toEqual({ outcome: 'unchanged', attempt: 1, newRuns: 0, durationsRepaired: 0, events: [] });
    expect(store.capacity.writeRequests).toBe(before.writeRequests);
    expect(store.capacity.writeUnits).toBe(before.writeUnits);
    expect((await store.getJob('policy', record.jobId))?.history).toHaveLength(1);
  });

  it('with a retention period, lets runs expire after they belong and rollups after their bucket ends', async () => {
    const { doc, tableName } = await createTestStore('retention');
    const store = new DynamoDbJobStore({ client: doc, tableName, retentionDays: 30 });
    const record = normalizePolicyJob(policySeed(), { observedAt: '2025-11-10T08:00:00.000000Z' });
    await store.recordObservation(record);
    const expiresAt = async (pk: string, sk: string) =>
      (await doc.send(new GetCommand({ TableName: tableName, Key: { PK: pk, SK: sk } }))).Item?.expiresAt as number | undefined;
    const seconds = (iso: string) => Date.parse(iso) / 1000 + 30 * 86_400;
    // The run belongs at 2025-11-10T07:24:08.524767Z, a Monday.
    expect(await expiresAt(keys.jobPk('policy', record.jobId), keys.runSk(1))).toBe(Math.floor(seconds('2025-11-10T07:24:08.524767Z')));
    const rollup = (granularity: 'week' | 'day' | 'hour', bucket: string) =>
      expiresAt(keys.rollupPk('job', 'none', '*'), keys.rollupSk(granularity, bucket, 'all'));
    expect(await rollup('hour', '2025-11-10T07')).toBe(seconds('2025-11-10T08:00:00Z'));
    expect(await rollup('day', '2025-11-10')).toBe(seconds('2025-11-11T00:00:00Z'));
    expect(await rollup('week', '2025-11-10')).toBe(seconds('2025-11-17T00:00:00Z'));
  });

  it('stores the seed federation job with one run per sub-job', async () => {
    const { store } = await createTestStore();
    const record = normalizeFederationJob(federationSeed(), { fleetId: 'fleet-1', observedAt: '2023-07-31T14:00:00.000000Z' });
    expect(await store.recordObservation(record)).toMatchObject({ outcome: 'changed', newRuns: 5 });
    const steps = await store.readRuns('step', '2023-07-31T13:00:00.000000Z', '2023-07-31T14:00:00.000000Z');
    expect(steps.map((s) => [s.type, s.durationMs]).sort()).toEqual(
      [['CreateCert', 0], ['CreateNetworkResource', 63745.468], ['CreateNode', 1348.715], ['InstallFederationChart', 0]].sort(),
    );
    const [fleet] = await store.readRollups({ level: 'job', grouping: 'fleet', scope: 'type=federation/CreateFederationContainer', granularity: 'hour', fromBucket: '2023-07-31T13', toBucket: '2023-07-31T14' });
    expect(fleet?.aggregate.succeeded).toMatchObject({ runs: 1, minMs: 63776.861, maxMs: 63776.861 });
    const [steps13] = await store.readRollups({ level: 'step', grouping: 'none', scope: '*', granularity: 'hour', fromBucket: '2023-07-31T13', toBucket: '2023-07-31T14' });
    expect(steps13?.aggregate.succeeded).toMatchObject({ runs: 4, withDuration: 4, minMs: 0, maxMs: 63745.468 });
    expect(steps13?.aggregate.succeeded.sketch.zeroCount).toBe(2);
  });

  it('records a state change as a revision, and a retried job counts one failed and one succeeded run', async () => {
    const { store } = await createTestStore();
    const running = policyState('Running', { start: '2025-11-10T15:00:00.000000+08:00' }, '2025-11-10T07:00:30.000000Z');
    const failed = policyState('Failed', { start: '2025-11-10T15:00:00.000000+08:00', finish: '2025-11-10T15:01:00.000000+08:00', taskFinish: '2025-11-10T15:00:50.000000+08:00' }, '2025-11-10T07:01:30.000000Z');
    const retrying = policyState('Running', { start: '2025-11-10T15:05:00.000000+08:00' }, '2025-11-10T07:05:30.000000Z');
    const succeeded = policyState('Succeeded', { start: '2025-11-10T15:05:00.000000+08:00', finish: '2025-11-10T15:05:10.000000+08:00', taskFinish: '2025-11-10T15:05:09.000000+08:00' }, '2025-11-10T07:06:00.000000Z');

    expect((await store.recordObservation(running)).attempt).toBe(1);
    const observe = async (record: JobRecord) => {
      const result = await store.recordObservation(record);
      return { ...result, events: told(result.events) };
    };
    expect(await observe(failed)).toEqual({ outcome: 'changed', attempt: 1, newRuns: 2, durationsRepaired: 0, events: ['job 1 failed', 'step 1 failed'] });
    expect(await observe(retrying)).toEqual({ outcome: 'changed', attempt: 2, newRuns: 0, durationsRepaired: 0, events: [] });
    expect(await observe(succeeded)).toEqual({ outcome: 'changed', attempt: 2, newRuns: 2, durationsRepaired: 0, events: ['job 2 succeeded', 'step 2 succeeded'] });
    // An older observation arriving late changes nothing.
    expect((await store.recordObservation(running)).outcome).toBe('stale');

    const stored = await store.getJob('policy', running.jobId);
    expect(stored?.history.map((r) => [r.status, r.attempt])).toEqual([
      ['running', 1], ['failed', 1], ['running', 2], ['succeeded', 2],
    ]);
    expect(await totals(store, 'job')).toEqual({ succeeded: 1, failed: 1, timedOut: 0, sumMs: 70_000 });
    expect(await totals(store, 'step')).toEqual({ succeeded: 1, failed: 1, timedOut: 0, sumMs: 59_000 });
    const runs = await store.readRuns('job', window.from, window.to);
    expect(runs.map((r) => [r.attempt, r.status]).sort()).toEqual([[1, 'failed'], [2, 'succeeded']]);
  });

  it('counts every run once when five writers record the same timeline concurrently', async () => {
    // Three attempts: running → failed, running → failed, running → succeeded, observed a minute apart.
    const timeline = Array.from({ length: 6 }, (_, i) => {
      const attemptStart = `2025-11-10T15:0${i - (i % 2)}:00.000000+08:00`;
      const at = `2025-11-10T07:0${i}:30.000000Z`;
      if (i % 2 === 0) return policyState('Running', { start: attemptStart }, at);
      const finish = `2025-11-10T15:0${i}:00.${i}00000+08:00`;
      return policyState(i === 5 ? 'Succeeded' : 'Failed', { start: attemptStart, finish, taskFinish: finish }, at);
    });
    const sequential = await createTestStore();
    for (const state of timeline) await sequential.store.recordObservation(state);

    const concurrent = await createTestStore();
    let reported = 0;
    for (const state of timeline) {
      const writers = Array.from({ length: 5 }, () => new DynamoDbJobStore({ client: concurrent.doc, tableName: concurrent.tableName }));
      const results = await Promise.all(writers.map((w) => w.recordObservation(state)));
      reported += results.reduce((n, r) => n + r.newRuns, 0);
    }
    // Each writer reports what it wrote, so together they report every run exactly once: 3 job + 3 task runs.
    expect(reported).toBe(6);
    const pks = [keys.jobPk('policy', timeline[0]!.jobId), keys.rollupPk('job', 'none', '*'), keys.rollupPk('step', 'none', '*'), keys.rollupPk('job', 'type', '*')];
    expect(await tableSnapshot(concurrent.doc, concurrent.tableName, pks)).toEqual(await tableSnapshot(sequential.doc, sequential.tableName, pks));
    expect(await totals(concurrent.store, 'job')).toMatchObject({ failed: 2, succeeded: 1 });
    expect((await concurrent.store.getJob('policy', timeline[0]!.jobId))?.history.map((r) => r.attempt)).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('loses nothing and counts nothing twice when a write dies half-way', async () => {
    const reference = await createTestStore();
    const record = normalizeFederationJob(federationSeed(), { fleetId: 'fleet-1', observedAt: '2023-07-31T14:00:00.000000Z' });
    await reference.store.recordObservation(record);
    const pks = [keys.jobPk('federation', record.jobId), keys.rollupPk('job', 'none', '*'), keys.rollupPk('step', 'type', '*'), keys.rollupPk('step', 'fleet', '*')];
    const expected = await tableSnapshot(reference.doc, reference.tableName, pks);

    // 5 runs then the revision: die before and after each of the 6 transactions, then run again.
    for (const n of [1, 3, 6]) {
      for (const when of ['before', 'after'] as const) {
        const { doc, tableName } = await createTestStore();
        const dying = new DynamoDbJobStore({ client: crashingClient(doc, n, when), tableName });
        await expect(dying.recordObservation(record)).rejects.toThrow(/injected crash/);
        const rerun = new DynamoDbJobStore({ client: doc, tableName });
        await rerun.recordObservation({ ...record, observedAt: '2023-07-31T14:01:00.000000Z' });
        const snapshot = (await tableSnapshot(doc, tableName, pks)) as Record<string, unknown>[];
        const normalize = (items: unknown[]) =>
          (items as Record<string, unknown>[]).map((i) => ({ ...i, observedAt: undefined, belongsAt: undefined, GSI2SK: undefined }));
        expect(normalize(snapshot), `crash ${when} transaction ${n}`).toEqual(normalize(expected));
      }
    }
  });

  it('refuses to list jobs from a position it never handed out', async () => {
    const { store } = await createTestStore();
    await store.recordObservation(normalizePolicyJob(policySeed(), { observedAt: '2025-11-10T08:00:00.000000Z' }));
    const page = await store.listJobs({}, 1);
    expect(page.items).toHaveLength(1);
    const forged: Record<string, string>[] = [
      { PK: 'ROLLUP#job#none#*', SK: 'D#2025-11-10#all', GSI1PK: 'JOBS', GSI1SK: 'x' },
      { PK: 'JOB#policy#x', SK: 'LATEST', GSI1PK: 'ACTIVE#fleet', GSI1SK: 'x' },
      { PK: 'JOB#policy#x', SK: 'LATEST' },
      { PK: 'JOB#policy#x', SK: 'LATEST', GSI1PK: 'JOBS', GSI1SK: '' },
      { PK: 'JOB#policy#x', SK: 'LATEST', GSI1PK: 'JOBS', GSI1SK: '2025-11-10T08:00:00.000000Z#policy#y' },
      { PK: 'JOB#policy#x', SK: 'LATEST', GSI1PK: 'JOBS', GSI1SK: '2025-11-10#policy#x' },
    ];
    for (const key of forged) await expect(store.listJobs({}, 5, key)).rejects.toBeInstanceOf(InvalidPositionError);
    // A position outside the listing's own bounds is no position of that listing.
    const late = { PK: 'JOB#policy#x', SK: 'LATEST', GSI1PK: 'JOBS', GSI1SK: '2030-01-01T00:00:00.000000Z#policy#x' };
    await expect(store.listJobs({ from: '2025-11-10T00:00:00.000000Z', to: '2025-11-11T00:00:00.000000Z' }, 5, late)).rejects.toBeInstanceOf(InvalidPositionError);
    await expect(store.listJobs({}, 5, late)).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it('finds the stored targets among listed ids with BatchGetItem, 100 keys a call, retrying unprocessed keys', async () => {
    const { store, doc, tableName } = await createTestStore('find-targets');
    const now = '2026-01-05T00:00:00.000Z';
    const stored = Array.from({ length: 150 }, (_, i) => `job-${String(i).padStart(3, '0')}`);
    await mapConcurrently(stored, 16, (id) => store.addTarget('policy-job', id, now, 'discovery'));
    await mapConcurrently(stored.slice(0, 50), 16, (id) => store.retireTarget('policy-job', id, now, 'terminal for 24 h with no retry'));
    await store.addTarget('fleet', 'job-000', now, 'api'); // same id, other kind: not a policy job
    // A client that leaves a third of each request's keys unprocessed the first time it sees them, and counts calls.
    const calls: number[] = [];
    const seen = new Set<string>();
    const stingy = Object.create(doc) as DynamoDBDocumentClient;
    stingy.send = (async (command: unknown) => {
      if (!(command instanceof BatchGetCommand)) return doc.send(command as never);
      const request = command.input.RequestItems![tableName]!;
      const keys = request.Keys!;
      calls.push(keys.length);
      const fresh = keys.filter((k) => !seen.has(String(k.SK)));
      for (const k of keys) seen.add(String(k.SK));
      const held = fresh.slice(0, Math.floor(fresh.length / 3));
      const out = await doc.send(new BatchGetCommand({ ...command.input, RequestItems: { [tableName]: { ...request, Keys: keys.filter((k) => !held.includes(k)) } } }));
      return { ...out, UnprocessedKeys: held.length ? { [tableName]: { ...request, Keys: held } } : {} };
    }) as DynamoDBDocumentClient['send'];
    const lookup = new DynamoDbJobStore({ client: stingy, tableName });
    const listed = [...stored, ...stored.slice(0, 20), 'job-unknown-1', 'job-unknown-2'];
    const found = await lookup.findTargets('policy-job', listed);
    expect(found.map((t) => t.id).sort()).toEqual(stored);
    expect(found.filter((t) => t.state === 'retired')).toHaveLength(50);
    expect(found.every((t) => t.kind === 'policy-job')).toBe(true);
    // 152 distinct ids: 100 + 52 keys, then the held-back keys asked for again; never more than 100 a call.
    expect(calls.slice(0, 1)).toEqual([100]);
    expect(Math.max(...calls)).toBeLessThanOrEqual(100);
    expect(calls.reduce((a, b) => a + b, 0)).toBeGreaterThan(152);
    expect(await lookup.findTargets('fleet', [])).toEqual([]);
  });
});
