import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/** The service name every log line and metric carries. */
export const SERVICE_NAME = 'ucs-job-history';

/** The one logger of the service (Powertools, JSON lines). Level from POWERTOOLS_LOG_LEVEL / LOG_LEVEL. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/** The one metrics emitter of the service (CloudWatch EMF). */
export const metrics = new Metrics({ namespace: 'UcsJobHistory', serviceName: SERVICE_NAME });

/**
 * The handler of a scheduled function: the Lambda context in every log line and its metrics flushed at the
 * end, whatever the outcome. Every scheduled function in functions/ is built with it.
 */
export function scheduledHandler<E, R>(run: (event: E, context: Context) => Promise<R>) {
  return middy(run).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}
