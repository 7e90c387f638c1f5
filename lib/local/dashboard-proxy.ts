// The proxy of `npm run dashboard -- --api <url> [--region r] [--port p]`: the dashboard of a deployed stack whose API wants
// SigV4 (authorizer=iam), served on 127.0.0.1. The page and its assets are built here (the same build the stack
// serves); every other GET is forwarded to the API, signed with the standard AWS credential chain (env, profile,
// SSO, process, container, instance). Only GETs are forwarded: the page reads, and the proxy never writes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { buildDashboardAssets } from '../../infra/dashboard-build.cjs';
import { dashboardAsset, dashboardRedirect, DASHBOARD_PATH } from '../http/dashboard-page';
import { executeApiSigner, signedGet } from './sigv4';

/** A bad argument of `npm run dashboard`, named. */
export class UsageError extends Error {}

const USAGE = 'usage: npm run dashboard -- --api <https://…execute-api.<region>.amazonaws.com> [--region <region>] [--port <port>]';

export interface DashboardOptions {
  api: URL;
  region: string;
  port: number;
}

/** The options of `npm run dashboard`, or a UsageError naming the bad one. */
export function parseDashboardArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DashboardOptions {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    if (!['--api', '--region', '--port'].includes(name)) throw new UsageError(`unknown argument ${JSON.stringify(name)}\n${USAGE}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value\n${USAGE}`);
    args.set(name, value);
  }
  const raw = args.get('--api');
  if (!raw) throw new UsageError(`--api is required: the URL of the deployed HTTP API (the stack's HttpApiUrl output)\n${USAGE}`);
  let api: URL;
  try {
    api = new URL(raw);
  } catch {
    throw new UsageError(`--api must be an http(s) URL, not ${JSON.stringify(raw)}`);
  }
  if (api.protocol !== 'https:' && api.protocol !== 'http:') throw new UsageError(`--api must be an http(s) URL, not ${JSON.stringify(raw)}`);
  const fromHost = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(api.hostname)?.[1];
  const region = args.get('--region') ?? fromHost ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new UsageError(region ? `--region must be an AWS region such as eu-west-1, not ${JSON.stringify(region)}` : `--region is needed: ${api.hostname} does not name one, and AWS_REGION is not set`);
  }
  const port = Number(args.get('--port') ?? env.DASHBOARD_PORT ?? 3100);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0..65535), not ${JSON.stringify(args.get('--port'))}`);
  return { api, region, port };
}

/** What the page and the terminal say when no usable AWS credential is found. */
export function credentialsMessage(error: unknown): string {
  return (
    `No usable AWS credentials to sign the API calls (${(error as Error).message}). ` +
    'The standard chain is used: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE (~/.aws/config, `aws sso login`), a container or instance role. Fix it and reload the page.'
  );
}

/** A credential provider that refuses an expired credential with a clear message instead of signing with it. */
function unexpired(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  return async () => {
    const credentials: AwsCredentialIdentity = await provider();
    if (credentials.expiration && credentials.expiration.getTime() <= Date.now()) {
      throw new Error(`the credential of ${credentials.accessKeyId} expired at ${credentials.expiration.toISOString()}`);
    }
    return credentials;
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Starts the proxy; resolves with its URL and a close function. */
export async function startDashboardProxy(options: DashboardOptions, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
  const assets = await buildDashboardAssets();
  const credentials = unexpired(defaultProvider());
  const signer = executeApiSigner(options.region, credentials);
  const base = options.api.pathname.replace(/\/+$/, '');
  let lastProblem = '';
  const problem = (line: string) => {
    // Once per distinct problem, not once per request of a page load.
    if (line !== lastProblem) log(`[dashboard] ${line}`);
    lastProblem = line;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/' && req.method === 'GET') {
      const r = dashboardRedirect();
      res.writeHead(r.statusCode ?? 302, r.headers as Record<string, string>);
      return void res.end();
    }
    if (url.pathname === '/dashboard' || url.pathname.startsWith('/dashboard/')) {
      const r = dashboardAsset(assets, url.pathname.slice('/dashboard/'.length), { 'if-none-match': req.headers['if-none-match'] });
      res.writeHead(r.statusCode ?? 200, r.headers as Record<string, string>);
      return void res.end(r.body);
    }
    if (req.method !== 'GET') return sendJson(res, 405, { error: { code: 'method_not_allowed', message: `the dashboard proxy forwards GET only, not ${req.method}` } });
    const target = new URL(`${base}${url.pathname}${url.search}`, options.api.origin);
    let signed;
    try {
      signed = await signedGet(signer, target, { accept: 'application/json' });
    } catch (error) {
      const message = credentialsMessage(error);
      problem(message);
      return sendJson(res, 502, { error: { code: 'credentials', message } });
    }
    let answer: Response;
    try {
      answer = await fetch(target, { headers: signed.headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const message = `The API at ${options.api.origin} did not answer: ${(error as Error).message}`;
      problem(message);
      return sendJson(res, 502, { error: { code: 'upstream', message } });
    }
    const body = Buffer.from(await answer.arrayBuffer());
    if (answer.status === 403) {
      // Signed, and still refused: the page should say why, not tell the user to sign.
      const message = `the API refused the signed request (403 ${body.toString('utf8').slice(0, 200)}): may this credential execute-api:Invoke it, and is --region ${options.region} the API's region?`;
      problem(`${target.pathname}: ${message}`);
      return sendJson(res, 403, { error: { code: 'forbidden', message: `The API ${message}` } });
    }
    if (answer.ok) lastProblem = '';
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' });
    res.end(body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendJson(res, 500, { error: { code: 'proxy', message: (error as Error).message } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${DASHBOARD_PATH}`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}
