import * as z from 'zod';
import type { DynamoDbConnection } from '../aws/dynamodb';
import { parseEnvironment } from '../config';

/**
 * `LOCAL_SIM_INCIDENT`: `type=<policy job type>[,cluster=<cluster id>][,from=<ISO time>][,until=<ISO time>][,failureRate=0.9][,slowdown=5]`.
 * From `from` (default: when `npm start` starts), that type's attempts with a task on the cluster (any cluster
 * without `cluster`) fail there with the given probability (default 0.9) and take `slowdown` times as long.
 */
export const IncidentSpec = z.string().transform((text, ctx) => {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    fields.set((eq < 0 ? part : part.slice(0, eq)).trim(), eq < 0 ? '' : part.slice(eq + 1).trim());
  }
  const known = new Set(['type', 'cluster', 'from', 'until', 'failureRate', 'slowdown']);
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message: `LOCAL_SIM_INCIDENT: ${message} (e.g. type=EnablePolicy,failureRate=0.9)` });
    return z.NEVER;
  };
  for (const name of fields.keys()) if (!known.has(name)) return fail(`unknown field "${name}"`);
  const type = fields.get('type');
  if (!type) return fail('needs type=<policy job type>');
  const time = (name: string) => {
    const v = fields.get(name);
    if (v === undefined) return undefined;
    const ms = Date.parse(v);
    return Number.isFinite(ms) && /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? ms * 1000 : NaN;
  };
  const num = (name: string, fallback: number, ok: (v: number) => boolean) => {
    const v = fields.get(name);
    const n = v === undefined ? fallback : Number(v);
    return ok(n) ? n : NaN;
  };
  const fromUs = time('from');
  const untilUs = time('until');
  const failureRate = num('failureRate', 0.9, (v) => v >= 0 && v <= 1);
  const slowdown = num('slowdown', 1, (v) => v > 0 && v <= 1000);
  if (Number.isNaN(fromUs) || Number.isNaN(untilUs)) return fail('from and until must be ISO 8601 times with a zone');
  if (Number.isNaN(failureRate)) return fail('failureRate must be a number from 0 to 1');
  if (Number.isNaN(slowdown)) return fail('slowdown must be a number above 0');
  const cluster = fields.get('cluster');
  return { type, ...(cluster && { clusterId: cluster }), ...(fromUs !== undefined && { fromUs }), ...(untilUs !== undefined && { untilUs }), failureRate, slowdown };
});

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/**
 * The environment of the local service (`npm start`, `npm run collect`, `npm run export:local`), with the
 * embedded defaults. Every variable is optional; the README's configuration table lists them.
 */
export const LocalEnv = z.object({
  PORT: port(3000),
  LAMBDA_PORT: port(3002),
  DYNAMODB_LOCAL_PORT: port(8000),
  UCS_SIMULATOR_PORT: port(8001),
  /** Seconds between local collector runs; 0 turns the local schedules off. */
  LOCAL_SCHEDULE_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  LOCAL_DATA_DIR: z.string().min(1).default('.local'),
  /** How much faster than real time the simulator's scenario runs until it catches up with now. */
  LOCAL_SIM_SPEED: z.coerce.number().min(1).max(3600).default(60),
  LOCAL_SIM_SEED: z.coerce.number().int().default(42),
  /** An incident planted in the simulated world, so an alert can be watched opening and closing. */
  LOCAL_SIM_INCIDENT: IncidentSpec.optional(),
  /** A real (or another) UCS: the simulator is not started; credentials come from the UCS_* variables. */
  UCS_ENDPOINT: z.url({ message: 'UCS_ENDPOINT must be an http(s) URL, e.g. https://ucs-intl.myhuaweicloud.com' }).optional(),
  /** An already-running DynamoDB: the embedded DynamoDB Local is not started. */
  DYNAMODB_ENDPOINT: z.url({ message: 'DYNAMODB_ENDPOINT must be an http(s) URL, e.g. http://127.0.0.1:8000' }).optional(),
  TABLE_NAME: z.string().min(3).default('ucs-job-history-local-history'),
});
export type LocalEnv = z.infer<typeof LocalEnv>;

/** A problem the user can fix; the runner prints its message as one line, without a stack trace. */
export class LocalSetupError extends Error {
  override name = 'LocalSetupError';
}

/** Parses the local environment; the error names each bad variable. */
export function parseLocalEnv(env: Record<string, string | undefined> = process.env): LocalEnv {
  const parsed = parseEnvironment(LocalEnv, env);
  if (!parsed.ok) throw new LocalSetupError(parsed.problems);
  return parsed.data;
}

/** Where the local DynamoDB answers: DYNAMODB_ENDPOINT, else the embedded DynamoDB Local's port. */
export function localDynamoEndpoint(config: LocalEnv): string {
  return config.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${config.DYNAMODB_LOCAL_PORT}`;
}

/**
 * How the local tools reach the local table. DynamoDB Local runs with -sharedDb, so any credentials work;
 * fixed ones mean a workstation without AWS credentials never fails in the SDK's credential chain.
 */
export function localDynamoConnection(config: LocalEnv): DynamoDbConnection {
  return { region: 'local', endpoint: localDynamoEndpoint(config), credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/** Where the local UCS answers: UCS_ENDPOINT, else the embedded simulator's port. */
export function localUcsEndpoint(config: LocalEnv): string {
  return config.UCS_ENDPOINT ?? `http://127.0.0.1:${config.UCS_SIMULATOR_PORT}`;
}
