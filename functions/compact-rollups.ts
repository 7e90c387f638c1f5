import { scheduledHandler } from '../lib/observability';
import { runScheduledCompaction } from '../lib/stats/compaction-runtime';

/** Scheduled (hourly): folds the loose sketch bins of recent rollups into packed ones, so statistics read less. */
export const handler = scheduledHandler(async (event: unknown) => runScheduledCompaction(event));
