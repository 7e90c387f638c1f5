import type { JobSource } from '../jobs/record';
import { weekBucketOf } from '../stats/window';
import type { Granularity, Level, RollupGrouping, TargetKind } from './port';

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
/** True when `key` can be a position in the jobs listing (a LastEvaluatedKey of GSI1 `JOBS`). */
export const isJobListPosition = (key: Record<string, string>) =>
  Object.keys(key).sort().join(',') === 'GSI1PK,GSI1SK,PK,SK' &&
  key.GSI1PK === JOBS_GSI1PK &&
  key.SK === LATEST_SK &&
  key.PK?.startsWith('JOB#') === true;

/** UTC hour bucket `YYYY-MM-DDTHH` of an ISO time. */
export const hourBucket = (iso: string) => iso.slice(0, 13);
/** UTC day bucket `YYYY-MM-DD` of an ISO time. */
export const dayBucket = (iso: string) => iso.slice(0, 10);
/** UTC week bucket of an ISO time: the date of its week's Monday, `YYYY-MM-DD`. */
export const weekBucket = (iso: string) => weekBucketOf(Date.parse(`${dayBucket(iso)}T00:00:00Z`) * 1000);

/** Every rollup bucket a run belonging at `iso` is counted in, with the ISO time the bucket ends. */
export function rollupBuckets(iso: string): { granularity: Granularity; bucket: string; endsAt: string }[] {
  const week = weekBucket(iso);
  const day = dayBucket(iso);
  const hour = hourBucket(iso);
  const endsAt = (start: string, ms: number) => new Date(Date.parse(start) + ms).toISOString();
  return [
    { granularity: 'week', bucket: week, endsAt: endsAt(`${week}T00:00:00Z`, 7 * 86_400_000) },
    { granularity: 'day', bucket: day, endsAt: endsAt(`${day}T00:00:00Z`, 86_400_000) },
    { granularity: 'hour', bucket: hour, endsAt: endsAt(`${hour}:00:00Z`, 3_600_000) },
  ];
}

/** GSI2, terminal runs by level and UTC hour, ordered by the time they belong to. */
export const runGsi2Pk = (level: Level, hour: string) => `RUNS#${level}#${hour}`;
export const runGsi2Sk = (belongsAt: string, source: JobSource, jobId: string, attempt: number, stepId?: string) =>
  `${belongsAt}#${source}#${jobId}#${pad(attempt, 4)}${stepId === undefined ? '' : `#${stepId}`}`;

/** Rollups: one partition per level, grouping and filter scope; sort key = granularity, bucket, group. */
export const rollupPk = (level: Level, grouping: RollupGrouping, scope: string) => `ROLLUP#${level}#${grouping}#${scope}`;
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
): { level: Level; grouping: RollupGrouping; scope: string; granularity: Granularity; bucket: string; key: string } | undefined {
  const p = /^ROLLUP#(job|step)#(none|type|fleet|cluster)#(.+)$/s.exec(pk);
  const s = /^([WDH])#([^#]+)#(.*)$/s.exec(sk);
  if (!p || !s) return undefined;
  const granularity = (Object.keys(GRANULARITY_CODE) as Granularity[]).find((g) => GRANULARITY_CODE[g] === s[1]);
  if (!granularity) return undefined;
  return { level: p[1] as Level, grouping: p[2] as RollupGrouping, scope: p[3]!, granularity, bucket: s[2]!, key: s[3]! };
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
