import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseEnvironment, parseServiceEnv } from '../../lib/config';
import { EventsEnv } from '../../lib/events/default-publisher';
import { jobOverdueEvent } from '../../lib/jobs/events';
import { alertEvent, type Alert } from '../../lib/jobs/alert';
import type { JobRecord } from '../../lib/jobs/record';
import { ucsConfigFromEnv } from '../../lib/ucs/client';
import { extractZip } from '../support/zip';

// `serverless package` runs offline (fake keys, no AWS call) and its CloudFormation is the deployment we ship:
// these assertions are the "safe by default" promise of the deployment (issue 6).

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVERLESS = join(ROOT, 'node_modules/serverless/bin/serverless.js');
const STAGE = 'pkgtest';
const LOCAL_UCS_ENDPOINT = 'http://127.0.0.1:9';
const SERVICE = 'ucs-job-history';

/** Functions that may change the table; all others get read actions only. */
const WRITERS = new Set(['collectFederations', 'collectPolicyJobs', 'discoverTargets', 'addTarget', 'removeTarget', 'exportHistory', 'compactRollups', 'evaluateAlerts']);
/** Writers confined to alert state and the outbox (the alert evaluation). */
const ALERT_WRITERS = new Set(['evaluateAlerts']);
/** Writers confined to the watch list's items. */
const TARGET_WRITERS = new Set(['discoverTargets', 'addTarget', 'removeTarget']);
/** Writers confined to rollup items. */
const ROLLUP_WRITERS = new Set(['compactRollups']);
/** Functions that talk to UCS and so read its credentials. */
const SECRET_READERS = new Set(['collectFederations', 'collectPolicyJobs', 'discoverTargets']);
const COLLECTORS = ['collectFederations', 'collectPolicyJobs'] as const;
const DYNAMODB_READ_ACTIONS = new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable']);
/** The custom stage params of the second package run, and what the code must read from them. */
const CUSTOM_PARAMS = {
  shards: '3',
  collectRate: 'rate(2 minutes)',
  compactRate: 'rate(3 hours)',
  pollIntervalSeconds: '120',
  pollConcurrency: '7',
  discoveryEnabled: 'false',
  ucsEndpoint: 'https://ucs.example.test',
  ucsTimeoutMs: '4000',
  ucsSecretName: 'team/ucs-reader',
  retentionDays: '90',
  logRetentionDays: '7',
  alarmEmail: 'ops@example.test',
  authorizer: 'jwt',
  jwtIssuer: 'https://issuer.example',
  jwtAudience: 'aud',
  deploymentBucket: 'team-deployments-eu-west-1',
  apiRateLimit: '20',
  apiBurstLimit: '40',
  healthRateLimit: '1',
  healthBurstLimit: '3',
  eventBusName: 'ops-events',
  overdueFactor: '3',
  alertMinRuns: '8',
};
/** Routes without auth: liveness, and the dashboard's page and assets (they hold no data; DESIGN.md "Dashboard"). */
const PUBLIC_ROUTES = new Set(['GET /health', 'GET /', 'GET /dashboard', 'GET /dashboard/{asset+}']);
/** The defaults of serverless.yml's stage params that these tests check. */
const DEFAULT_LIMITS = { apiRateLimit: 50, apiBurstLimit: 100, healthRateLimit: 2, healthBurstLimit: 10 };

/**
 * cfn-lint is a Python tool: neither the npm registry nor Debian (bookworm) ships it, so CI cannot install it
 * here. Where it is installed (`pip install cfn-lint`), the package test runs it too; elsewhere that test is
 * skipped, and the checks below stand for the rules it reported (W8003).
 */
const CFN_LINT = process.env.CFN_LINT ?? 'cfn-lint';
const hasCfnLint = spawnSync(CFN_LINT, ['--version'], { stdio: 'ignore' }).status === 0;

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  Properties: Json;
}
interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, { Value: unknown }>;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Packaged {
  /** The `--package` output: zips and templates. */
  dir: string;
  /** The temp dir holding everything this run wrote. */
  root: string;
  template: Template;
  seconds: number;
}

