import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** The service name every log line and metric carries. */
export const SERVICE_NAME = 'ucs-job-history';

/** The one logger of the service (Powertools, JSON lines). Level from POWERTOOLS_LOG_LEVEL / LOG_LEVEL. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/** The one metrics emitter of the service (CloudWatch EMF). */
export const metrics = new Metrics({ namespace: 'UcsJobHistory', serviceName: SERVICE_NAME });
