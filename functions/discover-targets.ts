import { runScheduledDiscovery } from '../lib/collect/runtime';
import { scheduledHandler } from '../lib/observability';

/** Scheduled: adds every fleet and policy job UCS lists to the watch list. */
export const handler = scheduledHandler(async () => runScheduledDiscovery());
