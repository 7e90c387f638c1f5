import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { runScheduledDiscovery } from '../lib/collect/runtime';
import { logger, metrics } from '../lib/observability';

/** Scheduled: adds every fleet and policy job UCS lists to the watch list. */
export const handler = middy(async () => runScheduledDiscovery())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
