import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../lib/local/dynamodb-local';

// `npm start` as a user runs it, for tests that need the whole local service (the browser tests): free ports,
// its own data folder, and waits that end on events (an answer, the process gone), never on a guessed delay.
// The same way test/integration/local-mode.test.ts drives it.

const ROOT = join(__dirname, '..', '..');

export interface LocalService {
  origin: string;
  env: NodeJS.ProcessEnv;
  output(): string;
  /** Runs an npm script against this service (same ports and data) to completion. */
  npmRun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Polls `probe` until it gives a value; fails as soon as the watched process has exited (the test's timeout bounds it). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, child: ChildProcess, output: () => string): Promise<T> {
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not ready
    }
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what}: npm start exited (${child.exitCode ?? child.signalCode}); it printed:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts `npm start` (schedules off unless `extra` says otherwise) and resolves once /health answers 200. */
export async function startLocalService(extra: Record<string, string> = {}): Promise<LocalService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ujh-dash-'));
  const ports = {
    PORT: String(await freePort()),
    LAMBDA_PORT: String(await freePort()),
    DYNAMODB_LOCAL_PORT: String(await freePort()),
    UCS_SIMULATOR_PORT: String(await freePort()),
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...ports,
    LOCAL_DATA_DIR: dataDir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LOCAL_SCHEDULE_SECONDS: '0',
    SLS_ESBUILD_WORK_FOLDER: join(dataDir, '.esbuild'),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...extra,
  };
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const origin = `http://127.0.0.1:${ports.PORT}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGINT');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor('no /health', async () => ((await fetch(`${origin}/health`)).status === 200 ? true : undefined), child, () => output);
    await waitFor('no banner', () => Promise.resolve(output.includes('curl -s') ? true : undefined), child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    origin,
    env,
    output: () => output,
    npmRun: (args) =>
      new Promise((resolve) => {
        const run = spawn('npm', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        run.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        run.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        run.on('exit', (code) => resolve({ code, stdout, stderr }));
      }),
    stop,
  };
}
