import type { Level } from '../jobs/runs';
import { overdueLimit, overdueOf, type JobView, type TypeP99 } from '../jobs/overdue';
import type { JobRecord } from '../jobs/record';
import { formatIsoMicros } from '../jobs/time';
import { floorTo, MICROS_PER_DAY, MICROS_PER_HOUR } from '../rollup/buckets';
import { typeKey } from '../rollup/groups';
import { durationStats, type StatsStore } from './query';

/** How long the p99 basis looks back, and how long a computed basis is reused. */
export const P99_BASIS_DAYS = 30;

/** The limits' configuration: `OVERDUE_FACTOR` × p99, and the runs a type needs before its p99 counts. */
export interface OverdueOptions {
  factor: number;
  minRuns: number;
}

/**
 * Judges which jobs and steps are overdue now (the rule: lib/jobs/overdue.ts). The p99 basis of each type comes
 * from the statistics engine over the 30 days before the current whole hour, so it reads rollups only, and is
 * computed once per level and hour per container, however many records are judged.
 */
export class OverdueJudge {
  /** Per store (a test may swap it), per level and hour. */
  private readonly p99Cache = new WeakMap<StatsStore, Map<string, Promise<Map<string, TypeP99>>>>();

  /** `store` is called for the store of each judgement (the default store is built on first use). */
  constructor(
    private readonly store: () => StatsStore,
    private readonly options: OverdueOptions,
  ) {}

  /** The p99 of every `<source>/<type>` of a level over the 30 days before the hour of `nowUs`. */
  p99s(level: Level, nowUs: number): Promise<Map<string, TypeP99>> {
    const store = this.store();
    let perStore = this.p99Cache.get(store);
    if (!perStore) {
      perStore = new Map();
      this.p99Cache.set(store, perStore);
    }
    const cache = perStore;
    const to = floorTo(nowUs, MICROS_PER_HOUR);
    const key = `${level}|${to}`;
    let cached = cache.get(key);
    if (!cached) {
      cached = durationStats(store, {
        level,
        groupBy: 'type',
        from: formatIsoMicros(to - P99_BASIS_DAYS * MICROS_PER_DAY),
        to: formatIsoMicros(to),
      }).then((body) => new Map(body.groups.map((g) => [g.key, { p99Ms: g.p99Ms, count: g.count }])));
      // A failed read is not kept: the next judgement tries again.
      cached.catch(() => cache.delete(key));
      if (cache.size > 8) cache.clear();
      cache.set(key, cached);
    }
    return cached;
  }

  /** The record as the API shows it at `nowUs`: with `overdue` on the job and each step that is overdue. */
  async judge(record: JobRecord, nowUs: number): Promise<JobView> {
    const inFlight = (status: string) => status === 'running' || status === 'pending';
    const needsJobP99 = inFlight(record.status) && record.waitTimeoutSec === undefined;
    const needsStepP99 = record.steps.some((s) => inFlight(s.status) && s.waitTimeoutSec === undefined);
    const [jobP99, stepP99] = await Promise.all([
      needsJobP99 ? this.p99s('job', nowUs) : undefined,
      needsStepP99 ? this.p99s('step', nowUs) : undefined,
    ]);
    const id = `${record.source}/${record.jobId}`;
    const jobOverdue = overdueOf(
      { id, status: record.status, startedAt: record.startedAt, createdAt: record.createdAt },
      overdueLimit(record.waitTimeoutSec, jobP99?.get(typeKey(record)), this.options),
      nowUs,
    );
    return {
      ...record,
      ...(jobOverdue && { overdue: jobOverdue }),
      steps: record.steps.map((step) => {
        // A step without a start (waiting its turn in a serial runway) is the job's to be overdue, not its own.
        const overdue = overdueOf(
          { id: `${id}/${step.stepId}`, status: step.status, startedAt: step.startedAt },
          overdueLimit(step.waitTimeoutSec, stepP99?.get(typeKey({ source: record.source, type: step.type })), this.options),
          nowUs,
        );
        return overdue ? { ...step, overdue } : step;
      }),
    };
  }
}
