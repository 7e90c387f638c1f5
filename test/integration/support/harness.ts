import type { EventPublisher } from '../../../lib/events/publisher';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { collectTargets, type CollectOptions, type CollectSummary } from '../../../lib/collect/collector';
import { discoverTargets } from '../../../lib/collect/discover';
import { DEFAULT_SCHEDULE } from '../../../lib/collect/schedule';
import { DEFAULT_LOCAL_TOKEN, ManualClock, startUcsSimulator, type RunningSimulator, type SimulatorOptions } from '../../../lib/local/simulator';
import { DynamoDbJobStore } from '../../../lib/store/dynamodb-store';
import type { UcsApi } from '../../../lib/ucs/api';
import { createUcsClient, UcsClientConfig } from '../../../lib/ucs/client';
import { createTestStore } from './store';
import type { TargetKind } from '../../../lib/jobs/target';

/** A UCS client for the simulator: token auth, short timeouts and backoff so fault tests stay fast. */
export function simulatorClient(sim: RunningSimulator, overrides: Partial<UcsClientConfig> = {}): UcsApi {
  return createUcsClient(
    UcsClientConfig.parse({ baseUrl: sim.url, timeoutMs: 2000, maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 0, ...overrides }),
    { env: { UCS_AUTH_TOKEN: DEFAULT_LOCAL_TOKEN } },
  );
}

/** One world: a simulator on a manual clock, a fresh table, a store and a client, wired as in production. */
export async function createWorld(options: SimulatorOptions & { clientOverrides?: Partial<UcsClientConfig> } = {}) {
  const clock = new ManualClock(options.start ?? new Date('2025-11-10T00:00:00.000Z'));
  const sim = await startUcsSimulator({ seed: 7, fleets: 3, policyJobsPerHour: 30, ...options, clock });
  const { store, doc, tableName } = await createTestStore('world');
  const ucs = simulatorClient(sim, options.clientOverrides);
  const deps = { store, ucs, now: () => clock.now() };
  const baseOptions: CollectOptions = {
    shard: 0,
    shards: 1,
    concurrency: 8,
    requestTimeoutMs: 2000,
    schedule: { ...DEFAULT_SCHEDULE, pollIntervalSec: 60 },
  };
  return {
    clock,
    sim,
    store,
    doc,
    tableName,
    ucs,
    deps,
    /** Discovery, then one collector run per kind. */
    async collectAll(extra: Partial<CollectOptions> = {}, storeOverride?: DynamoDbJobStore, events?: EventPublisher): Promise<CollectSummary[]> {
      const d = { ...deps, ...(storeOverride && { store: storeOverride }), ...(events && { events }) };
      await discoverTargets(d);
      const out: CollectSummary[] = [];
      for (const kind of ['fleet', 'policy-job'] as TargetKind[]) out.push(await collectTargets(kind, d, { ...baseOptions, ...extra }));
      return out;
    },
    collect(kind: TargetKind, extra: Partial<CollectOptions> = {}) {
      return collectTargets(kind, deps, { ...baseOptions, ...extra });
    },
    /** Another store object on the same table (as another Lambda container would have). */
    otherStore(client: DynamoDBDocumentClient = doc) {
      return new DynamoDbJobStore({ client, tableName });
    },
    close: () => sim.close(),
  };
}
