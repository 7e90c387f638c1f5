import * as z from 'zod';
import { CanonicalStatus, JobRecord, JobSource, TerminalStatus } from '../jobs/record';
import { JobView } from '../jobs/overdue';
import { Alert, AlertKind } from '../jobs/alert';
import { Target, TargetKind } from '../jobs/target';
import { UcsId } from '../ucs/ids';
import { parseInstantMicros, SUPPORTED_YEARS } from '../jobs/time';
import { DurationFiguresBody, FailureFiguresBody, groupByNeedsSteps, STATS_DEFAULTS, StatsAttempt, StatsGroupBy, StatsInterval, StatsLevel } from '../stats/results';

/**
 * Request and response schemas of every route. Handlers parse with them, the OpenAPI document is generated
 * from them (lib/http/openapi.ts), and the tests validate real responses against them.
 */

/** An ISO 8601 instant: RFC 3339 with Z or an offset, or a date (midnight UTC). */
export const InstantParam = z
  .string()
  .refine((v) => parseInstantMicros(v) !== undefined, {
    message: `must be an ISO 8601 time with Z or an offset (2025-11-10T07:24:03Z) or a date (2025-11-10), years ${SUPPORTED_YEARS}`,
  })
  .meta({ description: 'ISO 8601 time (`2025-11-10T07:24:03.553733Z`, any offset) or a UTC date (`2025-11-10`)' });

/** Free-text filters (types, ids): bounded so no input can make a store key too long. */
const FilterText = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/** `groupBy=cluster` exists only for steps (a job may target many clusters). */
const clusterNeedsSteps = (q: { level: StatsLevel; groupBy: StatsGroupBy }, ctx: z.RefinementCtx) => {
  if (groupByNeedsSteps(q)) {
    ctx.addIssue({ code: 'custom', path: ['groupBy'], message: 'groupBy=cluster needs level=step' });
  }
};

const statsFields = {
  level: StatsLevel.default(STATS_DEFAULTS.level).meta({ description: '`job` (whole jobs) or `step` (sub-jobs / tasks)' }),
  groupBy: StatsGroupBy.default(STATS_DEFAULTS.groupBy).meta({
    description: '`type` keys are `<source>/<type>`; `day` keys are UTC dates; `none` gives one group `all`',
  }),
  source: JobSource.optional(),
  type: FilterText.optional().meta({ description: 'Job type (level job) or step type (level step), any source unless `source` is given' }),
  from: InstantParam.optional().meta({ description: 'Window start (inclusive); default `to` − 7 days' }),
  to: InstantParam.optional().meta({ description: 'Window end (exclusive); default now rounded up to the next whole UTC hour' }),
  interval: StatsInterval.optional().meta({ description: 'Adds a `series` per group, one entry per UTC day or hour of the window' }),
  attempt: StatsAttempt.default('all').meta({
    description: '`all` counts every attempt of each job; `first` only attempt 1 (and its steps): the first-try figures beside the rates over all attempts',
  }),
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
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: '`true`: exactly the jobs overdue now (running or pending past their limit), from the in-flight jobs only' }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(4096).optional().meta({ description: 'The `nextCursor` of the previous page, with the same filters' }),
});
export type ListJobsParams = z.infer<typeof ListJobsParams>;

/** Query string of `GET /alerts`. */
export const ListAlertsParams = z.strictObject({
  state: z.enum(['open', 'all']).default('open').meta({ description: '`open` (default): alerts still open; `all`: closed ones too' }),
  kind: AlertKind.optional(),
  from: InstantParam.optional().meta({ description: 'Earliest `openedAt`, inclusive' }),
  to: InstantParam.optional().meta({ description: 'Latest `openedAt`, exclusive' }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(4096).optional().meta({ description: 'The `nextCursor` of the previous page, with the same filters' }),
});
export type ListAlertsParams = z.infer<typeof ListAlertsParams>;

/** Path of `GET /jobs/{source}/{jobId}`. */
export const JobPathParams = z.strictObject({ source: JobSource, jobId: FilterText });

/** A target id as UCS spells it: a UUID or a Kubernetes name (lib/ucs/ids.ts), on POST and DELETE alike. */
export const TargetId = UcsId;

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

/** What API Gateway itself answers (throttling, IAM or JWT refusals), before any function runs. */
export const GatewayErrorBody = z.object({ message: z.string().describe('API Gateway\'s reason, e.g. "Too Many Requests" or "Forbidden"') });
export type GatewayErrorBody = z.infer<typeof GatewayErrorBody>;

/** Body of `GET /jobs`. */
export const JobPageBody = z.object({
  items: z.array(JobView).meta({ description: 'Jobs in their latest state; `overdue` on a job or step that is overdue now' }),
  nextCursor: z.string().optional().meta({ description: 'Opaque; pass as `cursor` with the same filters for the next page' }),
});
export type JobPageBody = z.infer<typeof JobPageBody>;

/** Body of `GET /jobs/{source}/{jobId}`. */
export const JobHistoryBody = z.object({
  job: JobView.meta({ description: 'The latest state; `overdue` on it or a step when overdue now' }),
  history: z.array(JobRecord).meta({ description: 'Every distinct observed state, oldest first, as observed' }),
});
export type JobHistoryBody = z.infer<typeof JobHistoryBody>;

/** An overdue job's figures in an `overdue` alert (`current`; `baseline` is its limit, as `overdue` on the job). */
const OverdueAlertFigures = z.looseObject({
  source: JobSource,
  jobId: z.string(),
  attempt: z.number().int(),
  type: z.string(),
  status: CanonicalStatus,
  runningSec: z.number().optional(),
});
const OverdueLimitFigures = z.looseObject({ since: z.string(), limitSec: z.number(), basis: z.enum(['declared', 'p99']) });

/** One alert as `GET /alerts` shows it. */
export const AlertBody = Alert.extend({
  current: z
    .union([FailureFiguresBody, DurationFiguresBody, OverdueAlertFigures])
    .meta({ description: 'The current window\'s `/stats/*` group figures that opened it (failure figures for `failure-rate-spike`, duration figures for `duration-regression`), or the overdue job' }),
  baseline: z
    .union([FailureFiguresBody, DurationFiguresBody, OverdueLimitFigures])
    .meta({ description: 'The baseline window\'s figures of the same group, or the overdue limit' }),
});
export type AlertBody = z.infer<typeof AlertBody>;

/** Body of `GET /alerts`. */
export const AlertPageBody = z.object({
  items: z.array(AlertBody).meta({ description: 'Alerts, newest `openedAt` first' }),
  nextCursor: z.string().optional().meta({ description: 'Opaque; pass as `cursor` with the same filters for the next page' }),
});
export type AlertPageBody = z.infer<typeof AlertPageBody>;

/** A watched target as the API shows it: named fields only, so an internal one (the state fingerprint) never leaks. */
export const TargetBody = Target.pick({
  kind: true,
  id: true,
  state: true,
  addedAt: true,
  addedBy: true,
  lastPolledAt: true,
  lastChangedAt: true,
  lastError: true,
  consecutiveFailures: true,
  nextPollAt: true,
  terminalSince: true,
  retiredAt: true,
  retiredReason: true,
});
export type TargetBody = z.infer<typeof TargetBody>;

/** The public view of a stored target (zod drops every field TargetBody does not name). */
export function toTargetBody(target: Target): TargetBody {
  return TargetBody.parse(target);
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