/** `serverless package --stage pkgtest` with `params` into a fresh temp dir. */
async function packageService(params: Record<string, string>): Promise<Packaged> {
  const dir = await mkdtemp(join(tmpdir(), 'ucs-job-history-package-'));
  const started = Date.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'y',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    // Our own esbuild scratch dir (relative to the service, as serverless-esbuild wants it): the default
    // `.esbuild/` may belong to a running `npm start`, and packaging deletes its work folder when done.
    SLS_ESBUILD_WORK_FOLDER: relative(ROOT, join(dir, 'esbuild-work')),
    // A shell that ran `npm start` against a local UCS / DynamoDB: none of it may reach a deployed stage.
    UCS_ENDPOINT: LOCAL_UCS_ENDPOINT,
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_REGION;
  const args = [SERVERLESS, 'package', '--stage', STAGE, '--region', 'eu-west-1', '--package', join(dir, 'out')];
  for (const [key, value] of Object.entries(params)) args.push(`--param=${key}=${value}`);
  try {
    await run(process.execPath, args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless package failed:\n${stdout}\n${stderr}`, { cause: error });
  }
  await expect(stat(join(dir, 'esbuild-work')), 'serverless-esbuild removes its work folder').rejects.toThrow();
  const out = join(dir, 'out');
  const template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  return { dir: out, root: dir, template, seconds: (Date.now() - started) / 1000 };
}

const ofType = (template: Template, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Function key (`collectFederations`) → its Lambda resource. */
function functionsOf(template: Template): Map<string, { logicalId: string; properties: Json }> {
  const prefix = `${SERVICE}-${STAGE}-`;
  return new Map(
    ofType(template, 'AWS::Lambda::Function').map(([logicalId, r]) => {
      const name = r.Properties.FunctionName as string;
      expect(name.startsWith(prefix), name).toBe(true);
      return [name.slice(prefix.length), { logicalId, properties: r.Properties }];
    }),
  );
}

/** The role logical id a function runs as (`Fn::GetAtt: [Role, Arn]`). */
function roleOf(fn: { properties: Json }): string {
  const role = fn.properties.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
  expect(role?.['Fn::GetAtt']?.[1]).toBe('Arn');
  return role!['Fn::GetAtt']![0];
}

function statementsOf(template: Template, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  expect(role?.Type, roleId).toBe('AWS::IAM::Role');
  expect(role!.Properties.ManagedPolicyArns, `${roleId} managed policies`).toBeUndefined();
  const policies = role!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

const actionsOf = (statements: Statement[], service: string) =>
  statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith(`${service}:`));

const environmentOf = (fn: { properties: Json }) =>
  ((fn.properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {});

/** Evaluates the Fn::Not / Fn::Equals / Fn::And / Fn::Or conditions the templates use. */
function evaluate(condition: unknown): boolean {
  const c = condition as Record<string, unknown[]>;
  if ('Fn::Not' in c) return !evaluate(c['Fn::Not'][0]);
  if ('Fn::And' in c) return c['Fn::And'].every(evaluate);
  if ('Fn::Or' in c) return c['Fn::Or'].some(evaluate);
  if ('Fn::Equals' in c) {
    const [a, b] = c['Fn::Equals'];
    expect(typeof a === 'string' && typeof b === 'string', 'condition on resolved params only').toBe(true);
    return a === b;
  }
  throw new Error(`unsupported condition ${JSON.stringify(condition)}`);
}

/** Whether an alarm with this comparison would be in ALARM for a datapoint of `value`. */
function breaches(alarm: Json, value: number): boolean {
  const threshold = alarm.Threshold as number;
  switch (alarm.ComparisonOperator) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    default:
      throw new Error(`unexpected comparison ${String(alarm.ComparisonOperator)}`);
  }
}

interface EmittedMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

/** What reportCollectSummary really prints (EMF) for a run of `kind` with failed polls. */
async function emittedFailedPolls(kind: 'fleet' | 'policy-job'): Promise<EmittedMetric> {
  const saved = { disabled: process.env.POWERTOOLS_METRICS_DISABLED, dev: process.env.POWERTOOLS_DEV };
  // Metrics are off in tests; POWERTOOLS_DEV sends EMF to the global console, where it can be captured.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_DEV = 'true';
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    vi.resetModules();
    const { reportCollectSummary } = await import('../../lib/collect/runtime');
    reportCollectSummary({
      kind,
      polled: 5,
      unchanged: 1,
      changed: 1,
      newTerminalRuns: 1,
      durationsRepaired: 0,
      overdueTold: 0,
      eventsPublished: 0,
      eventsPending: 0,
      failed: 3,
      skippedForTime: 0,
      retired: 0,
      ucsLatencyMs: { count: 0, sum: 0, max: 0 },
    } as Parameters<typeof reportCollectSummary>[0]);
    const lines = log.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('"_aws"'));
    for (const line of lines) {
      const emf = JSON.parse(line) as Json & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
      for (const directive of emf._aws.CloudWatchMetrics) {
        if (!directive.Metrics.some((m) => m.Name === 'failedPolls')) continue;
        expect(emf.failedPolls).toBe(3);
        expect(directive.Dimensions).toHaveLength(1);
        const names = directive.Dimensions[0]!;
        return { namespace: directive.Namespace, name: 'failedPolls', dimensions: Object.fromEntries(names.map((n) => [n, String(emf[n])])) };
      }
    }
    throw new Error(`reportCollectSummary emitted no failedPolls metric (${lines.length} EMF lines)`);
  } finally {
    log.mockRestore();
    process.env.POWERTOOLS_METRICS_DISABLED = saved.disabled;
    if (saved.dev === undefined) delete process.env.POWERTOOLS_DEV;
    else process.env.POWERTOOLS_DEV = saved.dev;
  }
}

describe('serverless package (offline CloudFormation)', () => {
  let standard: Packaged;
  let custom: Packaged;

  beforeAll(async () => {
    // Sequential: the CI machine has 2 cores, and esbuild already uses both.
    standard = await packageService({});
    custom = await packageService(CUSTOM_PARAMS);
  });

  afterAll(async () => {
    await Promise.all([standard, custom].filter(Boolean).map((p) => rm(p.root, { recursive: true, force: true })));
  });

  it('bundles every function into its own small zip', async () => {
    const functions = functionsOf(standard.template);
    const sizes: { function: string; 'zip KB': number }[] = [];
    for (const name of functions.keys()) {
      const { size } = await stat(join(standard.dir, `${name}.zip`));
      sizes.push({ function: name, 'zip KB': Math.round(size / 102.4) / 10 });
      expect(size, `${name}.zip`).toBeLessThan(1024 * 1024);
    }
    console.log(`serverless package: ${standard.seconds.toFixed(1)} s + ${custom.seconds.toFixed(1)} s (custom params)`);
    console.table(sizes);
    const zips = (await readdir(standard.dir)).filter((f) => f.endsWith('.zip'));
    expect(zips.sort()).toEqual([...functions.keys()].map((f) => `${f}.zip`).sort());
  });

  it('bundles handlers that load in a fresh node, with the runtime SDK beside them, and keep their error names', async () => {
    const unzipped = join(standard.root, 'unzipped');
    const handlers: Record<string, string> = {};
    for (const name of functionsOf(standard.template).keys()) {
      const files = await extractZip(join(standard.dir, `${name}.zip`), join(unzipped, name));
      const js = files.filter((f) => /functions\/[^/]+\.js$/.test(f));
      expect(js, `${name}.zip holds one handler`).toHaveLength(1);
      handlers[name] = js[0]!;
    }
    // As Lambda loads them: a fresh process, `@aws-sdk/*` from the runtime (here: our node_modules).
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_PATH: join(ROOT, 'node_modules'),
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TABLE_NAME: 'bundle-test-history',
      POWERTOOLS_SERVICE_NAME: SERVICE,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      TABLE_ARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/bundle-test-history',
      EXPORT_BUCKET: 'bundle-test-bucket',
      EXPORT_PREFIX: 'exports/',
      // As serverless.yml hands it to listJobs; only read on its first request.
      CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bundle-test-cursor-AbCdEf',
      // Nothing listens there: every UCS and DynamoDB call fails fast, on this machine.
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      UCS_ENDPOINT: 'http://127.0.0.1:9',
      UCS_AUTH_TOKEN: 'bundle-test-token',
      UCS_MAX_ATTEMPTS: '1',
      // listJobs reads its cursor key source at import: the local form (deployed: CURSOR_SECRET_ARN).
      CURSOR_KEY: 'bundle-test-cursor-key-0123456789abcdef',
    };
    const probe = `for (const [name, file] of Object.entries(${JSON.stringify(handlers)})) {
      const m = require(file);
      if (typeof m.handler !== 'function') throw new Error(name + ': no handler export');
    }
    console.log('imported ' + process.version);`;
    const imported = await run(process.execPath, ['-e', probe], { env, cwd: unzipped });
    expect(imported.stdout.trim()).toBe(`imported ${process.version}`);

    // Minified bundles used to log `"name":"An"` for our UcsError classes (esbuild keepNames): run the bundled
    // discovery against a UCS that refuses the call (403) and read the error's name from its own log line.
    const refusing = createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'UCS.00000003', error_msg: 'Forbidden' }));
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', () => r()));
    const ucsEndpoint = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    const invoke = `require(${JSON.stringify(handlers.discoverTargets)}).handler({}, { functionName: 'discoverTargets', awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 30000 })
      .then((r) => console.log('RESULT ' + JSON.stringify(r)), (e) => { console.log('THREW ' + e); process.exitCode = 1; });`;
    const discovered = await run(process.execPath, ['-e', invoke], { env: { ...env, UCS_ENDPOINT: ucsEndpoint }, cwd: unzipped }).finally(() => refusing.close());
    // Powertools writes warnings to stderr.
    const printed = `${discovered.stdout}\n${discovered.stderr}`;
    const lines = printed.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Json);
    const failedCall = lines.find((l) => l.message === 'UCS call failed') as { error?: { name?: string } } | undefined;
    expect(failedCall?.error?.name, printed).toBe('ForbiddenError');
    expect(discovered.stdout).toMatch(/RESULT .*"failed":\["fleet: /);
  });

  it('keeps the table safe: PITR, deletion protection, encryption, TTL on expiresAt, retained on stack delete', () => {
    const tables = ofType(standard.template, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const [id, table] = tables[0]!;
    const resource = standard.template.Resources[id] as Resource & { DeletionPolicy?: string };
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(table.Properties.TableName).toBe(`${SERVICE}-${STAGE}-history`);
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true });
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('runs every function on nodejs22.x, arm64, with log retention', () => {
    for (const { template } of [standard, custom]) {
      for (const [name, fn] of functionsOf(template)) {
        expect(fn.properties.Runtime, name).toBe('nodejs22.x');
        expect(fn.properties.Architectures, name).toEqual(['arm64']);
      }
    }
    const retention = (p: Packaged) => ofType(p.template, 'AWS::Logs::LogGroup').map(([, r]) => r.Properties.RetentionInDays);
    // One per function, and the API's access logs.
    expect(retention(standard)).toHaveLength(functionsOf(standard.template).size + 1);
    expect(new Set(retention(standard))).toEqual(new Set([30]));
    expect(new Set(retention(custom))).toEqual(new Set([Number(CUSTOM_PARAMS.logRetentionDays)]));
  });

  it('gives every function its own role, with no wildcard action and no wildcard table resource', () => {
    const functions = functionsOf(standard.template);
    const roles = [...functions.values()].map(roleOf);
    expect(new Set(roles).size).toBe(functions.size);
    // No role without a function (an orphan would still be deployed, with its permissions).
    expect(ofType(standard.template, 'AWS::IAM::Role').map(([id]) => id).sort()).toEqual([...roles].sort());
    for (const role of roles) {
      for (const statement of statementsOf(standard.template, role)) {
        const actions = asArray(statement.Action);
        expect(statement.Effect, role).toBe('Allow');
        for (const action of actions) expect(action, role).not.toContain('*');
        expect(asArray(statement.Resource), role).not.toContain('*');
      }
    }
  });

  it('lets only the functions that must write change the table; target and rollup writers only touch their own items', () => {
    for (const [name, fn] of functionsOf(standard.template)) {
      const statements = statementsOf(standard.template, roleOf(fn));
      const writes = actionsOf(statements, 'dynamodb').filter((a) => !DYNAMODB_READ_ACTIONS.has(a));
      if (!WRITERS.has(name)) {
        expect(writes, `${name} must only read`).toEqual([]);
        continue;
      }
      expect(writes.length, `${name} writes`).toBeGreaterThan(0);
      expect(writes, name).not.toContain('dynamodb:DeleteTable');
      if (ALERT_WRITERS.has(name)) {
        for (const statement of statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:') && !DYNAMODB_READ_ACTIONS.has(a)))) {
          const confined = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined;
          expect(confined, name).toBeDefined();
          expect(['ALERTS', 'ALERT#OPEN', 'OUTBOX'], name).toEqual(expect.arrayContaining(confined!));
        }
        continue;
      }
      const confinedTo = TARGET_WRITERS.has(name) ? 'TARGET#*' : ROLLUP_WRITERS.has(name) ? 'ROLLUP#*' : undefined;
      if (confinedTo) {
        for (const statement of statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')))) {
          expect(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'], name).toEqual([confinedTo]);
        }
      }
    }
    // The query API really exists in the template (the loop above is not vacuous).
    expect([...functionsOf(standard.template).keys()]).toEqual(expect.arrayContaining(['listJobs', 'statsDurations', 'statsFailureRates', 'health']));
  });

  it('limits secret access to the one UCS secret, for the functions that call UCS', () => {
    for (const packaged of [standard, custom]) {
      const secretName = packaged === custom ? CUSTOM_PARAMS.ucsSecretName : `${SERVICE}/${STAGE}/ucs-credentials`;
      for (const [name, fn] of functionsOf(packaged.template)) {
        const statements = statementsOf(packaged.template, roleOf(fn)).filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));
        if (name === 'listJobs' || name === 'listAlerts') {
          // The pagination function reads its stack's cursor key, and only that.
          expect(statements.map((s) => [s.Action, s.Resource]), name).toEqual([[['secretsmanager:GetSecretValue'], [{ Ref: 'CursorSecret' }]]]);
          continue;
        }
        if (!SECRET_READERS.has(name)) {
          expect(statements, `${name} must not read secrets`).toEqual([]);
          continue;
        }
        expect(actionsOf(statements, 'secretsmanager'), name).toEqual(['secretsmanager:GetSecretValue']);
        const resources = statements.flatMap((s) => asArray(s.Resource)) as { 'Fn::Sub'?: string }[];
        expect(resources, name).toHaveLength(1);
        // Secrets Manager appends `-` and 6 random characters to a secret's ARN.
        expect(resources[0]!['Fn::Sub'], name).toMatch(new RegExp(`:secret:${secretName.replace(/[/.]/g, '\\$&')}-\\?{6}$`));
        expect(environmentOf(fn).UCS_SECRET_NAME, name).toBe(secretName);
      }
    }
  });

  it('generates a per-stack cursor key secret and hands only its ARN to the function that pages', () => {
    for (const packaged of [standard, custom]) {
      const secrets = ofType(packaged.template, 'AWS::SecretsManager::Secret');
      expect(secrets.map(([id]) => id)).toEqual(['CursorSecret']);
      const secret = secrets[0]![1];
      expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
      expect(secret.Properties).not.toHaveProperty('SecretString');
      const holders = [...functionsOf(packaged.template)].filter(([, fn]) => environmentOf(fn).CURSOR_SECRET_ARN !== undefined).map(([n]) => n);
      expect(holders.sort()).toEqual(['listAlerts', 'listJobs']);
      expect(environmentOf(functionsOf(packaged.template).get('listJobs')!).CURSOR_SECRET_ARN).toEqual({ Ref: 'CursorSecret' });
      expect(JSON.stringify(packaged.template.Outputs ?? {})).not.toContain('CursorSecret');
    }
  });

  it('embeds the built dashboard in its bundles: the page, its script and styles answer from the zip alone, with the CSP', async () => {
    const dir = join(standard.root, 'unzipped-dashboard');
    const files = await extractZip(join(standard.dir, 'dashboard.zip'), dir);
    const handler = files.find((f) => /functions\/dashboard\.js$/.test(f))!;
    expect(handler).toBeDefined();
    const probe = `const { handler } = require(${JSON.stringify(handler)});
      const get = (asset) => handler({ version: '2.0', routeKey: 'GET /dashboard/{asset+}', rawPath: '/dashboard/' + asset, rawQueryString: '', headers: {}, pathParameters: asset ? { asset } : undefined, requestContext: { http: { method: 'GET', path: '/dashboard/' + asset } }, isBase64Encoded: false }, { functionName: 'dashboard', awsRequestId: 'pkg', getRemainingTimeInMillis: () => 3000 });
      Promise.all(['', 'app.js', 'app.css', 'nope.js'].map(get)).then((r) => console.log(JSON.stringify(r.map((x) => ({ status: x.statusCode, type: x.headers['content-type'], csp: x.headers['content-security-policy'], length: x.body.length, head: x.body.slice(0, 300) })))));`;
    const out = await run(process.execPath, ['-e', probe], {
      env: { PATH: process.env.PATH ?? '', NODE_PATH: join(ROOT, 'node_modules'), POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', AWS_REGION: 'eu-west-1' },
      cwd: dir,
    });
    const [page, js, css, missing] = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { status: number; type: string; csp: string; length: number; head: string }[];
    expect(page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(page!.head).toContain('src="/dashboard/app.js"');
    expect(page!.csp).toContain("script-src 'self'");
    expect(js).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(js!.length).toBeGreaterThan(20_000);
    expect(css).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });
    expect(missing!.status).toBe(404);
  });

  it('puts IAM auth on every route but the public ones (/health and the dashboard\'s page), or the JWT authorizer when configured', () => {
    const routes = (p: Packaged) => ofType(p.template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    const standardRoutes = routes(standard);
    expect(standardRoutes.map((r) => r.RouteKey)).toEqual(expect.arrayContaining(['GET /health', 'GET /jobs', 'POST /targets', '$default']));
    expect(standardRoutes.map((r) => r.RouteKey)).toEqual(expect.arrayContaining([...PUBLIC_ROUTES]));
    for (const route of standardRoutes) {
      expect(route.AuthorizationType, String(route.RouteKey)).toBe(PUBLIC_ROUTES.has(String(route.RouteKey)) ? undefined : 'AWS_IAM');
    }
    const authorizers = ofType(custom.template, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: CUSTOM_PARAMS.jwtIssuer, Audience: [CUSTOM_PARAMS.jwtAudience] },
    });
    const customRoutes = routes(custom);
    expect(customRoutes).toHaveLength(standardRoutes.length);
    for (const route of customRoutes) {
      if (PUBLIC_ROUTES.has(String(route.RouteKey))) {
        expect(route.AuthorizationType, String(route.RouteKey)).toBeUndefined();
      } else {
        expect(route.AuthorizationType, String(route.RouteKey)).toBe('JWT');
        expect(route.AuthorizerId, String(route.RouteKey)).toEqual({ Ref: authorizerId });
      }
    }
  });

  it('gives each collector one schedule per shard, carrying its shard input, and compaction its own rate', () => {
    const rules = (p: Packaged, fn: { logicalId: string }) =>
      ofType(p.template, 'AWS::Events::Rule')
        .map(([, r]) => r.Properties as { ScheduleExpression: string; State: string; Targets: { Arn: { 'Fn::GetAtt'?: string[] }; Input?: string }[] })
        .filter((r) => r.Targets.some((t) => t.Arn['Fn::GetAtt']?.[0] === fn.logicalId));
    for (const [packaged, shards, rate] of [
      [standard, 1, 'rate(1 minute)'],
      [custom, Number(CUSTOM_PARAMS.shards), CUSTOM_PARAMS.collectRate],
    ] as const) {
      const functions = functionsOf(packaged.template);
      for (const collector of COLLECTORS) {
        const schedule = rules(packaged, functions.get(collector)!);
        expect(schedule, collector).toHaveLength(shards);
        const inputs = schedule.map((r) => JSON.parse(r.Targets[0]!.Input!) as unknown);
        expect(inputs.sort((a, b) => (a as { shard: number }).shard - (b as { shard: number }).shard)).toEqual(
          Array.from({ length: shards }, (_, shard) => ({ shard, shards })),
        );
        for (const rule of schedule) expect([rule.ScheduleExpression, rule.State]).toEqual([rate, 'ENABLED']);
      }
      const discovery = rules(packaged, functions.get('discoverTargets')!);
      expect(discovery.map((r) => r.State)).toEqual([packaged === custom ? 'DISABLED' : 'ENABLED']);
      const compaction = rules(packaged, functions.get('compactRollups')!);
      expect(compaction.map((r) => [r.ScheduleExpression, r.State])).toEqual([[packaged === custom ? CUSTOM_PARAMS.compactRate : 'rate(1 hour)', 'ENABLED']]);
    }
  });

  it('wires the stage params to the environment the code reads', () => {
    for (const packaged of [standard, custom]) {
      for (const [name, fn] of functionsOf(packaged.template)) {
        const env = environmentOf(fn);
        // Every function must start: its environment parses with the service's own config schema.
        const config = parseServiceEnv(env);
        expect(config.TABLE_NAME, name).toBe(`${SERVICE}-${STAGE}-history`);
        expect(env.DYNAMODB_ENDPOINT ?? '', `${name} talks to the real DynamoDB`).toBe('');
        expect(env.UCS_ENDPOINT, `${name} ignores the shell's UCS_ENDPOINT`).not.toBe(LOCAL_UCS_ENDPOINT);
        expect(env.POWERTOOLS_SERVICE_NAME, name).toBe(SERVICE);
        if (packaged === custom) expect(config.RETENTION_DAYS, name).toBe(Number(CUSTOM_PARAMS.retentionDays));
        else expect(config.RETENTION_DAYS, name).toBeUndefined();
      }
    }
    for (const [packaged, factor, minRuns] of [[standard, 2, 5], [custom, Number(CUSTOM_PARAMS.overdueFactor), Number(CUSTOM_PARAMS.alertMinRuns)]] as const) {
      for (const [name, fn] of functionsOf(packaged.template)) {
        expect(parseServiceEnv(environmentOf(fn)), name).toMatchObject({ OVERDUE_FACTOR: factor, ALERT_MIN_RUNS: minRuns });
      }
      for (const name of COLLECTORS) {
        const events = parseEnvironment(EventsEnv, environmentOf(functionsOf(packaged.template).get(name)!));
        expect(events.ok && events.data.EVENT_BUS_NAME, name).toBe(packaged === custom ? CUSTOM_PARAMS.eventBusName : 'default');
      }
    }
    const collectorsOf = (p: Packaged) => [...COLLECTORS, 'discoverTargets'].map((n) => environmentOf(functionsOf(p.template).get(n)!));
    for (const env of collectorsOf(standard)) {
      expect(parseServiceEnv(env)).toMatchObject({ POLL_CONCURRENCY: 16, DISCOVERY_ENABLED: true, POLL_INTERVAL_SECONDS: 60 });
      expect(ucsConfigFromEnv(env)).toMatchObject({ baseUrl: 'https://ucs.myhuaweicloud.com', timeoutMs: 10_000, credentialsSecret: `${SERVICE}/${STAGE}/ucs-credentials` });
    }
    for (const env of collectorsOf(custom)) {
      expect(parseServiceEnv(env)).toMatchObject({
        POLL_CONCURRENCY: Number(CUSTOM_PARAMS.pollConcurrency),
        DISCOVERY_ENABLED: false,
        POLL_INTERVAL_SECONDS: Number(CUSTOM_PARAMS.pollIntervalSeconds),
      });
      expect(ucsConfigFromEnv(env)).toMatchObject({
        baseUrl: CUSTOM_PARAMS.ucsEndpoint,
        timeoutMs: Number(CUSTOM_PARAMS.ucsTimeoutMs),
        credentialsSecret: CUSTOM_PARAMS.ucsSecretName,
      });
    }
  });

  it('lets only the collectors and the alert evaluation publish events, on the one configured bus, and delete nothing but outbox (and open-alert) items', () => {
    for (const [packaged, bus] of [[standard, 'default'], [custom, CUSTOM_PARAMS.eventBusName]] as const) {
      for (const [name, fn] of functionsOf(packaged.template)) {
        const statements = statementsOf(packaged.template, roleOf(fn));
        const publish = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('events:')));
        const deletes = statements.filter((s) => asArray(s.Action).some((a) => a === 'dynamodb:DeleteItem' || a === 'dynamodb:BatchWriteItem'));
        if (name === 'evaluateAlerts') {
          // It also deletes a subject's open mark when an alert closes (ALERT#OPEN), in the close transaction.
          for (const d of deletes) expect(['ALERTS', 'ALERT#OPEN', 'OUTBOX'], name).toEqual(expect.arrayContaining(d.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[]));
          expect(deletes.some((d) => asArray(d.Action).includes('dynamodb:BatchWriteItem') && JSON.stringify(d.Condition) === JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OUTBOX'] } })), name).toBe(true);
        } else if (!(COLLECTORS as readonly string[]).includes(name)) {
          expect(publish, `${name} must not publish events`).toEqual([]);
          expect(deletes, `${name} must not delete items`).toEqual([]);
          continue;
        }
        expect(publish.map((s) => [s.Action, s.Resource]), name).toEqual([
          [['events:PutEvents'], [{ 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${bus}` }]],
        ]);
        if (name === 'evaluateAlerts') continue;
        expect(deletes, name).toHaveLength(1);
        expect(deletes[0]!.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'], name).toEqual(['OUTBOX']);
      }
    }
  });

  it('sends Job Overdue to the alarm topic as a readable line only with alarmEmail, through a key that lets alarms and rules publish', () => {
    expect(ofType(standard.template, 'AWS::Events::Rule').filter(([, r]) => !r.Properties.ScheduleExpression), 'no event rule without alarmEmail').toEqual([]);
    const rules = ofType(custom.template, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern);
    expect(rules.map(([, r]) => r.Properties.EventPattern)).toContainEqual({ source: ['ucs-job-history'], 'detail-type': ['Job Overdue'] });
    const [ruleId, rule] = rules.find(([, r]) => JSON.stringify(r.Properties.EventPattern).includes('Job Overdue'))!;
    expect(rule.Properties.EventBusName).toBe(CUSTOM_PARAMS.eventBusName);
    const [topicId] = ofType(custom.template, 'AWS::SNS::Topic')[0]!;
    const [target] = rule.Properties.Targets as { Arn: unknown; InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }[];
    expect(target!.Arn).toEqual({ Ref: topicId });
    // Render the message as EventBridge would, from a real Job Overdue event of a task on a cluster: every path
    // must exist in the event (an absent one would print as nothing).
    const record = {
      source: 'policy', jobId: 'c7678551-1f7e-4699-9ea1-3baa2d32f552', name: 'update', type: 'UpdateConstraint', rawStatus: 'Running', status: 'running',
      attempt: 1, createdAt: '2025-11-10T07:00:00.000000Z', startedAt: '2025-11-10T07:00:00.000000Z', observedAt: '2025-11-10T07:20:00.000000Z', waitTimeoutSec: 900,
      steps: [{ stepId: 's1', type: 'UpdateConstraint', status: 'running', targetType: 'cluster', target: 'cluster-a', startedAt: '2025-11-10T07:00:00.000000Z' }],
    } as unknown as JobRecord;
    const event = jobOverdueEvent(record, { since: '2025-11-10T07:15:00.000000Z', limitSec: 900, basis: 'declared' }, record.steps[0]);
    const rendered = target!.InputTransformer.InputTemplate.replace(/<(\w+)>/g, (_, name: string) => {
      const path = target!.InputTransformer.InputPathsMap[name];
      expect(path, `template variable ${name}`).toMatch(/^\$\.detail\.\w+$/);
      const value = (event.detail as Record<string, unknown>)[path!.slice('$.detail.'.length)];
      expect(value, `${path} in a Job Overdue event`).toBeDefined();
      return String(value);
    });
    expect(JSON.parse(rendered)).toBe(
      'ucs-job-history: a step is overdue. policy/UpdateConstraint of job c7678551-1f7e-4699-9ea1-3baa2d32f552 (attempt 1) on cluster cluster-a has run 1200 s, past its limit of 900 s (declared) since 2025-11-10T07:15:00.000000Z.',
    );
    // The topic lets exactly the stack's rules publish, and its key lets CloudWatch alarms and EventBridge use it
    // (the AWS managed alias/aws/sns key does not: their notifications would be dropped).
    const [, policy] = ofType(custom.template, 'AWS::SNS::TopicPolicy')[0]!;
    expect(JSON.stringify(policy.Properties)).toContain(JSON.stringify({ 'Fn::GetAtt': [ruleId, 'Arn'] }));
    expect(ofType(standard.template, 'AWS::SNS::TopicPolicy')).toEqual([]);
    for (const packaged of [standard, custom]) {
      const [, topic] = ofType(packaged.template, 'AWS::SNS::Topic')[0]!;
      const keyId = (topic.Properties.KmsMasterKeyId as { Ref?: string }).Ref!;
      const key = packaged.template.Resources[keyId]!;
      expect(key.Type).toBe('AWS::KMS::Key');
      expect(key.Properties.EnableKeyRotation).toBe(true);
      const statements = (key.Properties.KeyPolicy as { Statement: (Statement & { Principal: { Service?: string[] } })[] }).Statement;
      const services = statements.find((st) => st.Principal.Service)!;
      expect(services.Principal.Service!.sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
      expect(asArray(services.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    }
  });

  it('sends Alert Opened and Alert Closed to the alarm topic as their readable summary, only with alarmEmail', () => {
    const rules = ofType(custom.template, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern);
    const alert = {
      alertId: 'a1', kind: 'failure-rate-spike', level: 'job', groupBy: 'type', key: 'policy/EnablePolicy', openedAt: '2025-11-10T10:07:00.000000Z',
      current: { total: 29, failureRate: 0.586 }, baseline: { total: 196 }, reason: 'failure rate 58.6 % is above the baseline', dashboardUrl: 'https://api.example/dashboard/?level=job',
    } as unknown as Alert;
    for (const [detailType, change] of [['Alert Opened', 'opened'], ['Alert Closed', 'closed']] as const) {
      const [, rule] = rules.find(([, r]) => JSON.stringify(r.Properties.EventPattern).includes(detailType))!;
      expect(rule.Properties.EventBusName).toBe(CUSTOM_PARAMS.eventBusName);
      const [target] = rule.Properties.Targets as { InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }[];
      const event = alertEvent({ ...alert, ...(change === 'closed' && { closedAt: '2025-11-10T14:07:00.000000Z' }) }, change);
      const rendered = target!.InputTransformer.InputTemplate.replace(/<(\w+)>/g, (_, name: string) => {
        const value = (event.detail as Record<string, unknown>)[target!.InputTransformer.InputPathsMap[name]!.slice('$.detail.'.length)];
        expect(value, name).toBeDefined();
        return String(value);
      });
      expect(JSON.parse(rendered)).toMatch(new RegExp(`^ucs-job-history: \\[${change === 'opened' ? 'OPEN' : 'CLOSED'}\\] failure-rate-spike on job type policy/EnablePolicy: .*Dashboard: https://api\\.example/dashboard/`));
    }
    expect(ofType(standard.template, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern)).toEqual([]);
  });

  it('alarms when a collector errors', () => {
    const alarms = ofType(standard.template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const topic = ofType(standard.template, 'AWS::SNS::Topic');
    expect(topic).toHaveLength(1);
    const functions = functionsOf(standard.template);
    for (const collector of COLLECTORS) {
      const { logicalId } = functions.get(collector)!;
      const onErrors = alarms.filter(
        (a) =>
          a.Namespace === 'AWS/Lambda' &&
          a.MetricName === 'Errors' &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: logicalId } }]),
      );
      expect(onErrors, collector).toHaveLength(1);
      const alarm = onErrors[0]!;
      expect(alarm.Statistic).toBe('Sum');
      expect(breaches(alarm, 1), `${collector}: one error alarms`).toBe(true);
      expect(breaches(alarm, 0), `${collector}: no error is quiet`).toBe(false);
      expect(alarm.TreatMissingData).toBe('notBreaching');
      expect(alarm.AlarmActions).toEqual([{ Ref: topic[0]![0] }]);
    }
  });

  it('alarms when failed polls rise, on exactly the metric the collectors emit', async () => {
    const alarms = ofType(standard.template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const [topicId] = ofType(standard.template, 'AWS::SNS::Topic')[0]!;
    for (const kind of ['fleet', 'policy-job'] as const) {
      const emitted = await emittedFailedPolls(kind);
      expect(emitted.dimensions.kind).toBe(kind);
      const matching = alarms.filter(
        (a) =>
          a.Namespace === emitted.namespace &&
          a.MetricName === emitted.name &&
          // CloudWatch matches a metric only on its full dimension set.
          isSameDimensionSet(a.Dimensions as { Name: string; Value: string }[], emitted.dimensions),
      );
      expect(matching, `failedPolls alarm for ${kind}`).toHaveLength(1);
      const alarm = matching[0]!;
      expect(alarm.Statistic).toBe('Sum');
      expect(breaches(alarm, 3)).toBe(true);
      expect(breaches(alarm, 0)).toBe(false);
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('subscribes the alarm email only when one is configured, with no condition that is always true or false', () => {
    for (const [packaged, email] of [
      [standard, ''],
      [custom, CUSTOM_PARAMS.alarmEmail],
    ] as const) {
      const subscriptions = ofType(packaged.template, 'AWS::SNS::Subscription');
      const deployed = subscriptions.filter(([, s]) => s.Condition === undefined || evaluate(packaged.template.Conditions?.[s.Condition]));
      expect(deployed, `subscriptions deployed with alarmEmail "${email}"`).toHaveLength(email ? 1 : 0);
      if (email) expect(deployed[0]![1].Properties).toMatchObject({ Protocol: 'email', Endpoint: email, TopicArn: { Ref: ofType(packaged.template, 'AWS::SNS::Topic')[0]![0] } });
      // cfn-lint W8003: a condition comparing two constants (stage params resolve before CloudFormation sees
      // them) decides nothing at deploy time; such a choice belongs in the template generation.
      for (const [name, condition] of Object.entries(packaged.template.Conditions ?? {})) {
        expect(comparesOnlyConstants(condition), `condition ${name}: ${JSON.stringify(condition)}`).toBe(false);
      }
    }
  });

  it.skipIf(!hasCfnLint)('passes cfn-lint, when it is installed', async () => {
    const templates = [standard, custom].map((p) => join(p.dir, 'cloudformation-template-update-stack.json'));
    // W3005 (a DependsOn that a GetAtt already implies) is serverless's own: it adds DependsOn on each
    // function's role and log group, and on the API's access log group.
    const linted = await run(CFN_LINT, ['--format', 'parseable', '--ignore-checks', 'W3005', '--', ...templates]).catch(
      (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
    );
    expect(`${linted.stdout}${linted.stderr}`.trim()).toBe('');
  });

  it('passes the Control Tower guard rules it checks on every S3 bucket: CT.S3.PR.1 (block public access) and CT.S3.PR.8 (TLS only)', () => {
    for (const packaged of [standard, custom]) {
      const buckets = ofType(packaged.template, 'AWS::S3::Bucket');
      // Not vacuous: the export bucket always, and the deployment bucket unless an existing one is named.
      expect(buckets.map(([id]) => id).sort()).toEqual(packaged === custom ? ['ExportBucket'] : ['ExportBucket', 'ServerlessDeploymentBucket']);
      const policies = ofType(packaged.template, 'AWS::S3::BucketPolicy').map(([, r]) => r.Properties as { Bucket: unknown; PolicyDocument: { Statement: Statement[] } });
      for (const [id, bucket] of buckets) {
        // CT.S3.PR.1: all four settings, each true.
        expect(bucket.Properties.PublicAccessBlockConfiguration, `${id}: PublicAccessBlockConfiguration`).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.Properties.BucketEncryption, `${id}: default encryption`).toBeDefined();
        // CT.S3.PR.8: a bucket policy that denies every request not sent over TLS, on the bucket and its objects.
        const denies = policies
          .filter((p) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: id }))
          .flatMap((p) => p.PolicyDocument.Statement)
          .filter((st) => st.Effect === 'Deny' && asArray(st.Action).includes('s3:*') && String(st.Condition?.Bool?.['aws:SecureTransport']) === 'false');
        expect(denies, `${id}: a TLS-only bucket policy`).toHaveLength(1);
        const resources = JSON.stringify(denies[0]!.Resource);
        expect(resources, `${id}: objects too`).toContain('/*');
      }
    }
    // A named deployment bucket is used as it is: the stack creates none and uploads there.
    expect(custom.template.Outputs?.ServerlessDeploymentBucketName?.Value).toBe(CUSTOM_PARAMS.deploymentBucket);
  });

  it('writes access logs of the API stage, with a retention, and throttles it: default route limits, and a lower one for /health', () => {
    for (const [packaged, limits, retention] of [
      [standard, DEFAULT_LIMITS, 30],
      [custom, CUSTOM_PARAMS, Number(CUSTOM_PARAMS.logRetentionDays)],
    ] as const) {
      const stages = ofType(packaged.template, 'AWS::ApiGatewayV2::Stage');
      expect(stages).toHaveLength(1);
      const [, stage] = stages[0]!;
      const access = stage.Properties.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
      const logGroup = packaged.template.Resources[access.DestinationArn['Fn::GetAtt'][0]];
      expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup?.Properties.RetentionInDays).toBe(retention);
      // One JSON object per request, naming the request, the route and its status.
      const format = JSON.parse(access.Format) as Record<string, string>;
      expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });

      expect(stage.Properties.DefaultRouteSettings).toMatchObject({
        ThrottlingRateLimit: Number(limits.apiRateLimit),
        ThrottlingBurstLimit: Number(limits.apiBurstLimit),
      });
      const health = (stage.Properties.RouteSettings as Record<string, Json>)['GET /health'];
      expect(health).toEqual({ ThrottlingRateLimit: Number(limits.healthRateLimit), ThrottlingBurstLimit: Number(limits.healthBurstLimit) });
      expect(Number(limits.healthRateLimit)).toBeLessThan(Number(limits.apiRateLimit));
      // RouteSettings may only name a route that exists: the stage waits for it.
      const healthRoute = ofType(packaged.template, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === 'GET /health')!;
      expect(asArray(stage.DependsOn ?? [])).toContain(healthRoute[0]);
    }
  });

  it('alarms when a collector (or discovery, when on) is not invoked at all: a heartbeat that treats missing data as breaching', () => {
    for (const [packaged, collectEverySec, discovery] of [
      [standard, 60, true],
      [custom, 120, false],
    ] as const) {
      const alarms = ofType(packaged.template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
      const [topicId] = ofType(packaged.template, 'AWS::SNS::Topic')[0]!;
      const functions = functionsOf(packaged.template);
      const watched: [string, number][] = [...COLLECTORS.map((c) => [c, collectEverySec] as [string, number]), ...(discovery ? [['discoverTargets', 900] as [string, number]] : [])];
      for (const [fn, everySec] of watched) {
        const heartbeats = alarms.filter(
          (a) =>
            a.Namespace === 'AWS/Lambda' &&
            a.MetricName === 'Invocations' &&
            JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: functions.get(fn)!.logicalId } }]),
        );
        expect(heartbeats, `${fn} heartbeat`).toHaveLength(1);
        const alarm = heartbeats[0]!;
        expect(alarm.TreatMissingData, `${fn}: no datapoint at all alarms`).toBe('breaching');
        expect(alarm.Statistic).toBe('Sum');
        expect(breaches(alarm, 0), `${fn}: no invocation alarms`).toBe(true);
        expect(breaches(alarm, 1), `${fn}: one invocation is quiet`).toBe(false);
        // The window holds at least two scheduled runs, so one late run never alarms.
        expect((alarm.Period as number) * (alarm.EvaluationPeriods as number), fn).toBeGreaterThanOrEqual(2 * everySec);
        expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      }
      const discoveryHeartbeats = alarms.filter((a) => a.MetricName === 'Invocations' && JSON.stringify(a.Dimensions).includes(functions.get('discoverTargets')!.logicalId));
      expect(discoveryHeartbeats, 'a discovery heartbeat only when discovery runs').toHaveLength(discovery ? 1 : 0);
    }
  });
});

/** True when a condition compares nothing but constants (a Fn::Equals of two literals, at any depth). */
function comparesOnlyConstants(condition: unknown): boolean {
  const c = condition as Record<string, unknown[]>;
  if ('Fn::Equals' in c) return c['Fn::Equals'].every((side) => typeof side === 'string' || typeof side === 'number' || typeof side === 'boolean');
  for (const op of ['Fn::Not', 'Fn::And', 'Fn::Or']) if (op in c) return c[op]!.every(comparesOnlyConstants);
  return false;
}

/** Whether an alarm's dimensions are exactly the emitted metric's (no more, no fewer, same values). */
function isSameDimensionSet(dimensions: { Name: string; Value: string }[], emitted: Record<string, string>): boolean {
  const alarm = Object.fromEntries(dimensions.map((d) => [d.Name, d.Value]));
  return dimensions.length === Object.keys(emitted).length && Object.entries(emitted).every(([k, v]) => alarm[k] === v);
}
