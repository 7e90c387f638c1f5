import * as z from 'zod';

/** Where a job came from: the fleet federation-enabling progress API, or the policy jobs API. */
export const JobSource = z.enum(['federation', 'policy']);
export type JobSource = z.infer<typeof JobSource>;

/** The canonical status every raw UCS status maps to (DESIGN.md, "Canonical status"). */
export const CanonicalStatus = z.enum(['succeeded', 'failed', 'timed_out', 'running', 'pending', 'unknown']);
export type CanonicalStatus = z.infer<typeof CanonicalStatus>;

/** The statuses that end a run. */
export const TerminalStatus = z.enum(['succeeded', 'failed', 'timed_out']);
export type TerminalStatus = z.infer<typeof TerminalStatus>;

/** Drops keys whose value is undefined, so absent optional fields are really absent (in items and bodies). */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** True when a run in this status is over (and counts in statistics). */
export function isTerminal(status: CanonicalStatus): status is TerminalStatus {
  return (TerminalStatus.options as readonly string[]).includes(status);
}

/** ISO 8601 UTC with exactly six fractional digits, e.g. `2025-11-10T07:24:03.553733Z`. */
export const IsoMicros = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/, 'ISO 8601 UTC time with microseconds');

/** A problem found while normalizing one field; the field is left absent and the record kept. */
export const Anomaly = z.object({
  field: z.string(),
  problem: z.string(),
  value: z.string().optional(),
});
export type Anomaly = z.infer<typeof Anomaly>;

/** One step of a job: a federation sub-job or a policy task. */
export const JobStep = z.object({
  stepId: z.string(),
  name: z.string().optional(),
  type: z.string(),
  target: z.string().optional(),
  targetType: z.string().optional(),
  /** A policy task's declared `waitTimeOut`: its limit before it is overdue. */
  waitTimeoutSec: z.number().optional(),
  status: CanonicalStatus,
  rawStatus: z.string().optional(),
  reason: z.string().optional(),
  startedAt: IsoMicros.optional(),
  finishedAt: IsoMicros.optional(),
  durationMs: z.number().nonnegative().optional(),
});
export type JobStep = z.infer<typeof JobStep>;

/** The common record both UCS job models normalize into (DESIGN.md, "The common record"). */
export const JobRecord = z.object({
  source: JobSource,
  jobId: z.string().min(1),
  name: z.string().optional(),
  type: z.string(),
  rawStatus: z.string().optional(),
  status: CanonicalStatus,
  reason: z.string().optional(),
  fleetId: z.string().optional(),
  clusterIds: z.array(z.string()).optional(),
  createdAt: IsoMicros.optional(),
  startedAt: IsoMicros.optional(),
  finishedAt: IsoMicros.optional(),
  durationMs: z.number().nonnegative().optional(),
  waitTimeoutSec: z.number().optional(),
  attempt: z.number().int().min(1),
  steps: z.array(JobStep),
  anomalies: z.array(Anomaly).optional(),
  observedAt: IsoMicros,
});
export type JobRecord = z.infer<typeof JobRecord>;
