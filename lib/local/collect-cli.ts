// `npm run collect`: one manual collection pass, now, against the running local service's table and the
// configured UCS (the simulator of `npm start`, or UCS_ENDPOINT with UCS_* credentials): discovery, then
// every active target polled once whatever its next poll time or backoff. Prints the summaries as JSON.
import { collectTargets } from '../collect/collector';
import { discoverTargets } from '../collect/discover';
import { DEFAULT_SCHEDULE } from '../collect/schedule';
import { createDocumentClient } from '../aws/dynamodb';
import { logger } from '../observability';
import { DynamoDbJobStore } from '../store/dynamodb-store';
import { createUcsClient, ucsConfigFromEnv } from '../ucs/client';
import { CredentialsError } from '../ucs/credentials';
import { localDynamoConnection, localDynamoEndpoint, LocalSetupError, parseLocalEnv } from './local-config';
import { localUcsEnv } from './ucs-env';
import { JsonLinesPublisher } from '../events/jsonl';
import { OverdueJudge } from '../stats/overdue';
import { parseServiceEnv } from '../config';
import { localEventsFile } from './events-file';

async function main(): Promise<void> {
  // The summary on stdout is the output; per-target log lines only when asked for.
  if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('ERROR');
  const config = parseLocalEnv();
  const env = { ...process.env, ...localUcsEnv(config) };
  const ucsConfig = ucsConfigFromEnv(env);
  const endpoint = localDynamoEndpoint(config);
  const store = new DynamoDbJobStore({
    client: createDocumentClient(localDynamoConnection(config)),
    tableName: config.TABLE_NAME,
  });
  try {
    await store.ping();
  } catch (error) {
    throw new LocalSetupError(
      `cannot reach table ${config.TABLE_NAME} at ${endpoint} (${(error as Error).name}): is \`npm start\` running, or DYNAMODB_ENDPOINT right?`,
    );
  }
  const ucs = createUcsClient(ucsConfig, { env });
  // Events go where `npm start`'s do (the same data dir), overdue jobs judged with the service's settings.
  const service = parseServiceEnv({ ...env, TABLE_NAME: config.TABLE_NAME });
  const overdue = new OverdueJudge(() => store, { factor: service.OVERDUE_FACTOR, minRuns: service.ALERT_MIN_RUNS });
  const deps = { store, ucs, now: () => new Date(), events: new JsonLinesPublisher(localEventsFile(config.LOCAL_DATA_DIR)), overdue };
  const discovery = await discoverTargets(deps);
  const options = {
    shard: 0,
    shards: 1,
    concurrency: 16,
    requestTimeoutMs: ucsConfig.timeoutMs,
    ignoreSchedule: true,
    schedule: { ...DEFAULT_SCHEDULE, pollIntervalSec: 60 },
  };
  const fleets = await collectTargets('fleet', deps, options);
  const policyJobs = await collectTargets('policy-job', deps, options);
  process.stdout.write(`${JSON.stringify({ ucsEndpoint: ucsConfig.baseUrl, table: config.TABLE_NAME, discovery, fleets, policyJobs }, null, 2)}\n`);
  if (discovery.failed.length > 0 && fleets.polled + policyJobs.polled === 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  const known = error instanceof LocalSetupError || error instanceof CredentialsError;
  process.stderr.write(`collect: ${known ? (error as Error).message : String((error as Error).stack ?? error)}\n`);
  process.exitCode = 1;
});
