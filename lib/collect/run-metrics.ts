import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ServiceEvent } from '../jobs/events';
import { metrics } from '../observability';

/**
 * Each counted run as CloudWatch metrics (EMF), once, by the collector that counted it: `JobRuns` (count, by
 * source, type and status) and `JobDurationMs` (by source and type) for job runs; `StepRuns` and `StepDurationMs`
 * the same for steps, by step type. Never by cluster or fleet: the dimensions stay bounded by the types.
 */
export function emitRunMetrics(event: ServiceEvent): void {
  if (event.detailType !== 'Job Run Finished') return;
  const d = event.detail as { level?: string; source?: string; type?: string; status?: string; durationMs?: number };
  const prefix = d.level === 'step' ? 'Step' : 'Job';
  const runs = metrics.singleMetric();
  runs.addDimensions({ source: String(d.source), type: String(d.type), status: String(d.status) });
  runs.addMetric(`${prefix}Runs`, MetricUnit.Count, 1);
  if (typeof d.durationMs === 'number') {
    const duration = metrics.singleMetric();
    duration.addDimensions({ source: String(d.source), type: String(d.type) });
    duration.addMetric(`${prefix}DurationMs`, MetricUnit.Milliseconds, d.durationMs);
  }
}
