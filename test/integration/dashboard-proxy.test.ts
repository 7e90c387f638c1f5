import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDashboardArgs } from '../../lib/local/dashboard-proxy';
import { closePage, diagnosed, launchChromium, openPage, rendered } from '../support/browser';

// `npm run dashboard -- --api <url>` against a stand-in API on 127.0.0.1 that verifies every SigV4 signature the
// way API Gateway does: it recomputes the signature of the request it received (its own canonical form, built
// from the raw request, not the proxy's code) with the known secret and compares. A missing or expired credential
// must say so in the terminal and on the page.

const ROOT = join(__dirname, '..', '..');
const CREDS = { accessKeyId: 'AKIASTANDIN000000001', secretAccessKey: 'stand-in-secret-key-0001' };
const REGION = 'eu-west-1';

class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as Uint8Array));
  }
  update(d: string | ArrayBuffer | ArrayBufferView) {
    this.h.update(typeof d === 'string' ? d : Buffer.from(d as Uint8Array));
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}
// No payload hash header: API Gateway does not ask one of execute-api callers.
const verifier = new SignatureV4({ service: 'execute-api', region: REGION, credentials: CREDS, sha256: Sha256, applyChecksum: false });

/** True when `req` carries the signature the stand-in's own SigV4 computation gives for it. */
async function validSignature(req: IncomingMessage): Promise<boolean> {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/execute-api\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(auth);
  if (!m || m[1] !== CREDS.accessKeyId || m[3] !== REGION) return false;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!d) return false;
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? [...[query[k]!].flat(), v] : v;
  const headers: Record<string, string> = {};
  for (const name of m[4]!.split(';')) headers[name] = String(req.headers[name] ?? '');
  const again = await verifier.sign(
    { method: req.method ?? 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: decodeURIComponent(url.pathname), query, headers },
    { signingDate: new Date(Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!)), signableHeaders: new Set(m[4]!.split(';')) },
  );
  return again.headers.authorization === auth;
}

let standIn: Server;
let apiUrl: string;
const seen: { path: string; valid: boolean }[] = [];

beforeAll(async () => {
  standIn = createServer((req, res) => {
    void validSignature(req).then((valid) => {
      seen.push({ path: req.url ?? '', valid });
      res.setHeader('content-type', 'application/json');
      if (!valid) return res.writeHead(403).end('{"message":"Forbidden"}');
      const url = new URL(req.url ?? '/', 'http://x');
      const q = Object.fromEntries(url.searchParams);
      if (url.pathname.startsWith('/prod/stats/')) return res.end(JSON.stringify({ from: q.from, to: q.to, level: q.level ?? 'job', groupBy: q.groupBy ?? 'type', groups: [] }));
      res.writeHead(404).end('{"error":{"code":"not_found","message":"No route"}}');
    });
  });
  await new Promise<void>((r) => standIn.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/prod`;
});
afterAll(async () => new Promise<void>((r) => standIn.close(() => r())));

/** `npm run dashboard` with `env`; resolves with its URL once it prints it. */
async function proxy(env: Record<string, string | undefined>): Promise<{ url: string; child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('AWS_')) delete base[k];
  const child = spawn('npm', ['run', '--silent', 'dashboard', '--', '--api', apiUrl, '--region', REGION, '--port', '0'], {
    cwd: ROOT,
    // No file, profile or instance to fall back to: only what `env` gives.
    env: { ...base, AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c.toString();
      const m = /Dashboard on (http:\/\/127\.0\.0\.1:\d+\/dashboard\/)/.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm run dashboard exited (${code}):\n${output}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || !child.pid) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid, 'SIGINT');
    await exited;
  };
  return { url, child, output: () => output, stop };
}

describe('the stand-in API', () => {
  it('refuses what API Gateway refuses: no signature, or one made with another secret', async () => {
    expect((await fetch(`${apiUrl}/stats/durations`)).status).toBe(403);
    const { executeApiSigner, signedGet } = await import('../../lib/local/sigv4');
    const wrong = executeApiSigner(REGION, { ...CREDS, secretAccessKey: 'not-the-secret' });
    const url = new URL(`${apiUrl}/stats/durations?groupBy=none`);
    const signed = await signedGet(wrong, url);
    expect((await fetch(url, { headers: signed.headers })).status).toBe(403);
    const right = await signedGet(executeApiSigner(REGION, CREDS), url);
    expect((await fetch(url, { headers: right.headers })).status).toBe(200);
  });
});

describe('npm run dashboard', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('serves the page on 127.0.0.1 and forwards its calls signed with the credential chain (here: the environment)', async () => {
    const p = await proxy({ AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey });
    try {
      expect(new URL(p.url).hostname).toBe('127.0.0.1');
      const requests: string[] = [];
      const page = await openPage(browser, (r) => requests.push(r.url()));
      const before = seen.length;
      await diagnosed(page, () => page.goto(p.url));
      await rendered(page);
      expect((await page.locator('.error').allTextContents()).join('\n')).toBe('');
      expect(await page.getAttribute('[data-testid=kpi-runs]', 'data-value')).toBe('0');
      const calls = seen.slice(before);
      expect(calls.length).toBe(10);
      expect(calls.every((c) => c.valid && c.path.startsWith('/prod/stats/'))).toBe(true);
      expect(requests.every((u) => u.startsWith(new URL(p.url).origin))).toBe(true);
      // The proxy only reads.
      expect((await fetch(new URL('/targets', p.url), { method: 'POST', body: '{}' })).status).toBe(405);
      await closePage(page);
    } finally {
      await p.stop();
    }
  });

  it.each([
    ['missing', {}, /No usable AWS credentials/],
    ['expired', { AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, AWS_CREDENTIAL_EXPIRATION: '2020-01-01T00:00:00Z' }, /expired at 2020-01-01T00:00:00/],
  ] as const)('a %s credential: a clear message in the terminal and on the page, and nothing sent', async (_what, env, message) => {
    const p = await proxy(env);
    try {
      const before = seen.length;
      const res = await fetch(new URL('/stats/durations?groupBy=none', p.url));
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('credentials');
      expect(body.error.message).toMatch(message);
      const page = await openPage(browser);
      await diagnosed(page, () => page.goto(p.url));
      await rendered(page);
      expect((await page.locator('.error').allTextContents()).join('\n')).toMatch(message);
      await closePage(page);
      expect(seen.length).toBe(before);
      expect(p.output()).toMatch(message);
    } finally {
      await p.stop();
    }
  });

  it('names a bad argument', () => {
    expect(() => parseDashboardArgs([])).toThrow(/--api is required/);
    expect(() => parseDashboardArgs(['--api', 'ftp://x'])).toThrow(/--api must be an http\(s\) URL/);
    expect(() => parseDashboardArgs(['--api', 'https://example.test'], {})).toThrow(/--region is needed/);
    expect(() => parseDashboardArgs(['--api', 'https://example.test', '--region', 'mars'], {})).toThrow(/--region must be an AWS region/);
    expect(() => parseDashboardArgs(['--api', 'https://a.execute-api.eu-central-1.amazonaws.com', '--port', 'x'], {})).toThrow(/--port/);
    expect(parseDashboardArgs(['--api', 'https://a.execute-api.eu-central-1.amazonaws.com'], {}).region).toBe('eu-central-1');
    expect(() => parseDashboardArgs(['--bogus', '1'])).toThrow(/unknown argument "--bogus"/);
  });
});
