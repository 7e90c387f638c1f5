import { logger } from '../observability';
import type { FederationJob, FederationSubJob, PolicyJob, PolicyTask } from '../ucs/schemas';
import { definedOnly, type Anomaly, type JobRecord, type JobStep } from './record';
import { canonicalStatus } from './status';
import { durationMs, parseUcsTime, type TimeValue } from './time';

// Both UCS job models → one JobRecord, per DESIGN.md "The common record". Decisions where the table is silent:
// - Empty strings count as absent (Go's zero value), like zero times; absent fields are left out of the
//   record entirely (no `undefined` values), so fingerprints and DynamoDB items stay canonical.
// - A job or step without `spec.type` gets type `unknown` (the type is a grouping key and cannot be empty).
// - Steps keep UCS order. `stepId` = `metadata.uid`, else `metadata.name`, else `index-<n>` (n = 0-based
//   position); an id already used by an earlier step of the same job gets `#<n>` appended, so (job, attempt,
//   step) stays unique.
// - `attempt` is the first attempt this answer can be: 1, or 2 for a policy job whose `spec.operation` is
//   `retry` (its first attempt was never seen, so it counts nowhere, DESIGN.md). The store assigns the attempt
//   from the job's history; this is only where a job seen for the first time starts.
// - A task's `waitTimeOut` becomes its step's `waitTimeoutSec` (the declared limit of an overdue step).
// - Policy `clusterIds` = distinct non-empty targets of tasks whose targetType is `cluster` (case-insensitive),
//   in task order; left out when there are none.
// - Policy `fleetId` = the first `spec.relatedObjects` entry whose key, lower-cased with `_`/`-` removed, is
//   `clustergroup`, `clustergroupid`, `clustergroupuid`, `fleet`, `fleetid` or `fleetuid`; else the context's.
// - Anomalies name the record field (`startedAt`, `steps[2].finishedAt`, `durationMs`) and quote the UCS
//   field in `problem`; `value` is the raw text (cut to 256 characters).

/** Type used when UCS sends none. */
export const UNKNOWN_TYPE = 'unknown';

/** What the federation collector knows besides the response: the fleet it polled and when. */
export interface FederationContext {
  fleetId: string;
  /** When the collector saw this state; any ISO 8601 / RFC 3339 time (stored with microseconds). */
  observedAt: string;
}

/** What the policy collector knows besides the response. */
export interface PolicyContext {
  observedAt: string;
  /** The fleet from discovery, used when the job's related objects name none. */
  fleetId?: string;
}

const FLEET_KEYS = new Set(['clustergroup', 'clustergroupid', 'clustergroupuid', 'fleet', 'fleetid', 'fleetuid']);
const MAX_ANOMALY_VALUE = 256;

/** Normalizes a federation-enabling job (from the progress API of fleet `ctx.fleetId`) into a JobRecord. */
export function normalizeFederationJob(job: FederationJob, ctx: FederationContext): JobRecord {
  const anomalies: Anomaly[] = [];
  // Job-level fields first, so anomalies list the job's own problems before its steps'.
  const createdAt = readTime(job.metadata.creationTimestamp, 'createdAt', 'metadata.creationTimestamp', anomalies);
  const times = timing(job.status?.startTime, 'status.startTime', job.status?.completionTime, 'status.completionTime', '', anomalies);
  const steps = assignStepIds((job.spec?.subJobs ?? []).map((subJob, i) => federationStep(subJob, i, anomalies)));
  const record = definedOnly<JobRecord>({
    source: 'federation',
    jobId: job.metadata.uid,
    name: text(job.metadata.name),
    type: text(job.spec?.type) ?? UNKNOWN_TYPE,
    rawStatus: text(job.status?.phase),
    status: canonicalStatus(text(job.status?.phase)),
    reason: text(job.status?.reason),
    fleetId: ctx.fleetId,
    createdAt: createdAt?.iso,
    ...times,
    attempt: 1,
    steps,
    anomalies: anomalies.length > 0 ? anomalies : undefined,
    observedAt: observedAtOf(ctx.observedAt),
  });
  warnOnAnomalies(record);
  return record;
}

/** Normalizes a policy job into a JobRecord. */
export function normalizePolicyJob(job: PolicyJob, ctx: PolicyContext): JobRecord {
  const anomalies: Anomaly[] = [];
  const tasks = job.spec?.taskList ?? [];
  const createdAt = readTime(job.metadata.creationTimestamp, 'createdAt', 'metadata.creationTimestamp', anomalies);
  const times = timing(job.status?.startTime, 'status.startTime', job.status?.finishTime, 'status.finishTime', '', anomalies);
  const steps = assignStepIds(tasks.map((task, i) => policyStep(task, i, anomalies)));
  const clusterIds = clusterTargets(tasks);
  const wait = job.spec?.waitTimeOut;
  const record = definedOnly<JobRecord>({
    source: 'policy',
    jobId: job.metadata.uid,
    name: text(job.metadata.name),
    type: text(job.spec?.type) ?? UNKNOWN_TYPE,
    rawStatus: text(job.status?.status),
    status: canonicalStatus(text(job.status?.status)),
    reason: text(job.status?.reason),
    fleetId: relatedFleetId(job.spec?.relatedObjects) ?? text(ctx.fleetId),
    clusterIds: clusterIds.length > 0 ? clusterIds : undefined,
    createdAt: createdAt?.iso,
    ...times,
    waitTimeoutSec: typeof wait === 'number' && Number.isFinite(wait) ? wait : undefined,
    attempt: text(job.spec?.operation)?.toLowerCase() === 'retry' ? 2 : 1,
    steps,
    anomalies: anomalies.length > 0 ? anomalies : undefined,
    observedAt: observedAtOf(ctx.observedAt),
  });
  warnOnAnomalies(record);
  return record;
}

