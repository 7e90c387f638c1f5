import { checkCollectorConfig, runScheduledCollection, ShardInput } from '../lib/collect/runtime';
import { scheduledHandler } from '../lib/observability';

checkCollectorConfig();

/** Scheduled: polls the federation-enabling job of every due fleet of this shard. */
export const handler = scheduledHandler(async (event: unknown, context) =>
  runScheduledCollection('fleet', ShardInput.parse(event ?? {}), () => context.getRemainingTimeInMillis()),
);
