import { runExportForSchedule } from '../lib/export/runtime';
import { scheduledHandler } from '../lib/observability';

/** Scheduled (daily, off by default): exports the history table to S3, full the first time, then incremental. */
export const handler = scheduledHandler(async (event: unknown) => runExportForSchedule(event));
