import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, portInUse } from '../../lib/local/dynamodb-local';
import { portHolder } from '../../lib/local/port-holder';
import { startUcsSimulator, type RunningSimulator } from '../../lib/local/simulator';

// The end-to-end test of local mode: `npm start` as a user runs it, a restart on the same data folder,
// and `npm run collect` against an external UCS that requires AK/SK signatures. Every wait is for an event
// (an answer, a line of output, a process gone), bounded only by the test's timeout: a loaded machine makes
// these tests slower, never red.

const ROOT = join(__dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'ujh-local-'));
let ports: Record<'PORT' | 'LAMBDA_PORT' | 'DYNAMODB_LOCAL_PORT' | 'UCS_SIMULATOR_PORT', string>;
let esbuildDir: string;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...ports,
    LOCAL_DATA_DIR: dataDir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LOCAL_SCHEDULE_SECONDS: '2',
    SLS_ESBUILD_WORK_FOLDER: esbuildDir,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...extra,
  };
}

/** Runs an npm script to completion and returns its exit code and output. */
function npmRun(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd: ROOT, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `npm start` in its own process group, as from a terminal. */
function npmStart(extra: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  const child = spawn('npm', ['start'], { cwd: ROOT, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid, 'SIGINT'); // Ctrl-C reaches the whole foreground group
  await exited;
}

async function get(path: string): Promise<{ status: number; body: { groups: { total: number }[]; items: { fleetId: string }[] } }> {
  const res = await fetch(`http://127.0.0.1:${ports.PORT}${path}`);
  return { status: res.status, body: (await res.json()) as { groups: { total: number }[]; items: { fleetId: string }[] } };
}

/**
 * Polls `probe` until it gives a value. No deadline of its own (the test's timeout bounds it): it ends on the
 * condition, or as soon as the `npm start` it watches has exited, which is the only way the condition can no
 * longer come.
 */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, watched: { child: ChildProcess; output: () => string }): Promise<T> {
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not ready
    }
    if (watched.child.exitCode !== null || watched.child.signalCode !== null) {
      throw new Error(`${what}: npm start exited (${watched.child.exitCode ?? watched.child.signalCode}); it printed:\n${watched.output()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** GET a JSON body that must answer 200 (the body is in the failure message otherwise). */
async function getOk<T>(path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${ports.PORT}${path}`);
  const text = await res.text();
  expect(res.status, `GET ${path}: ${text.slice(0, 500)}`).toBe(200);
  return JSON.parse(text) as T;
}

/** Resolves once `pid` is gone (no deadline: the test's timeout bounds it). */
async function processGone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The `[function] LEVEL message` lines npm start printed for one function's log message. */
const logLines = (output: string, fn: string, message: string) => output.split('\n').filter((l) => l.startsWith(`[${fn}] `) && l.includes(` ${message}`));

const totalRuns = (body: { groups: { total: number }[] }): number => body.groups.reduce((n, g) => n + g.total, 0);

beforeAll(async () => {
  ports = {
    PORT: String(await freePort()),
    LAMBDA_PORT: String(await freePort()),
    DYNAMODB_LOCAL_PORT: String(await freePort()),
    UCS_SIMULATOR_PORT: String(await freePort()),
  };
  esbuildDir = join(dataDir, '.esbuild');
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start, as a user runs it', () => {
  let external: RunningSimulator | undefined;
  afterAll(async () => external?.close());

  it('reports terminal runs within 60 s, keeps them across a restart, and collects from an external AK/SK UCS', async () => {
    const first = npmStart();
    let runsBefore: number;
    try {
      await waitFor('no /health', async () => ((await get('/health')).status === 200 ? true : undefined), first);
      const banner = await waitFor('no banner', () => Promise.resolve(first.output().includes('curl -s') ? first.output() : undefined), first);
      expect(banner).toContain(`API on http://127.0.0.1:${ports.PORT}`);
      expect(banner.match(/curl -s/g)?.length).toBe(5);
      const eventsFile = join(dataDir, 'events.jsonl');
      expect(banner).toContain(`events (Job Run Finished, Job Overdue, Alert Opened, Alert Closed) are appended to ${eventsFile}`);
      // "Within a minute" in the README is one scheduled pass: the first one already reports terminal runs (the
      // simulator backfills two hours). The event, not a wall-clock bound, so a loaded machine cannot fail it.
      await waitFor('no first scheduled pass', () => Promise.resolve(first.output().includes('collectors run every') ? true : undefined), first);
      runsBefore = totalRuns((await get('/stats/failure-rates?groupBy=none')).body);
      expect(runsBefore).toBeGreaterThan(0);
      // Every counted job run is told in the events file, in EventBridge's envelope (a run counted by a pass still
      // going is told when that pass ends: wait for it, bounded by the process staying up).
      const told = () =>
        readFileSync(eventsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { source: string; 'detail-type': string; detail: { id: string; level: string } });
      const jobRuns = () => new Set(told().filter((e) => e['detail-type'] === 'Job Run Finished' && e.detail.level === 'job').map((e) => e.detail.id));
      await waitFor('job runs missing from events.jsonl', () => Promise.resolve(jobRuns().size >= runsBefore ? true : undefined), first);
      expect(new Set(told().map((e) => e.source))).toEqual(new Set(['ucs-job-history']));
      // Discovery, the collectors, the rollup compaction and the alert evaluation all ran without an error so far.
      expect(first.output()).not.toContain('scheduled run failed');
      const alerts = await get('/alerts?state=all');
      expect(alerts.status).toBe(200);
      expect(Array.isArray(alerts.body.items)).toBe(true);
    } finally {
      await stop(first.child);
    }
    for (const port of Object.values(ports)) expect(await portInUse(Number(port)), `port ${port} still in use after Ctrl-C`).toBe(false);

    // Restart on the same data folder with the schedules off: the same runs are there.
    const second = npmStart({ LOCAL_SCHEDULE_SECONDS: '0' });
    try {
      await waitFor('no /health after restart', async () => ((await get('/health')).status === 200 ? true : undefined), second);
      const { body } = await get('/stats/failure-rates?groupBy=none');
      expect(totalRuns(body)).toBeGreaterThanOrEqual(runsBefore);

      // `npm run collect` against another UCS that only accepts AK/SK signatures.
      const akSk = { accessKey: 'AKEXTERNALTEST0001', secretKey: 'external-secret-key-0001', domainId: 'external-domain' };
      external = await startUcsSimulator({ seed: 99, fleets: 2, policyJobsPerHour: 0, auth: { akSk: [akSk] } });
      // As on a workstation with no AWS credentials at all: the local tools must not need any.
      const collected = await npmRun(['run', '--silent', 'collect'], {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        UCS_ENDPOINT: external.url,
        UCS_ACCESS_KEY: akSk.accessKey,
        UCS_SECRET_KEY: akSk.secretKey,
        UCS_DOMAIN_ID: akSk.domainId,
      });
      expect(collected.code, collected.stderr).toBe(0);
      const summary = JSON.parse(collected.stdout);
      expect(summary.discovery.fleetsListed).toBe(2);
      // The table's own targets are polled too (and answer 404 there); the two external fleets succeed.
      expect(summary.fleets.changed).toBe(2);
      expect(summary.fleets.failed).toBe(0);
      expect(collected.stdout).not.toContain(akSk.secretKey);
      const jobs = await get('/jobs?source=federation&limit=100');
      const fleets = new Set(jobs.body.items.map((j) => j.fleetId));
      for (const id of external.scenario.fleetIds()) expect(fleets.has(id)).toBe(true);
    } finally {
      await stop(second.child);
    }
  });
});

describe('npm start after a SIGKILL', () => {
  const worldDir = mkdtempSync(join(tmpdir(), 'ujh-world-'));
  afterAll(() => rmSync(worldDir, { recursive: true, force: true }));

  it('frees its ports when its process group is killed, and a restart continues the same simulated world', async () => {
    // Fast: the 2 h backfill runs at 300× (24 s), a pass every second.
    const world = { LOCAL_DATA_DIR: worldDir, LOCAL_SIM_SPEED: '300', LOCAL_SCHEDULE_SECONDS: '1' };
    const first = npmStart(world);
    let offlinePid: number;
    try {
      await waitFor('no /health', async () => ((await get('/health')).status === 200 ? true : undefined), first);
      // Enough of the world seen to tell a replay from a continuation: finished federation jobs (a replay shows
      // them running again, as attempt 2) and policy jobs still running (a replay has not created them yet: 404).
      await waitFor(
        'no finished federation jobs and running policy jobs yet',
        async () => {
          const fleets = (await get('/stats/failure-rates?groupBy=none&source=federation')).body;
          const watched = (await fetch(`http://127.0.0.1:${ports.PORT}/targets?kind=policy-job`).then((r) => r.json())) as { items: unknown[] };
          return totalRuns(fleets) >= 5 && watched.items.length >= 3 ? true : undefined;
        },
        first,
      );
      offlinePid = portHolder(Number(ports.PORT))!.pid;
      expect(offlinePid, 'serverless-offline serves the API').toBeGreaterThan(0);
      expect(offlinePid).not.toBe(first.child.pid);
    } finally {
      // As `kill -9 -<pgid>` or a closed terminal would: no handler of npm start runs.
      if (first.child.exitCode === null && first.child.signalCode === null) process.kill(-first.child.pid!, 'SIGKILL');
    }
    // serverless-offline dies with its parent (it used to keep the API ports for over 30 s), and with it every port.
    await processGone(offlinePid);
    for (const port of Object.values(ports)) expect(await portInUse(Number(port)), `port ${port} still in use after SIGKILL`).toBe(false);

    const second = npmStart({ ...world, POWERTOOLS_LOG_LEVEL: 'INFO' });
    try {
      // One whole pass of both collectors after the restart (a replay shows at once: every fleet and every
      // running policy job is polled in each pass), read from the functions' own log lines, which npm start
      // prints prefixed with the function's name.
      await waitFor(
        'no collector pass after the restart',
        () => {
          const out = second.output();
          return Promise.resolve(logLines(out, 'collectFederations', 'collector run').length >= 1 && logLines(out, 'collectPolicyJobs', 'collector run').length >= 1 ? true : undefined);
        },
        second,
      );
      expect(logLines(second.output(), 'discoverTargets', 'discovery run').length).toBeGreaterThan(0);
      // The simulator never retries a federation job, and never deletes a policy job: a continued world shows
      // neither an attempt 2 nor a 404.
      const federation = await getOk<{ items: { jobId: string; attempt: number }[] }>('/jobs?source=federation&limit=100');
      expect(federation.items.length).toBeGreaterThan(0);
      expect(federation.items.filter((j) => j.attempt > 1).map((j) => `${j.jobId} attempt ${j.attempt}`)).toEqual([]);
      const targets = await getOk<{ items: { id: string; retiredReason?: string }[] }>('/targets?kind=policy-job&includeRetired=true');
      expect(targets.items.filter((t) => /404/.test(t.retiredReason ?? '')).map((t) => `${t.id}: ${t.retiredReason}`)).toEqual([]);
    } finally {
      await stop(second.child);
    }
  });
});

describe('npm start and npm run collect fail with one clear line', () => {
  it('names a port that is already taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(Number(ports.PORT), '127.0.0.1', () => r()));
    try {
      const { code, stderr } = await npmRun(['start', '--silent']);
      expect(code).toBe(1);
      // ... and which process holds it (here: this test's own process).
      expect(stderr).toContain(`port ${ports.PORT} (PORT) is already in use by pid ${process.pid} (`);
    } finally {
      blocker.close();
    }
  });

  it('rejects a UCS_ENDPOINT that is not a URL, and one without credentials', async () => {
    const bad = await npmRun(['start', '--silent'], { UCS_ENDPOINT: 'ucs.example' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/UCS_ENDPOINT must be an http\(s\) URL/);
    const bare = await npmRun(['run', '--silent', 'collect'], { UCS_ENDPOINT: 'http://127.0.0.1:9', UCS_AUTH_TOKEN: '', UCS_ACCESS_KEY: '', UCS_USERNAME: '' });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/UCS_ENDPOINT is set but no UCS credentials are/);
    const mixed = await npmRun(['start', '--silent'], { UCS_ENDPOINT: 'http://127.0.0.1:9', UCS_AUTH_TOKEN: 'a', UCS_ACCESS_KEY: 'b' });
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/unreadable credentials/);
  });

  it('says what to install when Java is missing', async () => {
    const { code, stderr } = await npmRun(['start', '--silent', '--', '--in-memory'], { JAVA_BIN: '/nonexistent/java' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/Java was not found.*install it/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