/** A step before ids are made unique: `stepId` is the preferred id. */
type DraftStep = JobStep;

function federationStep(subJob: FederationSubJob, index: number, anomalies: Anomaly[]): DraftStep {
  const ucs = `spec.subJobs[${index}]`;
  const prefix = `steps[${index}].`;
  return definedOnly<JobStep>({
    stepId: preferredStepId(subJob.metadata, index),
    name: text(subJob.metadata?.name),
    type: text(subJob.spec?.type) ?? UNKNOWN_TYPE,
    status: canonicalStatus(text(subJob.status?.phase)),
    rawStatus: text(subJob.status?.phase),
    reason: text(subJob.status?.reason),
    ...timing(
      subJob.status?.startTime,
      `${ucs}.status.startTime`,
      subJob.status?.completionTime,
      `${ucs}.status.completionTime`,
      prefix,
      anomalies,
    ),
  });
}

function policyStep(task: PolicyTask, index: number, anomalies: Anomaly[]): DraftStep {
  const ucs = `spec.taskList[${index}]`;
  const prefix = `steps[${index}].`;
  return definedOnly<JobStep>({
    stepId: preferredStepId(task.metadata, index),
    name: text(task.metadata?.name),
    type: text(task.spec?.type) ?? UNKNOWN_TYPE,
    target: text(task.spec?.target),
    targetType: text(task.spec?.targetType),
    waitTimeoutSec: seconds(task.spec?.waitTimeOut),
    status: canonicalStatus(text(task.status?.status)),
    rawStatus: text(task.status?.status),
    reason: text(task.status?.reason),
    ...timing(
      task.status?.startTime,
      `${ucs}.status.startTime`,
      task.status?.finishTime,
      `${ucs}.status.finishTime`,
      prefix,
      anomalies,
    ),
  });
}

/** A task's declared timeout in seconds, when UCS sends a usable one (a positive number or numeric string). */
function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function preferredStepId(metadata: { uid?: string | null; name?: string | null } | null | undefined, index: number): string {
  return text(metadata?.uid) ?? text(metadata?.name) ?? `index-${index}`;
}

/** Makes step ids unique within the job, deterministically (`#<position>` on repeats). */
function assignStepIds(steps: DraftStep[]): JobStep[] {
  const seen = new Set<string>();
  return steps.map((step, i) => {
    const stepId = seen.has(step.stepId) ? `${step.stepId}#${i}` : step.stepId;
    seen.add(stepId);
    return stepId === step.stepId ? step : { ...step, stepId };
  });
}

/** startedAt / finishedAt / durationMs of a job or step; bad times and finish-before-start become anomalies. */
function timing(
  rawStart: string | null | undefined,
  startSource: string,
  rawFinish: string | null | undefined,
  finishSource: string,
  prefix: string,
  anomalies: Anomaly[],
): { startedAt?: string; finishedAt?: string; durationMs?: number } {
  const started = readTime(rawStart, `${prefix}startedAt`, startSource, anomalies);
  const finished = readTime(rawFinish, `${prefix}finishedAt`, finishSource, anomalies);
  let duration: number | undefined;
  if (started && finished) {
    const ms = durationMs(started, finished);
    if (ms >= 0) duration = ms;
    else {
      anomalies.push({
        field: `${prefix}durationMs`,
        problem: `${finishSource} (${finished.iso}) is before ${startSource} (${started.iso}); no duration`,
      });
    }
  }
  return { startedAt: started?.iso, finishedAt: finished?.iso, durationMs: duration };
}

/** Parses one UCS time; an unparsable value is recorded as an anomaly and reads as absent. */
function readTime(raw: string | null | undefined, field: string, source: string, anomalies: Anomaly[]): TimeValue | undefined {
  const parsed = parseUcsTime(raw);
  if (parsed.ok) return parsed.value;
  anomalies.push({ field, problem: `${source}: ${parsed.problem}`, value: (raw ?? '').slice(0, MAX_ANOMALY_VALUE) });
  return undefined;
}

function clusterTargets(tasks: readonly PolicyTask[]): string[] {
  const ids = new Set<string>();
  for (const task of tasks) {
    const target = text(task.spec?.target);
    if (target !== undefined && text(task.spec?.targetType)?.toLowerCase() === 'cluster') ids.add(target);
  }
  return [...ids];
}

function relatedFleetId(related: Record<string, unknown> | null | undefined): string | undefined {
  for (const [key, value] of Object.entries(related ?? {})) {
    if (FLEET_KEYS.has(key.toLowerCase().replace(/[_-]/g, '')) && typeof value === 'string' && text(value)) {
      return value.trim();
    }
  }
  return undefined;
}

/** `observedAt` comes from our own clock, so a bad value is a programming error, not UCS data. */
function observedAtOf(raw: string): string {
  const parsed = parseUcsTime(raw);
  if (!parsed.ok || !parsed.value) throw new RangeError(`observedAt must be an ISO 8601 time, got ${JSON.stringify(raw)}`);
  return parsed.value.iso;
}

function warnOnAnomalies(record: JobRecord): void {
  if (record.anomalies) {
    logger.warn('UCS job normalized with anomalies', {
      source: record.source,
      jobId: record.jobId,
      anomalies: record.anomalies,
    });
  }
}

/** A non-blank string, else undefined (UCS, written in Go, sends `""` for "not set"). */
function text(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  return value;
}
