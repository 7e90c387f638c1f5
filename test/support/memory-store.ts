import type { JobRecord, JobSource } from '../../lib/jobs/record';
import { addRun, emptyAggregate } from '../../lib/stats/aggregate';
import type {
  JobListFilter,
  JobStore,
  Level,
  ObservationResult,
  Page,
  PartitionCompaction,
  RollupBucket,
  RollupRange,
  Target,
  TargetKind,
  TerminalRun,
} from '../../lib/store/port';
import { rollupBuckets } from '../../lib/store/keys';
import { rollupSlots } from '../../lib/store/rollups';

/**
 * An in-memory JobStore for unit tests of the API and the statistics engine. Rollups are computed from the
 * given terminal runs through the store's own `rollupSlots`, exactly as the DynamoDB store adds them, and
 * every read is counted so tests can assert what a query cost.
 */
export class MemoryJobStore implements JobStore {
  readonly reads = { rollupQueries: 0, rollupItems: 0, runQueries: 0, runs: 0 };
  /** Set to make `ping` fail (health checks). */
  pingError: Error | undefined;
  private readonly runs: TerminalRun[];
  private readonly rollups = new Map<string, RollupBucket[]>();
  private readonly rollupIndex = new Map<string, RollupBucket>();
  private readonly jobs = new Map<string, { job: JobRecord; history: JobRecord[] }>();
  private readonly targets = new Map<string, Target>();

  constructor(init: { runs?: TerminalRun[]; jobs?: { job: JobRecord; history: JobRecord[] }[]; targets?: Target[] } = {}) {
    this.runs = [...(init.runs ?? [])];
    for (const run of this.runs) this.addToRollups(run);
    for (const j of init.jobs ?? []) this.jobs.set(`${j.job.source}#${j.job.jobId}`, j);
    for (const t of init.targets ?? []) this.targets.set(`${t.kind}#${t.id}`, { ...t });
  }

  private addToRollups(run: TerminalRun): void {
    for (const slot of rollupSlots(run)) {
      for (const { granularity, bucket } of rollupBuckets(run.belongsAt)) {
        const partition = `${run.level}|${slot.grouping}|${slot.scope}|${granularity}`;
        const id = `${partition}|${bucket}|${slot.key}`;
        let item = this.rollupIndex.get(id);
        if (!item) {
          item = { level: run.level, grouping: slot.grouping, scope: slot.scope, key: slot.key, granularity, bucket, aggregate: emptyAggregate() };
          this.rollupIndex.set(id, item);
          this.rollups.set(partition, [...(this.rollups.get(partition) ?? []), item]);
        }
        addRun(item.aggregate, run.status, run.durationMs);
      }
    }
  }

  recordObservation(_record: JobRecord): Promise<ObservationResult> {
    return Promise.reject(new Error('MemoryJobStore does not record observations'));
  }

  getJob(source: JobSource, jobId: string) {
    return Promise.resolve(this.jobs.get(`${source}#${jobId}`));
  }

  listJobs(filter: JobListFilter, limit: number, startKey?: Record<string, string>): Promise<Page<JobRecord>> {
    const sortAt = (j: JobRecord) => j.startedAt ?? j.createdAt ?? '';
    const position = (j: JobRecord) => `${sortAt(j)}#${j.source}#${j.jobId}`;
    const matching = [...this.jobs.values()]
      .map((j) => j.job)
      .filter(
        (j) =>
          (filter.source === undefined || j.source === filter.source) &&
          (filter.type === undefined || j.type === filter.type) &&
          (filter.status === undefined || j.status === filter.status) &&
          (filter.fleetId === undefined || j.fleetId === filter.fleetId) &&
          (filter.clusterId === undefined || (j.clusterIds ?? []).includes(filter.clusterId)) &&
          (filter.from === undefined || sortAt(j) >= filter.from) &&
          (filter.to === undefined || sortAt(j) < filter.to),
      )
      .sort((a, b) => (position(a) < position(b) ? 1 : -1));
    const after = startKey?.position;
    const rest = after === undefined ? matching : matching.filter((j) => position(j) < after);
    const items = rest.slice(0, limit);
    const last = items.at(-1);
    return Promise.resolve({
      items,
      ...(rest.length > limit && last && { nextKey: { position: position(last) } }),
    });
  }

