import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, portInUse } from '../../lib/local/dynamodb-local';
import { startUcsSimulator, type RunningSimulator } from '../../lib/local/simulator';

// The end-to-end test of local mode: `npm start` as a user runs it, a restart on the same data folder,
// and `npm run collect` against an external UCS that requires AK/SK signatures.

const ROOT = join(__dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'ujh-local-'));
let ports: Record<'PORT' | 'LAMBDA_PORT' | 'DYNAMODB_LOCAL_PORT' | 'UCS_SIMULATOR_PORT', string>;
let esbuildDir: string;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...ports,
    LOCAL_DATA_DIR: dataDir,
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
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
}

async function get(path: string): Promise<{ status: number; body: { groups: { total: number }[]; items: { fleetId: string }[] } }> {
  const res = await fetch(`http://127.0.0.1:${ports.PORT}${path}`);
  return { status: res.status, body: (await res.json()) as { groups: { total: number }[]; items: { fleetId: string }[] } };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, output: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not ready
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} within ${timeoutMs} ms; npm start printed:\n${output()}`);
}

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
      await waitFor('no /health', async () => ((await get('/health')).status === 200 ? true : undefined), 180_000, first.output);
      const healthyAt = Date.now();
      runsBefore = await waitFor(
        'no terminal runs reported',
        async () => {
          const { body } = await get('/stats/failure-rates?groupBy=none');
          const total = totalRuns(body);
          return total > 0 ? total : undefined;
        },
        60_000,
        first.output,
      );
      expect(Date.now() - healthyAt).toBeLessThan(60_000);
      const banner = await waitFor('no banner', () => Promise.resolve(first.output().includes('curl -s') ? first.output() : undefined), 10_000, first.output);
      expect(banner).toContain(`API on http://127.0.0.1:${ports.PORT}`);
      expect(banner.match(/curl -s/g)?.length).toBe(3);
      // Discovery, the collectors and the rollup compaction all ran without an error so far.
      expect(first.output()).not.toContain('scheduled run failed');
    } finally {
      await stop(first.child);
    }
    for (const port of Object.values(ports)) expect(await portInUse(Number(port)), `port ${port} still in use after Ctrl-C`).toBe(false);

    // Restart on the same data folder with the schedules off: the same runs are there.
    const second = npmStart({ LOCAL_SCHEDULE_SECONDS: '0' });
    try {
      await waitFor('no /health after restart', async () => ((await get('/health')).status === 200 ? true : undefined), 180_000, second.output);
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
  }, 420_000);
});

describe('npm start and npm run collect fail with one clear line', () => {
  it('names a port that is already taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(Number(ports.PORT), '127.0.0.1', () => r()));
    try {
      const { code, stderr } = await npmRun(['start', '--silent']);
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${ports.PORT} (PORT) is already in use`);
    } finally {
      blocker.close();
    }
  }, 60_000);

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
  }, 60_000);

  it('says what to install when Java is missing', async () => {
    const { code, stderr } = await npmRun(['start', '--silent', '--', '--in-memory'], { JAVA_BIN: '/nonexistent/java' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/Java was not found.*install it/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});
