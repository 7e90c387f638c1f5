import * as z from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every environment variable the service reads, validated once at cold start (STYLE.md #3).
 * serverless.yml sets them from stage params; `npm start` sets them for the local service. The UCS client's
 * own variables (UCS_ENDPOINT, UCS_TIMEOUT_MS, UCS_SECRET_NAME, ...) are read by `ucsConfigFromEnv`.
 */
export const ServiceEnv = z.object({
  TABLE_NAME: z.string().min(3, 'TABLE_NAME must name the DynamoDB history table'),
  /** Local only: DynamoDB Local or another endpoint; absent when deployed. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('local'),
  /** Days to keep history; unset = keep forever (no `expiresAt` is written). */
  RETENTION_DAYS: int(1, 36500).optional(),
  /** Longest stats / jobs window a request may ask for. */
  MAX_WINDOW_DAYS: int(1, 3660).default(400),
  /** Parallel UCS polls per collector run. */
  POLL_CONCURRENCY: int(1, 256).default(16),
  /** Discovery adds every fleet and policy job UCS lists. */
  DISCOVERY_ENABLED: bool.default(true),
  /** Seconds between polls of a healthy target (the schedule rate). */
  POLL_INTERVAL_SECONDS: int(1, 86400).default(60),
  /** A job without a declared timeout is overdue after this many times the 30-day p99 of its type. */
  OVERDUE_FACTOR: z.coerce.number().refine((v) => Number.isFinite(v) && v > 0, 'OVERDUE_FACTOR must be a number above 0').default(2),
  /** Runs a type (or alert window) needs before its figures count: the p99 basis of overdue, and alerts. */
  ALERT_MIN_RUNS: int(1, 1_000_000).default(5),
});
export type ServiceEnv = z.infer<typeof ServiceEnv>;

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates environment variables with `schema`. Empty strings mean "not set" (serverless.yml renders unset
 * params as ''). Returns the problems, each naming its variable, instead of the data when any is bad.
 */
export function parseEnvironment<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): { ok: true; data: z.infer<S> } | { ok: false; problems: string } {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

/** Parses `env` into the service config, failing with the names of the bad variables. */
export function parseServiceEnv(env: Record<string, string | undefined> = process.env): ServiceEnv {
  const parsed = parseEnvironment(ServiceEnv, env);
  if (!parsed.ok) throw new ConfigError(`Invalid configuration: ${parsed.problems}`);
  return parsed.data;
}

let cached: ServiceEnv | undefined;

/** The service config, read and validated once per process (cold start). */
export function serviceConfig(): ServiceEnv {
  cached ??= parseServiceEnv();
  return cached;
}
