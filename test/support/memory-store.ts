import type { JobRecord, JobSource } from '../../lib/jobs/record';
import type { AlertListFilter, JobListFilter, JobStore, ObservationResult, Page, PartitionCompaction, RollupBucket, RollupRange } from '../../lib/store/port';
import { rollupBuckets } from '../../lib/rollup/buckets';
import { fingerprint } from '../../lib/jobs/fingerprint';
import { runFinishedEvent, type ServiceEvent } from '../../lib/jobs/events';
import { planObservation, type StoredState } from '../../lib/jobs/runs';
import { microsOf } from '../../lib/jobs/time';
import { addDuration, addRun, emptyAggregate } from '../../lib/rollup/aggregate';
import type { Level, TerminalRun } from '../../lib/jobs/runs';
import type { Target, TargetKind } from '../../lib/jobs/target';
import { rollupSlots } from '../../lib/rollup/groups';
import { alertSubject, type Alert } from '../../lib/jobs/alert';

/**
 * An in-memory JobStore for unit tests of the collector, the API and the statistics engine. Rollups are computed from the
 * given terminal runs through the store's own `rollupSlots`, exactly as the DynamoDB store adds them, and
 * every read is counted so tests can assert what a query cost.
 */
export class MemoryJobStore implements JobStore {
  readonly reads = { rollupQueries: 0, rollupItems: 0, runQueries: 0, runs: 0, targetLists: 0, targetsListed: 0, targetLookups: 0, targetsLookedUp: 0 };
  /** Set to make `ping` fail (health checks). */
  pingError: Error | undefined;
  private readonly runs: TerminalRun[];
  private readonly rollups = new Map<string, RollupBucket[]>();
  /** Partition → `<bucket>|<key>` → item. */
  private readonly rollupIndex = new Map<string, Map<string, RollupBucket>>();
  private readonly jobs = new Map<string, { job: JobRecord; history: JobRecord[] }>();
  private readonly targets = new Map<string, Target>();
  /** The stored latest state of each recorded job, and the run keys counted. */
  private readonly latest = new Map<string, StoredState>();
  private readonly countedRuns = new Set<string>();

  constructor(init: { runs?: TerminalRun[]; jobs?: { job: JobRecord; history: JobRecord[] }[]; targets?: Target[] } = {}) {
    this.runs = [...(init.runs ?? [])];
    for (const run of this.runs) {
      this.countedRuns.add(`${run.source}#${run.jobId}#${run.attempt}#${run.stepId ?? ''}`);
      this.addToRollups(run);
    }
    for (const j of init.jobs ?? []) this.jobs.set(`${j.job.source}#${j.job.jobId}`, j);
    for (const t of init.targets ?? []) this.targets.set(`${t.kind}#${t.id}`, { ...t });
  }

  /** Adds a run to every rollup it feeds; `durationOnly` adds just its duration (a repaired run). */
  private addToRollups(run: TerminalRun, durationOnly = false): void {
    const buckets = rollupBuckets(microsOf(run.belongsAt));
    for (const slot of rollupSlots(run)) {
      for (const { granularity, bucket } of buckets) {
        const partition = `${run.level}|${slot.attempts}|${slot.grouping}|${slot.scope}|${granularity}`;
        let index = this.rollupIndex.get(partition);
        if (!index) {
          index = new Map();
          this.rollupIndex.set(partition, index);
          this.rollups.set(partition, []);
        }
        const id = `${bucket}|${slot.key}`;
        let item = index.get(id);
        if (!item) {
          item = { level: run.level, attempts: slot.attempts, grouping: slot.grouping, scope: slot.scope, key: slot.key, granularity, bucket, aggregate: emptyAggregate() };
          index.set(id, item);
          this.rollups.get(partition)!.push(item);
        }
        if (!durationOnly) addRun(item.aggregate, run.status, run.durationMs);
        else if (run.durationMs !== undefined) addDuration(item.aggregate, run.status, run.durationMs);
      }
    }
  }

