import { build } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rngFor } from '../../lib/local/simulator/prng';
import { durationStats, failureRateStats } from '../../lib/stats/query';
import type { DynamoDbJobStore } from '../../lib/store/dynamodb-store';
import type { JobRecord } from '../../lib/jobs/record';
import { createTestStore } from './support/store';

// The collector as real processes on one timeline: SIGKILLed at 10 moments right after a run transaction
// committed (the worst moment: the run is counted, the revision that records it is not), and five at once. The
// figures of /stats/* must equal those of one uninterrupted collector over the same timeline. Every wait is for
// a line the child prints, never for a guessed time.

const WORLD = { seed: 13, fleets: 2, policyJobsPerHour: 40, start: '2025-11-10T00:00:00.000Z', stepMs: 60_000 };
const STEPS = 36;
const WINDOW = { from: '2025-11-09T00:00:00.000000Z', to: '2025-11-11T00:00:00.000000Z' };

let dir: string;
let bundle: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'collector-process-'));
  bundle = join(dir, 'collector.cjs');
  await build({ entryPoints: [join(__dirname, 'support', 'collector-process.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundle, logLevel: 'silent' });
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

type Message = { ready?: boolean; done?: number; newRuns?: number; counted?: number };

/** One collector process and the lines it printed, awaited one by one. */
class Collector {
  readonly proc: ChildProcess;
  private readonly queue: Message[] = [];
  private readonly waiting: ((m: Message | Error) => void)[] = [];
  private stderr = '';

  constructor(tableName: string, pauseAfterRuns = false) {
    const options = { ...WORLD, ddbEndpoint: inject('ddbEndpoint'), tableName, pauseAfterRuns };
    this.proc = spawn(process.execPath, [bundle, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } });
    children.push(this.proc);
    createInterface({ input: this.proc.stdout! }).on('line', (line) => this.deliver(JSON.parse(line) as Message));
    this.proc.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.proc.on('exit', (code, signal) => {
      for (const w of this.waiting.splice(0)) w(new Error(`collector exited (${code ?? signal}): ${this.stderr}`));
    });
  }

  private deliver(message: Message): void {
    const next = this.waiting.shift();
    if (next) next(message);
    else this.queue.push(message);
  }

  /** The next line the collector prints. */
  next(): Promise<Message> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => this.waiting.push((m) => (m instanceof Error ? reject(m) : resolve(m))));
  }

  send(message: Record<string, unknown>): void {
    this.proc.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  async ready(): Promise<this> {
    expect(await this.next()).toEqual({ ready: true });
    return this;
  }

  /** Runs one step to its end (no pauses) and returns the runs it counted. */
  async step(k: number): Promise<number> {
    this.send({ step: k });
    const m = await this.next();
    expect(m.done).toBe(k);
    return m.newRuns ?? 0;
  }

  /** Kills it with SIGKILL and waits until it is gone. */
  async kill(): Promise<void> {
    const gone = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill('SIGKILL');
    await gone;
  }

  async close(): Promise<void> {
    const gone = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.stdin!.end();
    await gone;
  }
}

/** What /stats/* answers for the timeline: both levels, by none and by type. */
async function figures(store: DynamoDbJobStore) {
  const out: Record<string, unknown> = {};
  for (const level of ['job', 'step'] as const) {
    for (const groupBy of ['none', 'type'] as const) {
      const q = { level, groupBy, ...WINDOW };
      out[`${level}/${groupBy}`] = { durations: await durationStats(store, q), failureRates: await failureRateStats(store, q) };
    }
  }
  return out;
}

/** Every job's number of stored revisions. */
async function revisionCounts(store: DynamoDbJobStore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let startKey: Record<string, string> | undefined;
  const jobs: JobRecord[] = [];
  do {
    const page = await store.listJobs({}, 100, startKey);
    jobs.push(...page.items);
    startKey = page.nextKey;
  } while (startKey);
  for (const job of jobs) counts[`${job.source}/${job.jobId}`] = (await store.getJob(job.source, job.jobId))?.history.length ?? 0;
  return counts;
}

let reference: { store: DynamoDbJobStore; runs: number };

describe('collector processes', () => {
  beforeAll(async () => {
    const { store, tableName } = await createTestStore('uninterrupted');
    const one = await new Collector(tableName).ready();
    let runs = 0;
    for (let k = 0; k < STEPS; k++) runs += await one.step(k);
    await one.close();
    reference = { store, runs };
    expect(runs, 'a timeline with runs to lose').toBeGreaterThan(40);
  }, 300_000);

  it('gives the figures of one uninterrupted run after 10 SIGKILLs right after run transactions committed', async () => {
    const { store, tableName } = await createTestStore('killed');
    // Ten distinct moments among the run commits the timeline has (seeded, so a failure reproduces).
    const rng = rngFor(99, 'kills');
    const kills = new Set<number>();
    while (kills.size < 10) kills.add(rng.int(1, reference.runs));
    let collector = await new Collector(tableName, true).ready();
    let commits = 0;
    let killed = 0;
    for (let k = 0; k < STEPS; k++) {
      collector.send({ step: k });
      for (;;) {
        const m = await collector.next();
        if (m.done === k) break;
        if (m.counted === undefined) continue;
        commits += 1;
        if (!kills.has(commits)) {
          collector.send({ go: true });
          continue;
        }
        // Counted, revision not yet written: die here, then start again with the same step, as a scheduler would.
        await collector.kill();
        killed += 1;
        collector = await new Collector(tableName, true).ready();
        collector.send({ step: k });
      }
    }
    await collector.close();
    expect(killed).toBe(10);
    expect(commits, 'every run committed once, whatever died').toBe(reference.runs);
    expect(await figures(store)).toEqual(await figures(reference.store));
  }, 300_000);

  it('gives five collectors at once the figures and revision counts of one, and together they report each run once', async () => {
    const { store, tableName } = await createTestStore('five');
    const five = await Promise.all(Array.from({ length: 5 }, () => new Collector(tableName).ready()));
    let reported = 0;
    for (let k = 0; k < STEPS; k++) reported += (await Promise.all(five.map((c) => c.step(k)))).reduce((a, b) => a + b, 0);
    await Promise.all(five.map((c) => c.close()));
    expect(await figures(store)).toEqual(await figures(reference.store));
    expect(await revisionCounts(store)).toEqual(await revisionCounts(reference.store));
    expect(reported).toBe(reference.runs);
  }, 300_000);
});
