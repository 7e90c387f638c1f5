import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics } from '../lib/observability';
import { runScheduledCompaction } from '../lib/stats/compaction-runtime';

/** Scheduled (hourly): folds the loose sketch bins of recent rollups into packed ones, so statistics read less. */
export const handler = middy(async (event: unknown) => runScheduledCompaction(event))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
