import * as z from 'zod';

/**
 * The scheduled export of the history table to S3 (ExportTableToPointInTime): a full export the first time,
 * then incremental exports that continue from the last export's time. The export call and the bookkeeping
 * item are ports, so the decision logic is tested without AWS (lib/export/aws-exporter.ts, export-state.ts).
 */

/** PITR's latest restorable time trails the present by about five minutes: export up to a moment safely behind it. */
export const EXPORT_LAG_MS = 5 * 60_000;
/** DynamoDB refuses incremental exports shorter than 15 minutes ... */
export const MIN_INCREMENTAL_MS = 15 * 60_000;
/** ... or longer than 24 hours; a longer gap (the schedule was off) restarts the chain with a full export. */
export const MAX_INCREMENTAL_MS = 24 * 60 * 60_000;

/** What the table remembers of the last export (item `META` / `EXPORT`, `kind: meta`). */
export const ExportState = z.object({
  /** The table time the last export covers up to (ISO, ms): the next incremental export starts here. */
  lastExportTime: z.string(),
  lastExportArn: z.string(),
  lastExportType: z.enum(['FULL_EXPORT', 'INCREMENTAL_EXPORT']),
  /** UTC day (`YYYY-MM-DD`) of the schedule that started it: a repeated schedule that day exports nothing. */
  lastScheduleDay: z.string(),
  updatedAt: z.string(),
});
export type ExportState = z.infer<typeof ExportState>;

/** One export request, in the terms of ExportTableToPointInTime. */
export type ExportRequest =
  | { clientToken: string; exportType: 'FULL_EXPORT'; exportTime: Date }
  | { clientToken: string; exportType: 'INCREMENTAL_EXPORT'; exportFromTime: Date; exportToTime: Date };

/** The port of the export call; the AWS adapter adds table ARN, bucket, prefix, format and view type. */
export interface TableExporter {
  /** Starts the export (DynamoDB runs it asynchronously) and returns its ARN. */
  startExport(request: ExportRequest): Promise<{ exportArn: string }>;
}

/** The port of the bookkeeping item. */
export interface ExportStateStore {
  read(): Promise<ExportState | undefined>;
  /** Writes `next` only if the stored state is still `previous` (undefined = absent); false when it was not. */
  write(next: ExportState, previous: ExportState | undefined): Promise<boolean>;
}

/** What one scheduled run decided. */
export type ExportPlan =
  | { action: 'skip'; reason: string }
  | { action: 'export'; request: ExportRequest; scheduleDay: string };

/** The schedule day of a schedule time, `YYYY-MM-DD` (UTC). */
export const scheduleDayOf = (scheduleTime: Date) => scheduleTime.toISOString().slice(0, 10);

/**
 * The ClientToken of a schedule day: DynamoDB answers a repeated request with the same token and parameters
 * with the export it already started (within its 8-hour idempotency window), so a retried schedule never
 * exports twice; the `lastScheduleDay` check covers the rest of the day.
 */
export const exportClientToken = (scheduleDay: string) => `ucs-job-history-export-${scheduleDay}`;

/**
 * Decides the export of one schedule run. Every time is derived from `scheduleTime` (the EventBridge event's
 * time, identical on a retry), so a retried invocation sends the very same request and token.
 */
export function planExport(state: ExportState | undefined, scheduleTime: Date): ExportPlan {
  const scheduleDay = scheduleDayOf(scheduleTime);
  if (state?.lastScheduleDay === scheduleDay) {
    return { action: 'skip', reason: `already exported for schedule day ${scheduleDay} (${state.lastExportArn})` };
  }
  const clientToken = exportClientToken(scheduleDay);
  // Whole seconds: the export API and the stored time then agree exactly.
  const upTo = new Date(Math.floor((scheduleTime.getTime() - EXPORT_LAG_MS) / 1000) * 1000);
  if (state === undefined) {
    return { action: 'export', scheduleDay, request: { clientToken, exportType: 'FULL_EXPORT', exportTime: upTo } };
  }
  const from = new Date(state.lastExportTime);
  const gap = upTo.getTime() - from.getTime();
  if (Number.isNaN(gap)) throw new RangeError(`stored lastExportTime is not a time: ${state.lastExportTime}`);
  if (gap < MIN_INCREMENTAL_MS) {
    return { action: 'skip', reason: `last export at ${state.lastExportTime} is less than 15 minutes old` };
  }
  if (gap > MAX_INCREMENTAL_MS) {
    return { action: 'export', scheduleDay, request: { clientToken, exportType: 'FULL_EXPORT', exportTime: upTo } };
  }
  return {
    action: 'export',
    scheduleDay,
    request: { clientToken, exportType: 'INCREMENTAL_EXPORT', exportFromTime: from, exportToTime: upTo },
  };
}

/** The outcome of one scheduled run. */
export type ExportRunResult =
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'started'; exportArn: string; exportType: ExportRequest['exportType']; upTo: string };

/** One scheduled export: reads the state, starts the planned export, records how far it reaches. */
export async function runScheduledExport(deps: {
  exporter: TableExporter;
  state: ExportStateStore;
  scheduleTime: Date;
  now?: () => Date;
}): Promise<ExportRunResult> {
  const previous = await deps.state.read();
  const plan = planExport(previous, deps.scheduleTime);
  if (plan.action === 'skip') return { outcome: 'skipped', reason: plan.reason };
  const { request } = plan;
  const { exportArn } = await deps.exporter.startExport(request);
  const upTo = (request.exportType === 'FULL_EXPORT' ? request.exportTime : request.exportToTime).toISOString();
  const next: ExportState = {
    lastExportTime: upTo,
    lastExportArn: exportArn,
    lastExportType: request.exportType,
    lastScheduleDay: plan.scheduleDay,
    updatedAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  // A concurrent run of the same day got the same export back from DynamoDB (same token); its write wins.
  await deps.state.write(next, previous);
  return { outcome: 'started', exportArn, exportType: request.exportType, upTo };
}
