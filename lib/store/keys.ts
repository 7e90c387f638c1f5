import type { JobSource } from '../jobs/record';
import type { Level } from '../jobs/runs';
import type { TargetKind } from '../jobs/target';
import type { Granularity } from '../rollup/buckets';
import type { RollupAttempts, RollupGrouping } from '../rollup/groups';

/**
 * Every key format of the history table lives here (STYLE.md #6); KEYS.md beside this file explains them.
 * Nothing outside lib/store builds or parses a key, and no key string leaves the store.
 */

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Partition of one job: its latest state, its revisions and its runs. */
export const jobPk = (source: JobSource, jobId: string) => `JOB#${source}#${jobId}`;
export const LATEST_SK = 'LATEST';
/** Revisions sort in observation order. */
export const revisionSk = (revision: number) => `REV#${pad(revision, 8)}`;
export const REVISION_PREFIX = 'REV#';

/** A run key is independent of time, so the same run can only ever be written once. */
export const runSk = (attempt: number, stepId?: string) =>
  stepId === undefined ? `RUN#${pad(attempt, 4)}#JOB` : `RUN#${pad(attempt, 4)}#STEP#${stepId}`;

/** GSI1, jobs newest first: all latest job items in one partition ordered by sort time. */
export const JOBS_GSI1PK = 'JOBS';
export const jobGsi1Sk = (sortAt: string, source: JobSource, jobId: string) => `${sortAt}#${source}#${jobId}`;
/**
 * GSI2, jobs in flight (`running` or `pending`) newest first: the latest items of those jobs only, so listing the
 * overdue jobs reads no finished job (a terminal job's latest item drops out of the index).
 */
export const IN_FLIGHT_GSI2PK = 'INFLIGHT';
/** True when a job in this status is in the in-flight index. */
export const isInFlight = (status: string) => status === 'running' || status === 'pending';

const JOB_PK = /^JOB#(federation|policy)#(.+)$/s;
const SORT_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * True when `key` is a position the jobs listing can hand out for a listing bounded by `[from, to)` (sort times):
 * exactly a LastEvaluatedKey of GSI1 `JOBS` whose sort key is `<sortAt>#<source>#<jobId>` of its own job, with
 * `sortAt` a stored time inside the bounds. Anything else would reach DynamoDB as a bad ExclusiveStartKey.
 */
export function isJobListPosition(key: Record<string, string>, bounds: { from?: string; to?: string; inFlight?: boolean } = {}): boolean {
  const [pk, sk0, partition] = bounds.inFlight ? (['GSI2PK', 'GSI2SK', IN_FLIGHT_GSI2PK] as const) : (['GSI1PK', 'GSI1SK', JOBS_GSI1PK] as const);
  if (Object.keys(key).sort().join(',') !== [pk, sk0, 'PK', 'SK'].join(',') || key[pk] !== partition || key.SK !== LATEST_SK) return false;
  const job = JOB_PK.exec(key.PK ?? '');
  const sk = key[sk0] ?? '';
  const hash = sk.indexOf('#');
  const sortAt = hash < 0 ? '' : sk.slice(0, hash);
  if (!job || !SORT_AT.test(sortAt) || sk !== jobGsi1Sk(sortAt, job[1] as JobSource, job[2]!)) return false;
  return (bounds.from === undefined || sortAt >= bounds.from) && (bounds.to === undefined || sortAt < bounds.to);
}

/** GSI2, terminal runs by level and UTC hour bucket (lib/rollup/buckets.ts), ordered by the time they belong to. */
export const runGsi2Pk = (level: Level, hour: string) => `RUNS#${level}#${hour}`;
export const runGsi2Sk = (belongsAt: string, source: JobSource, jobId: string, attempt: number, stepId?: string) =>
  `${belongsAt}#${source}#${jobId}#${pad(attempt, 4)}${stepId === undefined ? '' : `#${stepId}`}`;

/**
 * Rollups: one partition per level (with `/first` for first attempts only), grouping and filter scope; sort key =
 * granularity, bucket, group.
 */
export const rollupPk = (level: Level, grouping: RollupGrouping, scope: string, attempts: RollupAttempts = 'all') =>
  `ROLLUP#${level}${attempts === 'first' ? '/first' : ''}#${grouping}#${scope}`;
const GRANULARITY_CODE: Record<Granularity, string> = { week: 'W', day: 'D', hour: 'H' };
const granularityCode = (g: Granularity) => GRANULARITY_CODE[g];
export const rollupSk = (granularity: Granularity, bucket: string, key: string) =>
  `${granularityCode(granularity)}#${bucket}#${key}`;
