import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { createDynamoDbClient } from '../aws/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ConfigError, parseEnvironment } from '../config';
import { logger, metrics } from '../observability';
import { AwsTableExporter } from './aws-exporter';
import { DynamoDbExportStateStore } from './export-state';
import { runScheduledExport, type ExportRunResult } from './exporter';

/** The export function's environment (serverless.yml `exportHistory`), validated once at cold start. */
export const ExportEnv = z.object({
  TABLE_NAME: z.string().min(3),
  TABLE_ARN: z.string().startsWith('arn:', 'TABLE_ARN must be the history table ARN'),
  EXPORT_BUCKET: z.string().min(3, 'EXPORT_BUCKET must name the export bucket'),
  EXPORT_PREFIX: z.string().default('exports/'),
  AWS_REGION: z.string().default('local'),
  DYNAMODB_ENDPOINT: z.url().optional(),
});
export type ExportEnv = z.infer<typeof ExportEnv>;

/** Parses the export function's environment, naming every bad variable. */
export function parseExportEnv(env: Record<string, string | undefined> = process.env): ExportEnv {
  const parsed = parseEnvironment(ExportEnv, env);
  if (!parsed.ok) throw new ConfigError(`Invalid configuration: ${parsed.problems}`);
  return parsed.data;
}

/** The EventBridge scheduled event: only its `time` matters (identical when EventBridge retries it). */
export const ScheduleEvent = z.object({ time: z.iso.datetime().optional() }).loose();

let wiring: { exporter: AwsTableExporter; state: DynamoDbExportStateStore } | undefined;

function defaultWiring() {
  if (wiring) return wiring;
  const env = parseExportEnv();
  // One module-scoped client per container, with timeouts (STYLE.md #4).
  const client = createDynamoDbClient({ region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT });
  wiring = {
    exporter: new AwsTableExporter(client, { tableArn: env.TABLE_ARN, bucket: env.EXPORT_BUCKET, prefix: env.EXPORT_PREFIX }),
    state: new DynamoDbExportStateStore(DynamoDBDocumentClient.from(client), env.TABLE_NAME),
  };
  return wiring;
}

/** The scheduled export of this process's table, for the schedule event's time (now when absent); logged and counted. */
export async function runExportForSchedule(event: unknown): Promise<ExportRunResult> {
  const { time } = ScheduleEvent.parse(event ?? {});
  const result = await runScheduledExport({ ...defaultWiring(), scheduleTime: time ? new Date(time) : new Date() });
  logger.info('export run', { result });
  metrics.addMetric('exportsStarted', MetricUnit.Count, result.outcome === 'started' ? 1 : 0);
  return result;
}
