import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { runScheduledCollection, ShardInput } from '../lib/collect/runtime';
import { logger, metrics } from '../lib/observability';

/** Scheduled: polls the federation-enabling job of every due fleet of this shard. */
export const handler = middy(async (event: unknown, context: Context) =>
  runScheduledCollection('fleet', ShardInput.parse(event ?? {}), () => context.getRemainingTimeInMillis()),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
