import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { runExportForSchedule } from '../lib/export/runtime';
import { logger } from '../lib/observability';

/** Scheduled (daily, off by default): exports the history table to S3, full the first time, then incremental. */
export const handler = middy(async (event: unknown) => {
  const result = await runExportForSchedule(event);
  logger.info('export run', { result });
  return result;
}).use(injectLambdaContext(logger));
