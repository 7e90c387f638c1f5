import type { JobRecord, JobSource } from '../jobs/record';
import type { Alert, AlertKind } from '../jobs/alert';
import type { ServiceEvent } from '../jobs/events';
import type { Level, TerminalRun } from '../jobs/runs';
import type { Target, TargetKind } from '../jobs/target';
import type { RunAggregate } from '../rollup/aggregate';
import type { Granularity } from '../rollup/buckets';
import type { RollupAttempts, RollupGrouping } from '../rollup/groups';

/**
 * The history store, as the three stores it is: job history (states, revisions, runs counted once), rollups
 * (read and compacted) and the watch list. Domain code talks to these ports; `lib/store/dynamodb/` implements
 * them on one table and `test/support/memory-store.ts` in memory, both applying the rules of lib/jobs/runs.ts.
 * Every read is a Query, a GetItem or a BatchGetItem of known keys.
 */

/** What recording one observation did. */
export interface ObservationResult {
  /** `stale`: an older observation than the stored latest state, ignored. */
  outcome: 'unchanged' | 'changed' | 'stale';
  attempt: number;
  /**
   * Terminal runs (job and steps) this call counted for the first time: what it wrote, even when another
   * writer then stored the revision first (the sum over concurrent writers is the number of runs).
   */
  newRuns: number;
  /** Counted runs this call gave the duration they were counted without (a later, complete observation). */
  durationsRepaired: number;
  /** The `Job Run Finished` events of the runs this call counted, already in the outbox: to publish now. */
  events: ServiceEvent[];
}

/** Filters of `GET /jobs`. `from`/`to` bound the sort time (startedAt, else createdAt): `[from, to)`. */
export interface JobListFilter {
  source?: JobSource;
  type?: string;
  status?: string;
  fleetId?: string;
  clusterId?: string;
  from?: string;
  to?: string;
  /** Only jobs in flight (`running` or `pending`), from their own index: no finished job is read. */
  inFlight?: boolean;
}

/** A listing was asked to start from a position the store never handed out. */
export class InvalidPositionError extends Error {
  override name = 'InvalidPositionError';
}

/** One page of results; `nextKey` is the store's own position, to be wrapped in an opaque cursor. */
export interface Page<T> {
  items: T[];
  nextKey?: Record<string, string>;
}

/** Job states, their revisions and their terminal runs. */
export interface JobHistoryStore {
  /**
   * Stores the observation if its state differs from the latest stored one; counts new terminal runs once.
   * `fp` is the record's `fingerprint` when the caller has computed it already.
   */
  recordObservation(record: JobRecord, fp?: string): Promise<ObservationResult>;
  /** The latest state and every distinct observed state, oldest first; undefined if unknown. */
  getJob(source: JobSource, jobId: string): Promise<{ job: JobRecord; history: JobRecord[] } | undefined>;
  /** Latest job states, newest sort time first. */
  listJobs(filter: JobListFilter, limit: number, startKey?: Record<string, string>): Promise<Page<JobRecord>>;
  /** Terminal runs whose `belongsAt` is in [from, to) (ISO times), for the partial hours at window edges. */
  readRuns(level: Level, from: string, to: string): Promise<TerminalRun[]>;
}

/** The rollup items of one partition at one granularity whose bucket is in [fromBucket, toBucket) (bucket strings compare as times). */
export interface RollupRange {
  level: Level;
  /** Every attempt's rollups (the default), or the first attempts' (`attempt=first`). */
  attempts?: RollupAttempts;
  grouping: RollupGrouping;
  scope: string;
  granularity: Granularity;
  fromBucket: string;
  toBucket: string;
}

/** What compacting one rollup partition did. */
export interface PartitionCompaction {
  /** Rollup items read. */
  examined: number;
  /** Items rewritten with their bins packed. */
  compacted: number;
  /** Loose bin attributes folded away. */
  binsFolded: number;
  /** Items skipped because a run was added between the read and the rewrite. */
  raced: number;
  /** The group keys of the items read (a `type` partition names the types that have fleet/cluster scopes). */
  keys: string[];
}

/** One rollup item: the aggregate of the runs of one group in one time bucket. */
export interface RollupBucket {
  level: Level;
  attempts: RollupAttempts;
  grouping: RollupGrouping;
  /**
   * The filter the partition was kept for: `*` (none), `source=<source>` or `type=<source>/<type>`.
   * Only `fleet` and `cluster` groupings keep filtered partitions; `type` keys already carry the source.
   */
  scope: string;
  /** The group: `all` (none), `<source>/<type>` (type), the fleet id, or the cluster id. */
  key: string;
  granularity: Granularity;
  bucket: string;
  aggregate: RunAggregate;
}

