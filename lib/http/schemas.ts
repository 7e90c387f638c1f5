import * as z from 'zod';
import { CanonicalStatus, JobRecord, JobSource, TerminalStatus } from '../jobs/record';
import type { Target } from '../store/port';
import { StatsGroupBy, StatsInterval, StatsLevel } from '../stats/results';
import { parseInstantMicros } from '../stats/window';

/**
 * Request and response schemas of every route. Handlers parse with them, the OpenAPI document is generated
 * from them (lib/http/openapi.ts), and the tests validate real responses against them.
 */

/** An ISO 8601 instant: RFC 3339 with Z or an offset, or a date (midnight UTC). */
export const InstantParam = z
  .string()
  .refine((v) => parseInstantMicros(v) !== undefined, {
    message: 'must be an ISO 8601 time with Z or an offset (2025-11-10T07:24:03Z) or a date (2025-11-10), 1970..9999',
  })
  .meta({ description: 'ISO 8601 time (`2025-11-10T07:24:03.553733Z`, any offset) or a UTC date (`2025-11-10`)' });

/** Free-text filters (types, ids): bounded so no input can make a store key too long. */
const FilterText = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/** `groupBy=cluster` exists only for steps (a job may target many clusters). */
const clusterNeedsSteps = (q: { level: string; groupBy: string }, ctx: z.RefinementCtx) => {
  if (q.groupBy === 'cluster' && q.level !== 'step') {
    ctx.addIssue({ code: 'custom', path: ['groupBy'], message: 'groupBy=cluster needs level=step' });
  }
};

const statsFields = {
  level: StatsLevel.default('job').meta({ description: '`job` (whole jobs) or `step` (sub-jobs / tasks)' }),
  groupBy: StatsGroupBy.default('type').meta({
    description: '`type` keys are `<source>/<type>`; `day` keys are UTC dates; `none` gives one group `all`',
  }),
  source: JobSource.optional(),
  type: FilterText.optional().meta({ description: 'Job type (level job) or step type (level step), any source unless `source` is given' }),
  from: InstantParam.optional().meta({ description: 'Window start (inclusive); default `to` − 7 days' }),
  to: InstantParam.optional().meta({ description: 'Window end (exclusive); default now rounded up to the next whole UTC hour' }),
  interval: StatsInterval.optional().meta({ description: 'Adds a `series` per group, one entry per UTC day or hour of the window' }),
  compare: z.enum(['previous']).optional().meta({ description: 'Adds `previous` figures (the window of equal length just before) and `change` per group' }),
};

/** Query string of `GET /stats/durations`. */
export const DurationStatsParams = z
  .strictObject({
    ...statsFields,
    status: TerminalStatus.optional().meta({ description: 'Only runs that ended in this canonical status; default every terminal run' }),
  })
  .superRefine(clusterNeedsSteps);
export type DurationStatsParams = z.infer<typeof DurationStatsParams>;

/** Query string of `GET /stats/failure-rates`. */
export const FailureRateStatsParams = z.strictObject(statsFields).superRefine(clusterNeedsSteps);
export type FailureRateStatsParams = z.infer<typeof FailureRateStatsParams>;

/** Largest page of `GET /jobs`, and the default. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Query string of `GET /jobs`. */
export const ListJobsParams = z.strictObject({
  source: JobSource.optional(),
  type: FilterText.optional(),
  status: CanonicalStatus.optional(),
  fleetId: FilterText.optional(),
  clusterId: FilterText.optional(),
  from: InstantParam.optional().meta({ description: 'Earliest sort time (startedAt, else createdAt), inclusive' }),
  to: InstantParam.optional().meta({ description: 'Latest sort time, exclusive' }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(4096).optional().meta({ description: 'The `nextCursor` of the previous page, with the same filters' }),
});
export type ListJobsParams = z.infer<typeof ListJobsParams>;

/** Path of `GET /jobs/{source}/{jobId}`. */
export const JobPathParams = z.strictObject({ source: JobSource, jobId: FilterText });

/** A target kind: a fleet (its federation job is polled) or one policy job. */
export const TargetKind = z.enum(['fleet', 'policy-job']);
/** A target id as UCS spells it (uid or name); no slash, since it is a path segment of `DELETE /targets`. */
export const TargetId = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[^\s/]+$/, 'must not contain spaces or slashes');

/** Query string of `GET /targets`. */
export const ListTargetsParams = z.strictObject({
  kind: TargetKind.optional(),
  includeRetired: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .meta({ description: 'Also list retired targets' }),
});

/** Body of `POST /targets`. */
export const AddTargetBody = z.strictObject({ kind: TargetKind, id: TargetId });
/** Path of `DELETE /targets/{kind}/{id}`. */
export const TargetPathParams = z.strictObject({ kind: TargetKind, id: TargetId });

// ---- responses ----

/** Every error answer: `{"error": {code, message, details?}}`. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Body of `GET /jobs`. */
export const JobPageBody = z.object({
  items: z.array(JobRecord),
  nextCursor: z.string().optional().meta({ description: 'Opaque; pass as `cursor` with the same filters for the next page' }),
});
export type JobPageBody = z.infer<typeof JobPageBody>;

/** Body of `GET /jobs/{source}/{jobId}`. */
export const JobHistoryBody = z.object({ job: JobRecord, history: z.array(JobRecord) });

/** A watched target as the API shows it (bookkeeping such as the state fingerprint stays inside). */
export const TargetBody = z.object({
  kind: TargetKind,
  id: z.string(),
  state: z.enum(['active', 'retired']),
  addedAt: z.string(),
  addedBy: z.enum(['discovery', 'api', 'config']),
  lastPolledAt: z.string().optional(),
  lastChangedAt: z.string().optional(),
  lastError: z.string().optional(),
  consecutiveFailures: z.number().int().nonnegative(),
  nextPollAt: z.string(),
  terminalSince: z.string().optional(),
  retiredAt: z.string().optional(),
  retiredReason: z.string().optional(),
});
export type TargetBody = z.infer<typeof TargetBody>;

/** The public view of a stored target. */
export function toTargetBody(target: Target): TargetBody {
  // Built field by field so a new internal field never leaks by default.
  const { kind, id, state, addedAt, addedBy, lastPolledAt, lastChangedAt, lastError, consecutiveFailures } = target;
  const { nextPollAt, terminalSince, retiredAt, retiredReason } = target;
  return TargetBody.parse({
    kind, id, state, addedAt, addedBy, lastPolledAt, lastChangedAt, lastError, consecutiveFailures,
    nextPollAt, terminalSince, retiredAt, retiredReason,
  });
}

/** Body of `GET /targets`. */
export const TargetListBody = z.object({ items: z.array(TargetBody) });
/** Body of `POST /targets` and `DELETE /targets/{kind}/{id}`. */
export const TargetResultBody = z.object({ target: TargetBody });
/** Body of `GET /health`. */
export const HealthBody = z.object({ status: z.literal('ok') });

/** Body of `GET /openapi.json` (the outline; the document itself is built in ./openapi.ts). */
export const OpenApiDocumentBody = z.looseObject({
  openapi: z.string().startsWith('3.1'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
