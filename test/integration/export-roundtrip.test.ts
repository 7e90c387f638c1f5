import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { JobRecord, JobStep, TerminalStatus } from '../../lib/jobs/record';
import { analyzeExport, type AnalysisResult } from '../../lib/local/analyze';
import { exportLocalTable } from '../../lib/local/export-local';
import { mulberry32 } from '../../lib/local/simulator/prng';
import { durationStats, failureRateStats } from '../../lib/stats/query';
import type { DurationStatsBody, FailureRateStatsBody, StatsQuery } from '../../lib/stats/results';
import type { DynamoDbJobStore } from '../../lib/store/dynamodb-store';
import { localDynamoClient } from './support/ddb';
import { createWorld } from './support/harness';
import { createTestStore } from './support/store';
import { formatIsoMicros, parseInstantMicros } from '../../lib/jobs/time';

// History written through the store's real write path (recordObservation of normalized records, with running
// states, retries and steps), exported with export:local, analyzed, and compared with the API's engine
// (lib/stats/query.ts on the same table): counts and rates exact, percentiles within the API's 1 %.


const START = parseInstantMicros('2025-11-02T00:00:00Z') ?? 0;
const SPAN = 10 * 24 * 3_600_000_000;

/** The observations of one job: a running state, then terminal attempts (a retry in between for some). */
function jobHistory(i: number, rand: () => number): JobRecord[] {
  const source = i % 3 === 0 ? 'policy' : 'federation';
  const type = source === 'policy' ? ['deploy', 'upgrade'][i % 2] ?? 'deploy' : ['enable', 'disable', 'sync'][i % 3] ?? 'enable';
  const pick = (): TerminalStatus => (rand() < 0.7 ? 'succeeded' : rand() < 0.6 ? 'failed' : 'timed_out');
  const raw = { succeeded: 'Succeeded', failed: 'Failed', timed_out: 'TimedOut' } as const;
  const fleetId = i % 7 === 0 ? undefined : `fleet-${i % 4}`;
  const records: JobRecord[] = [];
  const attempts = i % 11 === 0 ? 2 : 1;
  let at = START + Math.floor(rand() * SPAN);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const startedUs = at;
    const durationUs = Math.floor(rand() * 900_000_000) + 1; // up to 15 minutes, µs precision
    const finishedUs = startedUs + durationUs;
    const noStart = i % 13 === 0;
    const status = pick();
    const steps = (terminal: boolean): JobStep[] =>
      Array.from({ length: source === 'policy' ? 1 + (i % 3) : i % 2 }, (_, k) => {
        const stepDuration = Math.floor(rand() * 60_000_000) + 1;
        const stepStatus = terminal ? pick() : 'running';
        return {
          stepId: `${source}-${i}-step-${k}`,
          type: source === 'policy' ? 'install' : 'member',
          ...(source === 'policy' ? { target: `cluster-${(i + k) % 5}`, targetType: 'cluster' } : {}),
          status: stepStatus,
          rawStatus: terminal ? raw[stepStatus as TerminalStatus] : 'Running',
          startedAt: formatIsoMicros(startedUs),
          ...(terminal ? { finishedAt: formatIsoMicros(startedUs + stepDuration), durationMs: stepDuration / 1000 } : {}),
        };
      });
    const base = { source, jobId: `job-${i}`, type, attempt, ...(fleetId ? { fleetId } : {}) } as const;
    records.push({ ...base, status: 'running', rawStatus: 'Running', ...(noStart ? {} : { startedAt: formatIsoMicros(startedUs) }), steps: steps(false), observedAt: formatIsoMicros(startedUs + 1000) });
    records.push({
      ...base,
      status,
      rawStatus: raw[status],
      ...(noStart ? {} : { startedAt: formatIsoMicros(startedUs), durationMs: durationUs / 1000 }),
      finishedAt: formatIsoMicros(finishedUs),
      steps: steps(true),
      observedAt: formatIsoMicros(finishedUs + 2_000_000),
    });
    at = finishedUs + 60_000_000;
  }
  return records;
}

let store: DynamoDbJobStore;
let tableName: string;
let dir: string;
const JOBS = 80;

