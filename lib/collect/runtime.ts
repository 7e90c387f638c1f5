import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { parseServiceEnv, serviceConfig } from '../config';
import { logger, metrics } from '../observability';
import { defaultJobStore } from '../store/default-store';
import type { UcsApi } from '../ucs/api';
import { createUcsClient, ucsConfigFromEnv, type UcsClientConfig } from '../ucs/client';
import { collectTargets, type CollectSummary } from './collector';
import { discoverTargets, type DiscoverySummary } from './discover';
import { DEFAULT_SCHEDULE } from './schedule';
import { defaultEventPublisher, parseEventsEnv } from '../events/default-publisher';
import { OverdueJudge } from '../stats/overdue';
import type { TargetKind } from '../jobs/target';

/** The input each collector schedule carries (infra/schedules.cjs); absent = one shard. */
export const ShardInput = z
  .object({
    shard: z.coerce.number().int().min(0).default(0),
    shards: z.coerce.number().int().min(1).max(64).default(1),
  })
  .refine((v) => v.shard < v.shards, { message: 'shard must be below shards', path: ['shard'] });
export type ShardInput = z.infer<typeof ShardInput>;

let ucsConfig: UcsClientConfig | undefined;
/** One overdue judge per container: the p99 basis of each type is read once an hour. */
let judge: OverdueJudge | undefined;
let ucs: UcsApi | undefined;

/** The UCS client settings of this process, read and validated once. */
export function defaultUcsConfig(): UcsClientConfig {
  ucsConfig ??= ucsConfigFromEnv(process.env);
  return ucsConfig;
}

/** The UCS client of this process (one per Lambda container: its token cache survives invocations). */
export function defaultUcsApi(): UcsApi {
  ucs ??= createUcsClient(defaultUcsConfig());
  return ucs;
}

/** Logs the one structured summary of a collector run and emits it as EMF metrics. */
export function reportCollectSummary(summary: CollectSummary): void {
  logger.info('collector run', { summary });
  const dims = { kind: summary.kind };
  const count = (name: string, value: number) => {
    const single = metrics.singleMetric();
    single.addDimensions(dims);
    single.addMetric(name, MetricUnit.Count, value);
  };
  count('polled', summary.polled);
  count('unchanged', summary.unchanged);
  count('changed', summary.changed);
  count('newTerminalRuns', summary.newTerminalRuns);
  count('overdueTold', summary.overdueTold);
  count('eventsPublished', summary.eventsPublished);
  count('eventsPending', summary.eventsPending);
  count('durationsRepaired', summary.durationsRepaired);
  count('failedPolls', summary.failed);
  count('skippedForTime', summary.skippedForTime);
  count('retired', summary.retired);
  if (summary.ucsLatencyMs.count) {
    metrics.addMetric('ucsLatencyAvg', MetricUnit.Milliseconds, summary.ucsLatencyMs.sum / summary.ucsLatencyMs.count);
    metrics.addMetric('ucsLatencyMax', MetricUnit.Milliseconds, summary.ucsLatencyMs.max);
  }
}

/**
 * A collector's cold start: its configuration (the service's, and where events go) is read and checked once,
 * before the first run, so a bad `OVERDUE_FACTOR` or `EVENT_BUS_NAME` fails the container's init naming the
 * variable instead of failing later inside a run.
 */
export function checkCollectorConfig(env: Record<string, string | undefined> = process.env): void {
  parseServiceEnv(env);
  parseEventsEnv(env);
}

/** One scheduled collector run of `kind` for the shard in `input`, within the Lambda's remaining time. */
export async function runScheduledCollection(
  kind: TargetKind,
  input: ShardInput,
  remainingTimeMs: () => number,
): Promise<CollectSummary> {
  const config = serviceConfig();
  judge ??= new OverdueJudge(defaultJobStore, { factor: config.OVERDUE_FACTOR, minRuns: config.ALERT_MIN_RUNS });
  const summary = await collectTargets(
    kind,
    { store: defaultJobStore(), ucs: defaultUcsApi(), now: () => new Date(), events: defaultEventPublisher(), overdue: judge },
    {
      shard: input.shard,
      shards: input.shards,
      concurrency: config.POLL_CONCURRENCY,
      requestTimeoutMs: defaultUcsConfig().timeoutMs,
      remainingTimeMs,
      schedule: { ...DEFAULT_SCHEDULE, pollIntervalSec: config.POLL_INTERVAL_SECONDS },
    },
  );
  reportCollectSummary(summary);
  return summary;
}

/** The scheduled discovery run: adds every listed fleet and policy job when discovery is on. */
export async function runScheduledDiscovery(): Promise<DiscoverySummary | { skipped: 'discovery is off' }> {
  if (!serviceConfig().DISCOVERY_ENABLED) return { skipped: 'discovery is off' };
  const summary = await discoverTargets({ store: defaultJobStore(), ucs: defaultUcsApi(), now: () => new Date() });
  logger.info('discovery run', { summary });
  metrics.addMetric('targetsDiscovered', MetricUnit.Count, summary.added);
  metrics.addMetric('discoveryFailures', MetricUnit.Count, summary.failed.length);
  return summary;
}
