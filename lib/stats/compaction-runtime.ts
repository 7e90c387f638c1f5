import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../observability';
import { defaultJobStore } from '../store/default-store';
import { compactionRange, compactRollups, type CompactionSummary } from './compaction';

/** One compaction run of the `compactRollups` function (hourly; an event may name an older range). */
export async function runScheduledCompaction(event: unknown, now: Date = new Date()): Promise<CompactionSummary> {
  const summary = await compactRollups(defaultJobStore(), compactionRange(event, now.getTime() * 1000));
  logger.info('rollup compaction', { summary });
  metrics.addMetric('rollupsCompacted', MetricUnit.Count, summary.compacted);
  metrics.addMetric('rollupBinsFolded', MetricUnit.Count, summary.binsFolded);
  metrics.addMetric('rollupCompactionRaces', MetricUnit.Count, summary.raced);
  return summary;
}