/** The pre-aggregated figures statistics read (the run counting that feeds them is the job history's). */
export interface RollupStore {
  /** The rollup items of a range. */
  readRollups(range: RollupRange): Promise<RollupBucket[]>;
  /**
   * Folds the loose figures of the rollup items of a range into packed ones. Reads return the same aggregates
   * before and after; an item that gains a run meanwhile is left for the next pass (`raced`), never overwritten.
   */
  compactRollups(range: RollupRange): Promise<PartitionCompaction>;
}

/** The watch list. */
export interface TargetStore {
  /** Adds a target (idempotent: an existing one, active or retired, is returned unchanged). */
  addTarget(kind: TargetKind, id: string, now: string, addedBy: Target['addedBy']): Promise<{ target: Target; created: boolean }>;
  getTarget(kind: TargetKind, id: string): Promise<Target | undefined>;
  /**
   * The stored targets, active or retired, among `ids` of a kind; unknown ids are simply absent (any order,
   * each at most once). Its cost follows `ids.length`, never the size of the watch list: discovery looks up
   * what UCS lists with it, not the whole history of targets ever watched.
   */
  findTargets(kind: TargetKind, ids: readonly string[]): Promise<Target[]>;
  /** The watch list, optionally of one kind, retired targets included when asked. */
  listTargets(options?: { kind?: TargetKind; includeRetired?: boolean }): Promise<Target[]>;
  /** Active targets of a kind whose next poll time is at or before `now`, oldest first. */
  dueTargets(kind: TargetKind, now: string): Promise<Target[]>;
  /** Writes the bookkeeping fields of a target (poll times, errors, schedule). */
  updateTarget(target: Target): Promise<void>;
  /** Marks a target retired with its reason (kept, never deleted); a retired one is returned unchanged, an unknown one as undefined. */
  retireTarget(kind: TargetKind, id: string, now: string, reason: string): Promise<Target | undefined>;
}

/**
 * The event outbox: events written with their facts, so a fact is never without its event, and kept until
 * published (delivery at least once; each event's stable id lets consumers drop repeats).
 */
export interface OutboxStore {
  /** Events still waiting to be published, oldest first, at most `limit`. */
  pendingEvents(limit: number): Promise<ServiceEvent[]>;
  /** Forgets published events. */
  settleEvents(ids: readonly string[]): Promise<void>;
  /**
   * Records that a job (or step) of one attempt is overdue and puts its `Job Overdue` event in the outbox, once:
   * false (and nothing written) when it was recorded before.
   */
  recordOverdue(event: ServiceEvent, job: { source: JobSource; jobId: string; key: string }): Promise<boolean>;
}

/** Filters of `GET /alerts`; `from`/`to` bound `openedAt`: `[from, to)`. */
export interface AlertListFilter {
  /** Only alerts still open (from their own index: no closed alert is read). */
  open: boolean;
  kind?: AlertKind;
  from?: string;
  to?: string;
}

/**
 * Alert state: at most one open alert per subject (`alertSubject`), each opened and closed once under
 * conditional writes, its `Alert Opened` / `Alert Closed` event written to the outbox in the same transaction.
 */
export interface AlertStore {
  /** Every open alert (strongly consistent: what the evaluation compares its verdicts with). */
  openAlerts(): Promise<Alert[]>;
  /** Opens `alert` and puts `event` in the outbox, atomically; false (nothing written) when its subject already has an open alert. */
  openAlert(alert: Alert, event: ServiceEvent): Promise<boolean>;
  /** Closes the open `alert` (with `closedAt`) and puts `event` in the outbox, atomically; false when it is not the subject's open alert any more. */
  closeAlert(alert: Alert, event: ServiceEvent): Promise<boolean>;
  /** Alerts, newest `openedAt` first. */
  listAlerts(filter: AlertListFilter, limit: number, startKey?: Record<string, string>): Promise<Page<Alert>>;
}

/** The whole store of one deployment (one table). */
export interface JobStore extends JobHistoryStore, RollupStore, TargetStore, OutboxStore, AlertStore {
  /** Succeeds when the table is reachable. */
  ping(): Promise<void>;
}
