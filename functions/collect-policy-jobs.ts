import { checkCollectorConfig, runScheduledCollection, ShardInput } from '../lib/collect/runtime';
import { scheduledHandler } from '../lib/observability';

checkCollectorConfig();

/** Scheduled: polls the state of every due policy job of this shard. */
export const handler = scheduledHandler(async (event: unknown, context) =>
  runScheduledCollection('policy-job', ShardInput.parse(event ?? {}), () => context.getRemainingTimeInMillis()),
);