  /**
   * Records an observation with the same rules as the DynamoDB store (lib/jobs/runs.ts): a new revision when
   * the state changed, each terminal run counted once by its (job, attempt, step) key.
   */
  recordObservation(record: JobRecord, fp = fingerprint(record)): Promise<ObservationResult> {
    const id = `${record.source}#${record.jobId}`;
    const latest = this.latest.get(id);
    const plan = planObservation(latest, record, fp);
    if (plan.outcome !== 'changed') return Promise.resolve({ outcome: plan.outcome, attempt: plan.attempt, newRuns: 0, durationsRepaired: 0, events: [] });
    const events: ServiceEvent[] = [];
    let newRuns = 0;
    const repairs = [...plan.repairs];
    for (const run of plan.runs) {
      const key = `${id}#${run.attempt}#${run.stepId ?? ''}`;
      if (this.countedRuns.has(key)) {
        if (run.durationMs !== undefined) repairs.push(run);
        continue;
      }
      this.countedRuns.add(key);
      this.runs.push(run);
      this.addToRollups(run);
      newRuns += 1;
      const event = runFinishedEvent(run);
      this.outbox.set(event.detail.id, event);
      events.push(event);
    }
    let durationsRepaired = 0;
    for (const repair of repairs) {
      const counted = this.runs.find((r) => r.source === repair.source && r.jobId === repair.jobId && r.attempt === repair.attempt && r.stepId === repair.stepId);
      if (!counted || counted.durationMs !== undefined || repair.durationMs === undefined) continue;
      Object.assign(counted, { durationMs: repair.durationMs }, repair.startedAt && { startedAt: repair.startedAt }, repair.finishedAt && { finishedAt: repair.finishedAt });
      this.addToRollups(counted, true);
      durationsRepaired += 1;
    }
    const state: StoredState = { ...plan.stored, fingerprint: fp, revision: plan.revision, attemptTerminal: plan.attemptTerminal };
    this.latest.set(id, state);
    const entry = this.jobs.get(id) ?? { job: plan.stored, history: [] };
    this.jobs.set(id, { job: plan.stored, history: [...entry.history, plan.stored] });
    return Promise.resolve({ outcome: 'changed', attempt: plan.attempt, newRuns, durationsRepaired, events });
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
          (filter.inFlight !== true || j.status === 'running' || j.status === 'pending') &&
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
    return (this.rollups.get(`${r.level}|${r.attempts ?? 'all'}|${r.grouping}|${r.scope}|${r.granularity}`) ?? []).filter((i) => i.bucket >= r.fromBucket && i.bucket < r.toBucket);
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
    this.compactions.push([level, ...(range.attempts === 'first' ? ['first'] : []), grouping, scope, granularity, fromBucket, toBucket].join('|'));
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

  findTargets(kind: TargetKind, ids: readonly string[]) {
    const unique = [...new Set(ids)];
    this.reads.targetLookups += 1;
    this.reads.targetsLookedUp += unique.length;
    return Promise.resolve(unique.flatMap((id) => {
      const t = this.targets.get(`${kind}#${id}`);
      return t ? [{ ...t }] : [];
    }));
  }

  listTargets(options: { kind?: TargetKind; includeRetired?: boolean } = {}) {
    const listed = [...this.targets.values()]
      .filter((t) => (options.kind === undefined || t.kind === options.kind) && (options.includeRetired || t.state === 'active'))
      .map((t) => ({ ...t }));
    this.reads.targetLists += 1;
    this.reads.targetsListed += listed.length;
    return Promise.resolve(listed);
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

  /** Events waiting to be published, by id (what the DynamoDB store's OUTBOX partition holds). */
  readonly outbox = new Map<string, ServiceEvent>();
  private readonly overdueMarks = new Set<string>();

  pendingEvents(limit: number) {
    return Promise.resolve([...this.outbox.values()].sort((a, b) => (a.time < b.time ? -1 : 1)).slice(0, limit));
  }

  settleEvents(ids: readonly string[]) {
    for (const id of ids) this.outbox.delete(id);
    return Promise.resolve();
  }

  recordOverdue(event: ServiceEvent, job: { source: JobSource; jobId: string; key: string }) {
    const mark = `${job.source}#${job.jobId}#${job.key}`;
    if (this.overdueMarks.has(mark)) return Promise.resolve(false);
    this.overdueMarks.add(mark);
    this.outbox.set(event.detail.id, event);
    return Promise.resolve(true);
  }

  /** Alert episodes by id, and the open alert id of each subject (the DynamoDB store's ALERTS and ALERT#OPEN). */
  readonly alerts = new Map<string, Alert>();
  private readonly openMarks = new Map<string, string>();
  /** Alert writes that took effect (opens and closes). */
  alertWrites = 0;

  openAlerts() {
    return Promise.resolve([...this.openMarks.values()].map((id) => ({ ...this.alerts.get(id)! })));
  }

  openAlert(alert: Alert, event: ServiceEvent) {
    const subject = alertSubject(alert);
    if (this.openMarks.has(subject) || this.alerts.has(alert.alertId)) return Promise.resolve(false);
    this.openMarks.set(subject, alert.alertId);
    this.alerts.set(alert.alertId, { ...alert });
    this.outbox.set(event.detail.id, event);
    this.alertWrites += 1;
    return Promise.resolve(true);
  }

  closeAlert(alert: Alert, event: ServiceEvent) {
    const subject = alertSubject(alert);
    const stored = this.alerts.get(alert.alertId);
    if (this.openMarks.get(subject) !== alert.alertId || !stored || stored.closedAt !== undefined) return Promise.resolve(false);
    this.openMarks.delete(subject);
    this.alerts.set(alert.alertId, { ...stored, closedAt: alert.closedAt, ...(alert.closedReason !== undefined && { closedReason: alert.closedReason }) });
    this.outbox.set(event.detail.id, event);
    this.alertWrites += 1;
    return Promise.resolve(true);
  }

  listAlerts(filter: AlertListFilter, limit: number, startKey?: Record<string, string>): Promise<Page<Alert>> {
    const position = (a: Alert) => `${a.openedAt}#${a.alertId}`;
    const matching = [...this.alerts.values()]
      .filter(
        (a) =>
          (!filter.open || a.closedAt === undefined) &&
          (filter.kind === undefined || a.kind === filter.kind) &&
          (filter.from === undefined || a.openedAt >= filter.from) &&
          (filter.to === undefined || a.openedAt < filter.to),
      )
      .sort((a, b) => (position(a) < position(b) ? 1 : -1));
    const after = startKey?.position;
    const rest = after === undefined ? matching : matching.filter((a) => position(a) < after);
    const items = rest.slice(0, limit).map((a) => ({ ...a }));
    const last = items.at(-1);
    return Promise.resolve({ items, ...(rest.length > limit && last && { nextKey: { position: position(last) } }) });
  }

  ping() {
    return this.pingError ? Promise.reject(this.pingError) : Promise.resolve();
  }
}