/**
 * What a rollup item's keys say: level, grouping, scope, granularity, bucket and group key. Scopes and keys
 * may contain `#` (type names are UCS's); levels, groupings, granularities and buckets never do. Undefined
 * when the keys are not a rollup's.
 */
export function parseRollupKey(
  pk: string,
  sk: string,
): { level: Level; attempts: RollupAttempts; grouping: RollupGrouping; scope: string; granularity: Granularity; bucket: string; key: string } | undefined {
  const p = /^ROLLUP#(job|step)(\/first)?#(none|type|fleet|cluster)#(.+)$/s.exec(pk);
  const s = /^([WDH])#([^#]+)#(.*)$/s.exec(sk);
  if (!p || !s) return undefined;
  const granularity = (Object.keys(GRANULARITY_CODE) as Granularity[]).find((g) => GRANULARITY_CODE[g] === s[1]);
  if (!granularity) return undefined;
  return { level: p[1] as Level, attempts: p[2] ? 'first' : 'all', grouping: p[3] as RollupGrouping, scope: p[4]!, granularity, bucket: s[2]!, key: s[3]! };
}

/** The sort-key range `[from, to)` of buckets in one rollup partition. */
export const rollupSkRange = (granularity: Granularity, fromBucket: string, toBucket: string) =>
  [`${granularityCode(granularity)}#${fromBucket}`, `${granularityCode(granularity)}#${toBucket}`] as const;

/** The watch list: one partition per target kind. */
export const targetPk = (kind: TargetKind) => `TARGET#${kind}`;
export const targetSk = (id: string) => id;
/** GSI1, active targets by next poll time (sparse: retired targets drop out of the index). */
export const activeTargetGsi1Pk = (kind: TargetKind) => `ACTIVE#${kind}`;
export const activeTargetGsi1Sk = (nextPollAt: string, id: string) => `${nextPollAt}#${id}`;

/** Service bookkeeping (e.g. the last export), one item per concern. */
export const META_PK = 'META';
export const metaSk = (name: string) => name;

/**
 * The event outbox: one item per event not yet published, written in the same transaction as its fact, deleted
 * once published. One partition: it holds only what is in flight (a few items, or an outage's backlog).
 */
export const OUTBOX_PK = 'OUTBOX';
export const outboxSk = (eventId: string) => eventId;

/** The mark that a job (or step) of one attempt was told overdue: at most one `Job Overdue` each. */
export const overdueSk = (key: string) => `OVERDUE#${key}`;

/**
 * Alerts: every episode in one partition, newest `openedAt` last (the listing reads it backwards); an open
 * episode is also on GSI1 `ALERTS#OPEN` (sparse: closing removes it), so `state=open` reads no closed alert.
 */
export const ALERTS_PK = 'ALERTS';
export const alertSk = (openedAt: string, alertId: string) => `${openedAt}#${alertId}`;
export const OPEN_ALERTS_GSI1PK = 'ALERTS#OPEN';
/**
 * The open mark of a subject (`kind|level|groupBy|key`): present exactly while it has an open alert. Opening is
 * conditioned on its absence and closing on its alert id, so an episode opens and closes once however many
 * evaluations race; the whole partition is what an evaluation reads to know what is open (strongly consistent).
 */
export const OPEN_ALERT_PK = 'ALERT#OPEN';
export const openAlertSk = (subject: string) => subject;

const ALERT_SK = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)#[0-9a-f]{32}$/;

/**
 * True when `key` is a position the alert listing hands out for the listing bounded by `[from, to)` (openedAt):
 * a LastEvaluatedKey of the `ALERTS` partition, or of GSI1 `ALERTS#OPEN` for open alerts only.
 */
export function isAlertListPosition(key: Record<string, string>, bounds: { open: boolean; from?: string; to?: string }): boolean {
  const names = bounds.open ? ['GSI1PK', 'GSI1SK', 'PK', 'SK'] : ['PK', 'SK'];
  if (Object.keys(key).sort().join(',') !== names.join(',') || key.PK !== ALERTS_PK) return false;
  if (bounds.open && (key.GSI1PK !== OPEN_ALERTS_GSI1PK || key.GSI1SK !== key.SK)) return false;
  const at = ALERT_SK.exec(key.SK ?? '')?.[1];
  if (at === undefined) return false;
  return (bounds.from === undefined || at >= bounds.from) && (bounds.to === undefined || at < bounds.to);
}
