import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { defaultEventPublisher, parseEventsEnv } from '../events/default-publisher';
import { parseServiceEnv } from '../config';
import { logger, metrics } from '../observability';
import { OverdueJudge } from '../stats/overdue';
import { defaultJobStore } from '../store/default-store';
import { parseAlertConfig, type AlertConfig } from './config';
import { evaluateAlerts, type EvaluationSummary } from './evaluate';

let config: AlertConfig | undefined;
/** One judge per container: the p99 basis of each type is read once an hour. */
let judge: OverdueJudge | undefined;

/** Validates everything the evaluation reads (table, alert windows, event bus) at cold start, naming any bad variable. */
export function checkAlertConfig(env: Record<string, string | undefined> = process.env): void {
  parseServiceEnv(env);
  parseEventsEnv(env);
  config = parseAlertConfig(env);
}

/** The alert configuration of this process, read and validated once (cold start). */
export function alertConfig(): AlertConfig {
  config ??= parseAlertConfig();
  return config;
}

/** One scheduled evaluation (`evaluateAlerts`, every `alertRate`): logs its summary and emits it as metrics. */
export async function runScheduledEvaluation(now: Date = new Date()): Promise<EvaluationSummary> {
  const cfg = alertConfig();
  judge ??= new OverdueJudge(defaultJobStore, { factor: cfg.overdueFactor, minRuns: cfg.minRuns });
  const summary = await evaluateAlerts({ store: defaultJobStore(), events: defaultEventPublisher(), judge, now: () => now }, cfg);
  logger.info('alert evaluation', { summary });
  metrics.addMetric('alertsOpened', MetricUnit.Count, summary.opened);
  metrics.addMetric('alertsClosed', MetricUnit.Count, summary.closed);
  metrics.addMetric('alertsOpen', MetricUnit.Count, summary.open);
  metrics.addMetric('alertEventsPending', MetricUnit.Count, summary.eventsPending);
  return summary;
}
