import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseServiceEnv } from '../../lib/config';
import { ucsConfigFromEnv } from '../../lib/ucs/client';

// `serverless package` runs offline (fake keys, no AWS call) and its CloudFormation is the deployment we ship:
// these assertions are the "safe by default" promise of the deployment (issue 6).

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVERLESS = join(ROOT, 'node_modules/serverless/bin/serverless.js');
const STAGE = 'pkgtest';
const LOCAL_UCS_ENDPOINT = 'http://127.0.0.1:9';
const SERVICE = 'ucs-job-history';

/** Functions that may change the table; all others get read actions only. */
const WRITERS = new Set(['collectFederations', 'collectPolicyJobs', 'discoverTargets', 'addTarget', 'removeTarget', 'exportHistory', 'compactRollups']);
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
};

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Condition?: string;
  Properties: Json;
}
interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
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
  }, 240_000);

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
    expect(retention(standard)).toHaveLength(functionsOf(standard.template).size);
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

  it('puts IAM auth on every route but /health, or the JWT authorizer when configured', () => {
    const routes = (p: Packaged) => ofType(p.template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    const standardRoutes = routes(standard);
    expect(standardRoutes.map((r) => r.RouteKey)).toEqual(expect.arrayContaining(['GET /health', 'GET /jobs', 'POST /targets', '$default']));
    for (const route of standardRoutes) {
      expect(route.AuthorizationType, String(route.RouteKey)).toBe(route.RouteKey === 'GET /health' ? undefined : 'AWS_IAM');
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
      if (route.RouteKey === 'GET /health') {
        expect(route.AuthorizationType).toBeUndefined();
      } else {
        expect(route.AuthorizationType, String(route.RouteKey)).toBe('JWT');
        expect(route.AuthorizerId, String(route.RouteKey)).toEqual({ Ref: authorizerId });
      }
    }
  });

  it('gives each collector one schedule per shard, carrying its shard input, and compaction its own rate', () => {
    const rules = (p: Packaged, fn: { logicalId: string }) =>
      ofType(p.template, 'AWS::Events::Rule')
        .map(([, r]) => r.Properties as { ScheduleExpression: string; State: string; Targets: { Arn: { 'Fn::GetAtt': string[] }; Input?: string }[] })
        .filter((r) => r.Targets.some((t) => t.Arn['Fn::GetAtt'][0] === fn.logicalId));
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

  it('subscribes the alarm email only when one is configured', () => {
    for (const [packaged, email] of [
      [standard, ''],
      [custom, CUSTOM_PARAMS.alarmEmail],
    ] as const) {
      const subscriptions = ofType(packaged.template, 'AWS::SNS::Subscription');
      expect(subscriptions).toHaveLength(1);
      const [, subscription] = subscriptions[0]!;
      const condition = subscription.Condition;
      const deployed = condition === undefined ? true : evaluate(packaged.template.Conditions?.[condition]);
      expect(deployed, `subscription deployed with alarmEmail "${email}"`).toBe(email !== '');
      if (email) expect(subscription.Properties).toMatchObject({ Protocol: 'email', Endpoint: email });
    }
  });
});

/** Whether an alarm's dimensions are exactly the emitted metric's (no more, no fewer, same values). */
function isSameDimensionSet(dimensions: { Name: string; Value: string }[], emitted: Record<string, string>): boolean {
  const alarm = Object.fromEntries(dimensions.map((d) => [d.Name, d.Value]));
  return dimensions.length === Object.keys(emitted).length && Object.entries(emitted).every(([k, v]) => alarm[k] === v);
}
