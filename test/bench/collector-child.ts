// One collector process for the throughput scenario: bundled by run.ts with esbuild (as the Lambda is) and run
// with plain `node`, so its peak RSS is the collector's own, not the bench's or tsx's.
import { collectTargets, type CollectSummary } from '../../lib/collect/collector';
import { DEFAULT_SCHEDULE } from '../../lib/collect/schedule';
import { DEFAULT_LOCAL_TOKEN } from '../../lib/local/simulator/auth';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { DynamoDbJobStore } from '../../lib/store/dynamodb-store';
import { createUcsClient, UcsClientConfig } from '../../lib/ucs/client';

interface ChildInput {
  ddbEndpoint: string;
  tableName: string;
  simUrl: string;
  now: string;
  concurrency: number;
  runs: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
  const store = new DynamoDbJobStore({ client: createDocumentClient({ region: 'local', endpoint: input.ddbEndpoint }), tableName: input.tableName });
  const ucs = createUcsClient(UcsClientConfig.parse({ baseUrl: input.simUrl, timeoutMs: 5000 }), { env: { UCS_AUTH_TOKEN: DEFAULT_LOCAL_TOKEN } });
  const now = new Date(input.now);
  const runs: { ms: number; summary: CollectSummary }[] = [];
  for (let i = 0; i < input.runs; i++) {
    const t0 = performance.now();
    const summary = await collectTargets('fleet', { store, ucs, now: () => now }, {
      shard: 0,
      shards: 1,
      concurrency: input.concurrency,
      requestTimeoutMs: 5000,
      schedule: { ...DEFAULT_SCHEDULE, pollIntervalSec: 60 },
    });
    runs.push({ ms: performance.now() - t0, summary });
  }
  // maxRSS is in KiB: the peak resident set of this whole process.
  process.stdout.write(JSON.stringify({ runs, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
