import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { runScheduledCollection, ShardInput } from '../lib/collect/runtime';
import { logger, metrics } from '../lib/observability';

/** Scheduled: polls the state of every due policy job of this shard. */
export const handler = middy(async (event: unknown, context: Context) =>
  runScheduledCollection('policy-job', ShardInput.parse(event ?? {}), () => context.getRemainingTimeInMillis()),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