beforeAll(async () => {
  ({ store, tableName } = await createTestStore('roundtrip'));
  const rand = mulberry32(20251110);
  for (let i = 0; i < JOBS; i++) {
    for (const record of jobHistory(i, rand)) await store.recordObservation(record);
    // A duplicate terminal observation must not count twice anywhere.
    const again = jobHistory(i, mulberry32(i))[1];
    if (again && i % 5 === 0) await store.recordObservation(again);
  }
  dir = mkdtempSync(join(tmpdir(), 'export-roundtrip-'));
  await exportLocalTable({ client: localDynamoClient(), tableName, dir, dataFiles: 3 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The analyzer's answer must equal the API's: counts and rates exact, percentiles within 1 %. */
function expectSameAnswers(local: AnalysisResult, api: { durations: DurationStatsBody; failureRates: FailureRateStatsBody }) {
  const strip = <T extends { groups: unknown[] }>(body: T) => ({ ...body, groups: undefined });
  expect(strip(local.durations)).toEqual(strip(api.durations));
  expect(local.failureRates).toEqual(api.failureRates);
  expect(local.durations.groups.map((g) => [g.key, g.count])).toEqual(api.durations.groups.map((g) => [g.key, g.count]));
  api.durations.groups.forEach((g, i) => {
    const exact = local.durations.groups[i];
    if (!exact) throw new Error(`missing group ${g.key}`);
    expect([exact.minMs, exact.maxMs, exact.meanMs]).toEqual([g.minMs, g.maxMs, g.meanMs]);
    for (const p of ['p50Ms', 'p90Ms', 'p95Ms', 'p99Ms'] as const) {
      const e = exact[p];
      const a = g[p];
      if (e === null || a === null) expect(a).toBe(e);
      else expect(Math.abs(a - e), `${g.key} ${p}: api ${a}, exact ${e}`).toBeLessThanOrEqual(0.01 * e + 0.001);
    }
  });
}

// A window with partial hours at both ends, so the API reads day rollups, hour rollups and raw runs.
const FROM = '2025-11-03T05:30:00.250000Z';
const TO = '2025-11-10T17:45:00Z';
const cases: Pick<StatsQuery, 'level' | 'groupBy'>[] = [
  { level: 'job', groupBy: 'type' },
  { level: 'job', groupBy: 'source' },
  { level: 'job', groupBy: 'fleet' },
  { level: 'job', groupBy: 'day' },
  { level: 'job', groupBy: 'none' },
  { level: 'step', groupBy: 'cluster' },
  { level: 'step', groupBy: 'type' },
];

describe('export:local → analyze --json equals the API', () => {
  it.each(cases)('level $level, groupBy $groupBy', async ({ level, groupBy }) => {
    const q: StatsQuery = { level, groupBy, from: FROM, to: TO };
    const api = { durations: await durationStats(store, q), failureRates: await failureRateStats(store, q) };
    expect(api.failureRates.groups.length).toBeGreaterThan(0);
    const local = await analyzeExport(dir, { level, groupBy, from: FROM, to: TO });
    expectSameAnswers(local, api);
  });

  it('with a status filter on durations', async () => {
    const q: StatsQuery = { level: 'job', groupBy: 'type', from: FROM, to: TO, status: 'failed' };
    const api = { durations: await durationStats(store, q), failureRates: await failureRateStats(store, q) };
    expectSameAnswers(await analyzeExport(dir, { level: 'job', groupBy: 'type', from: FROM, to: TO, status: 'failed' }), api);
  });

  it('through the real commands: npm run export:local, then npm run analyze -- --json', async () => {
    const cliDir = mkdtempSync(join(tmpdir(), 'export-cli-'));
    try {
      const env = { ...process.env, DYNAMODB_ENDPOINT: inject('ddbEndpoint'), TABLE_NAME: tableName, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
      const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
      const exported = spawnSync(tsx, [join(__dirname, '..', '..', 'lib', 'local', 'export-cli.ts'), cliDir], { env, encoding: 'utf8' });
      expect(exported.status, exported.stderr).toBe(0);
      expect(exported.stdout).toMatch(new RegExp(`exported \\d+ items of ${tableName}`));
      const analyzed = spawnSync(tsx, [join(__dirname, '..', '..', 'lib', 'local', 'analyze-cli.ts'), cliDir, '--groupBy', 'fleet', '--from', FROM, '--to', TO, '--json'], { encoding: 'utf8' });
      expect(analyzed.status, analyzed.stderr).toBe(0);
      const q: StatsQuery = { level: 'job', groupBy: 'fleet', from: FROM, to: TO };
      expectSameAnswers(JSON.parse(analyzed.stdout) as AnalysisResult, { durations: await durationStats(store, q), failureRates: await failureRateStats(store, q) });
    } finally {
      rmSync(cliDir, { recursive: true, force: true });
    }
  });
});

describe('history written through the collector path, from the simulator', () => {
  it('exports and analyzes to the API answers, for every grouping', async () => {
    const world = await createWorld({ seed: 21, fleets: 3, policyJobsPerHour: 60, start: new Date('2025-11-10T06:00:00Z') });
    const exportDir = mkdtempSync(join(tmpdir(), 'export-collector-'));
    try {
      for (let step = 0; step < 60; step++) {
        await world.collectAll({ ignoreSchedule: true });
        world.clock.advance(75_000);
      }
      await exportLocalTable({ client: localDynamoClient(), tableName: world.tableName, dir: exportDir, dataFiles: 2 });
      const from = '2025-11-10T06:10:00Z';
      const to = '2025-11-10T07:10:00.5Z';
      const all: Pick<StatsQuery, 'level' | 'groupBy'>[] = [...cases, { level: 'step', groupBy: 'fleet' }, { level: 'step', groupBy: 'day' }];
      for (const { level, groupBy } of all) {
        const q: StatsQuery = { level, groupBy, from, to };
        const api = { durations: await durationStats(world.store, q), failureRates: await failureRateStats(world.store, q) };
        expect(api.failureRates.groups.reduce((n, g) => n + g.total, 0), `${level}/${groupBy}`).toBeGreaterThan(0);
        expectSameAnswers(await analyzeExport(exportDir, { level, groupBy, from, to }), api);
      }
      // First tries only: the analyzer counts attempt 1 from raw runs, the API from first-attempt rollups.
      for (const { level, groupBy } of [{ level: 'job', groupBy: 'type' }, { level: 'step', groupBy: 'cluster' }] as const) {
        const q: StatsQuery = { level, groupBy, from, to, attempt: 'first' };
        const api = { durations: await durationStats(world.store, q), failureRates: await failureRateStats(world.store, q) };
        expectSameAnswers(await analyzeExport(exportDir, { level, groupBy, from, to, attempt: 'first' }), api);
        const all = await failureRateStats(world.store, { ...q, attempt: 'all' });
        const total = (body: typeof all) => body.groups.reduce((n, g) => n + g.total, 0);
        expect(total(api.failureRates), `${level}/${groupBy}`).toBeGreaterThan(0);
        expect(total(api.failureRates)).toBeLessThanOrEqual(total(all));
      }
    } finally {
      rmSync(exportDir, { recursive: true, force: true });
      await world.close();
    }
  });
});