  private itemsOf(r: RollupRange): RollupBucket[] {
    return (this.rollups.get(`${r.level}|${r.grouping}|${r.scope}|${r.granularity}`) ?? []).filter((i) => i.bucket >= r.fromBucket && i.bucket < r.toBucket);
  }

  readRollups(range: RollupRange): Promise<RollupBucket[]> {
    this.reads.rollupQueries += 1;
    const items = this.itemsOf(range);
    this.reads.rollupItems += items.length;
    return Promise.resolve(items);
  }

  /** Partitions asked to compact, as `level|grouping|scope|granularity|from|to` (nothing to fold in memory). */
  readonly compactions: string[] = [];

  compactRollups(range: RollupRange): Promise<PartitionCompaction> {
    const { level, grouping, scope, granularity, fromBucket, toBucket } = range;
    this.compactions.push([level, grouping, scope, granularity, fromBucket, toBucket].join('|'));
    const items = this.itemsOf(range);
    return Promise.resolve({ examined: items.length, compacted: 0, binsFolded: 0, raced: 0, keys: [...new Set(items.map((i) => i.key))].sort() });
  }

  readRuns(level: Level, from: string, to: string): Promise<TerminalRun[]> {
    this.reads.runQueries += 1;
    const runs = this.runs.filter((r) => r.level === level && r.belongsAt >= from && r.belongsAt < to);
    this.reads.runs += runs.length;
    return Promise.resolve(runs.map((r) => ({ ...r })));
  }

  addTarget(kind: TargetKind, id: string, now: string, addedBy: Target['addedBy']) {
    const existing = this.targets.get(`${kind}#${id}`);
    if (existing) return Promise.resolve({ target: { ...existing }, created: false });
    const target: Target = { kind, id, state: 'active', addedAt: now, addedBy, consecutiveFailures: 0, nextPollAt: now };
    this.targets.set(`${kind}#${id}`, target);
    return Promise.resolve({ target: { ...target }, created: true });
  }

  getTarget(kind: TargetKind, id: string) {
    const t = this.targets.get(`${kind}#${id}`);
    return Promise.resolve(t && { ...t });
  }

  listTargets(options: { kind?: TargetKind; includeRetired?: boolean } = {}) {
    return Promise.resolve(
      [...this.targets.values()]
        .filter((t) => (options.kind === undefined || t.kind === options.kind) && (options.includeRetired || t.state === 'active'))
        .map((t) => ({ ...t })),
    );
  }

  dueTargets(kind: TargetKind, now: string) {
    return Promise.resolve(
      [...this.targets.values()]
        .filter((t) => t.kind === kind && t.state === 'active' && t.nextPollAt <= now)
        .sort((a, b) => (a.nextPollAt < b.nextPollAt ? -1 : 1)),
    );
  }

  updateTarget(target: Target) {
    this.targets.set(`${target.kind}#${target.id}`, { ...target });
    return Promise.resolve();
  }

  retireTarget(kind: TargetKind, id: string, now: string, reason: string) {
    const t = this.targets.get(`${kind}#${id}`);
    if (!t) return Promise.resolve(undefined);
    if (t.state === 'retired') return Promise.resolve({ ...t });
    const retired: Target = { ...t, state: 'retired', retiredAt: now, retiredReason: reason };
    this.targets.set(`${kind}#${id}`, retired);
    return Promise.resolve({ ...retired });
  }

  ping() {
    return this.pingError ? Promise.reject(this.pingError) : Promise.resolve();
  }
}
