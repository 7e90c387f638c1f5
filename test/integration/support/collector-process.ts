// One collector as its own process, for the process-level crash and concurrency tests: bundled with esbuild
// and run with plain `node`. It polls its own in-process UCS simulator (same seed = same world: the scenario is
// a pure function of its seed and the time) on a clock the parent steps, over the real HTTP client, into the
// shared DynamoDB Local table. Protocol, one JSON object per line:
//   stdin  {"step": k}   set the clock to start + k·stepMs, run discovery and both collectors once
//          {"go": true}  continue after a `counted` pause
//   stdout {"ready": true}, {"done": k, "newRuns": n}, and with `pauseAfterRuns` {"counted": n} after each
//          committed run transaction, then wait for "go" (so the parent can kill it right there).
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createInterface } from 'node:readline';
import { createDocumentClient } from '../../../lib/aws/dynamodb';
import { collectTargets } from '../../../lib/collect/collector';
import { discoverTargets } from '../../../lib/collect/discover';
import { DEFAULT_SCHEDULE } from '../../../lib/collect/schedule';
import { DEFAULT_LOCAL_TOKEN, ManualClock, startUcsSimulator } from '../../../lib/local/simulator';
import { DynamoDbJobStore } from '../../../lib/store/dynamodb-store';
import { createUcsClient, UcsClientConfig } from '../../../lib/ucs/client';

interface ChildOptions {
  ddbEndpoint: string;
  tableName: string;
  seed: number;
  fleets: number;
  policyJobsPerHour: number;
  start: string;
  stepMs: number;
  pauseAfterRuns?: boolean;
}

const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
  const lines = createInterface({ input: process.stdin });
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  const queued: Record<string, unknown>[] = [];
  lines.on('line', (text) => {
    const message = JSON.parse(text) as Record<string, unknown>;
    const next = waiting.shift();
    if (next) next(message);
    else queued.push(message);
  });
  lines.on('close', () => process.exit(0));
  const nextMessage = () => new Promise<Record<string, unknown>>((resolve) => (queued.length ? resolve(queued.shift()!) : waiting.push(resolve)));

  const doc = createDocumentClient({ region: 'local', endpoint: options.ddbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let counted = 0;
  // With pauseAfterRuns, every committed run transaction (a Put of a RUN# item) is followed by a pause.
  const client = options.pauseAfterRuns
    ? ({
        send: async (command: unknown) => {
          const out = await doc.send(command as never);
          const countsRun =
            command instanceof TransactWriteCommand &&
            (command.input.TransactItems ?? []).some((i) => {
              const sk = (i.Put?.Item as Record<string, unknown> | undefined)?.SK;
              return typeof sk === 'string' && sk.startsWith('RUN#');
            });
          if (countsRun) {
            say({ counted: ++counted });
            await nextMessage();
          }
          return out;
        },
      } as unknown as DynamoDBDocumentClient)
    : doc;
  const store = new DynamoDbJobStore({ client, tableName: options.tableName });
  const start = new Date(options.start);
  const clock = new ManualClock(start);
  const sim = await startUcsSimulator({ seed: options.seed, fleets: options.fleets, policyJobsPerHour: options.policyJobsPerHour, clock, start });
  const ucs = createUcsClient(UcsClientConfig.parse({ baseUrl: sim.url, timeoutMs: 5000, maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 }), {
    env: { UCS_AUTH_TOKEN: DEFAULT_LOCAL_TOKEN },
  });
  const deps = { store, ucs, now: () => clock.now() };
  say({ ready: true });
  for (;;) {
    const message = await nextMessage();
    if (typeof message.step !== 'number') continue;
    clock.set(new Date(start.getTime() + message.step * options.stepMs));
    await discoverTargets(deps);
    let newRuns = 0;
    for (const kind of ['fleet', 'policy-job'] as const) {
      const summary = await collectTargets(kind, deps, {
        shard: 0,
        shards: 1,
        // One poll at a time when pausing, so that a kill lands right after the commit the parent saw.
        concurrency: options.pauseAfterRuns ? 1 : 4,
        requestTimeoutMs: 5000,
        ignoreSchedule: true,
        schedule: { ...DEFAULT_SCHEDULE, pollIntervalSec: 60 },
      });
      newRuns += summary.newTerminalRuns;
    }
    say({ done: message.step, newRuns });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
