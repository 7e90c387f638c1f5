// The UCS client the collectors use: the four calls of lib/ucs/api.ts over HTTPS with auth, timeouts,
// retries and schema validation. Every failure is a typed UcsError (lib/ucs/errors.ts).
import * as z from 'zod';
import { logger } from '../observability';
import type { CallOptions, UcsApi } from './api';
import { createAuthenticator, type UcsAuthenticator } from './auth';
import type { SecretReader } from '../aws/secrets';
import { ucsCredentialsProvider, type UcsCredentials } from './credentials';
import { parseUcsErrorBody, responseInfo, responseJson, ucsErrorFromResponse } from './error-response';
import { ClusterGroupList, FederationJob, parseUcsResponse, PolicyJob, PolicyJobList } from './schemas';
import { InvalidIdError } from './errors';
import { printableId, ucsIdProblem } from './ids';
import { encodeRfc3986 } from './signer';
import { defaultTransportDeps, sendWithRetry, type ReceivedResponse, type TransportDeps, type TransportSettings } from './transport';

/** The China host; the international one is `https://ucs-intl.myhuaweicloud.com`. */
export const DEFAULT_UCS_BASE_URL = 'https://ucs.myhuaweicloud.com';

/** UCS client settings (defaults apply to absent fields). */
export const UcsClientConfig = z.object({
  baseUrl: z.url().default(DEFAULT_UCS_BASE_URL),
  /** Per-attempt timeout. */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Attempts per call, first included. */
  maxAttempts: z.number().int().min(1).max(10).default(4),
  baseDelayMs: z.number().int().nonnegative().default(500),
  maxDelayMs: z.number().int().nonnegative().default(8_000),
  /** A Retry-After above this ends the retries (a Lambda should not sleep for minutes). */
  maxRetryAfterMs: z.number().int().nonnegative().default(30_000),
  /** `limit` of each `GET /v1/clustergroups` page. */
  pageLimit: z.number().int().min(1).max(1000).default(100),
  /** `kind` values for `GET /v1/policy/jobs`; empty = one call without `kind` (the docs list no kinds). */
  policyJobKinds: z.array(z.string().min(1)).default([]),
  /** Secrets Manager secret (name or ARN) holding the credentials JSON; absent = env vars. */
  credentialsSecret: z.string().min(1).optional(),
  /** Cache lifetime of the secret, seconds. */
  secretMaxAgeSec: z.number().int().nonnegative().default(300),
});
export type UcsClientConfig = z.infer<typeof UcsClientConfig>;

/** Env var of each config field. */
const CONFIG_ENV = {
  baseUrl: 'UCS_ENDPOINT',
  timeoutMs: 'UCS_TIMEOUT_MS',
  maxAttempts: 'UCS_MAX_ATTEMPTS',
  baseDelayMs: 'UCS_RETRY_BASE_DELAY_MS',
  maxDelayMs: 'UCS_RETRY_MAX_DELAY_MS',
  maxRetryAfterMs: 'UCS_MAX_RETRY_AFTER_MS',
  pageLimit: 'UCS_PAGE_LIMIT',
  policyJobKinds: 'UCS_POLICY_JOB_KINDS',
  credentialsSecret: 'UCS_SECRET_NAME',
  secretMaxAgeSec: 'UCS_SECRET_MAX_AGE_SEC',
} as const satisfies Record<keyof UcsClientConfig, string>;

/** Reads UcsClientConfig from env vars (`UCS_POLICY_JOB_KINDS` comma-separated); the error names the variable. */
export function ucsConfigFromEnv(env: Record<string, string | undefined>): UcsClientConfig {
  const raw: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(CONFIG_ENV)) {
    const value = env[name]?.trim();
    if (value === undefined || value === '') continue;
    if (field === 'policyJobKinds') raw[field] = value.split(',').map((k) => k.trim()).filter(Boolean);
    else if (field === 'baseUrl' || field === 'credentialsSecret') raw[field] = value;
    else raw[field] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  const result = UcsClientConfig.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path[0] as keyof UcsClientConfig | undefined;
  throw new Error(`invalid UCS config: ${field ? CONFIG_ENV[field] : 'UCS_*'}: ${issue?.message ?? 'invalid'}`);
}

/** Optional collaborators: credentials (default: from config/env), and fetch/clock/sleep/random for tests. */
export interface UcsClientDeps extends Partial<TransportDeps> {
  credentials?: () => Promise<UcsCredentials>;
  env?: Record<string, string | undefined>;
  readSecret?: SecretReader;
}

/** An id as a URL path segment, refused unless it is a UCS id: whatever the caller, `..` never leaves its route. */
function pathSegment(id: string, what: string): string {
  const problem = ucsIdProblem(id);
  if (problem) throw new InvalidIdError(`refused to call UCS for ${what} id ${printableId(id)}: it ${problem}`);
  return encodeRfc3986(id);
}

/** Guards discovery against a server that ignores `offset`. */
const MAX_PAGES = 1000;

/** UcsApi over HTTPS. */
export class UcsClient implements UcsApi {
  private readonly deps: TransportDeps;
  private readonly settings: TransportSettings;
  private readonly credentials: () => Promise<UcsCredentials>;
  private readonly baseUrl: string;
  private current: { creds: UcsCredentials; auth: UcsAuthenticator } | undefined;

  constructor(
    private readonly config: UcsClientConfig,
    deps: UcsClientDeps = {},
  ) {
    this.deps = {
      fetch: deps.fetch ?? defaultTransportDeps.fetch,
      now: deps.now ?? defaultTransportDeps.now,
      sleep: deps.sleep ?? defaultTransportDeps.sleep,
      random: deps.random ?? defaultTransportDeps.random,
    };
    this.settings = {
      timeoutMs: config.timeoutMs,
      retry: { maxAttempts: config.maxAttempts, baseDelayMs: config.baseDelayMs, maxDelayMs: config.maxDelayMs, maxRetryAfterMs: config.maxRetryAfterMs },
    };
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.credentials =
      deps.credentials ??
      ucsCredentialsProvider({
        secretName: config.credentialsSecret,
        secretMaxAgeSec: config.secretMaxAgeSec,
        env: deps.env ?? process.env,
        readSecret: deps.readSecret,
      });
  }

  /** `GET /v1/clustergroups/{fleetId}/federations/progress`; an id that is not a UCS id is refused (InvalidIdError). */
  async getFederationProgress(fleetId: string, options?: CallOptions): Promise<FederationJob> {
    return this.get(`/v1/clustergroups/${pathSegment(fleetId, 'fleet')}/federations/progress`, {}, FederationJob, options);
  }

  /** `GET /v1/policy/jobs/{jobId}`; an id that is not a UCS id is refused (InvalidIdError). */
  async getPolicyJob(jobId: string, options?: CallOptions): Promise<PolicyJob> {
    return this.get(`/v1/policy/jobs/${pathSegment(jobId, 'policy job')}`, {}, PolicyJob, options);
  }

  /** Every fleet id, paging `GET /v1/clustergroups?limit&offset` until a short page or `offset >= total`. */
  async listFleetIds(options?: CallOptions): Promise<string[]> {
    const ids = new Set<string>();
    const limit = this.config.pageLimit;
    for (let page = 0, offset = 0; page < MAX_PAGES; page += 1) {
      const body = await this.get('/v1/clustergroups', { limit: String(limit), offset: String(offset) }, ClusterGroupList, options);
      for (const item of body.items) ids.add(item.metadata.uid);
      offset += body.items.length;
      // `total` decides when UCS sends it (a server may cap pages below our limit); without it a short or
      // empty page is the last one.
      if (body.items.length === 0) break;
      if (body.total != null ? offset >= body.total : body.items.length < limit) break;
    }
    return [...ids];
  }

  /** Every policy job id from `GET /v1/policy/jobs?kind=…`, one call per configured kind (none: no `kind`). */
  async listPolicyJobIds(options?: CallOptions): Promise<string[]> {
    const ids = new Set<string>();
    const kinds = this.config.policyJobKinds.length > 0 ? this.config.policyJobKinds : [undefined];
    for (const kind of kinds) {
      const body = await this.get('/v1/policy/jobs', kind === undefined ? {} : { kind }, PolicyJobList, options);
      for (const item of body.items) ids.add(item.metadata.uid);
    }
    return [...ids];
  }

  /** One authenticated GET, validated with `schema`; a 401 with a refreshable token is retried once. */
  private async get<S extends z.ZodType>(path: string, query: Record<string, string>, schema: S, options: CallOptions = {}): Promise<z.infer<S>> {
    const operation = `GET ${path}`;
    const search = Object.entries(query)
      .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`)
      .join('&');
    const url = `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
    const auth = await this.authenticator();
    const baseHeaders = { Accept: 'application/json' };
    let used: Record<string, string> = {};
    const authorize = async () => {
      used = await auth.headers({ method: 'GET', url, headers: baseHeaders }, new Date(this.deps.now()));
      return { ...baseHeaders, ...used };
    };
    const started = this.deps.now();
    let res = await sendWithRetry({ method: 'GET', url, operation }, authorize, this.settings, this.deps, options);
    if (res.status === 401 && auth.invalidate(used)) {
      logger.info('UCS answered 401, refreshing the token once', { operation, requestId: res.requestId });
      res = await sendWithRetry({ method: 'GET', url, operation }, authorize, this.settings, this.deps, options);
    }
    if (res.status < 200 || res.status >= 300) throw this.failure(res, operation);
    logger.debug('UCS call succeeded', { operation, status: res.status, attempts: res.attempts, durationMs: this.deps.now() - started });
    return this.parseBody(res, schema, operation);
  }

  /** The authenticator for the current credentials, rebuilt when they change (a rotated secret). */
  private async authenticator(): Promise<UcsAuthenticator> {
    const creds = await this.credentials();
    if (this.current?.creds !== creds) this.current = { creds, auth: createAuthenticator(creds, this.settings, this.deps) };
    return this.current.auth;
  }

  /** The typed error for a failed response. */
  private failure(res: ReceivedResponse, operation: string): Error {
    const info = { ...responseInfo(res, operation), ...parseUcsErrorBody(res.text) };
    const suffix = res.gaveUp && res.gaveUp.reason !== 'not-retryable' ? ` (gave up after ${res.attempts} attempt${res.attempts > 1 ? 's' : ''}: ${res.gaveUp.reason})` : '';
    const error = ucsErrorFromResponse(info, suffix);
    logger.warn('UCS call failed', { error: error.toJSON() });
    return error;
  }

  /** JSON-decodes and validates a 2xx body; anything else is an InvalidResponseError, never a crash. */
  private parseBody<S extends z.ZodType>(res: ReceivedResponse, schema: S, operation: string): z.infer<S> {
    const info = responseInfo(res, operation);
    return parseUcsResponse(schema, responseJson(res, info), operation, info);
  }
}

/** A client from validated config; credentials from the configured secret, else from env vars. */
export function createUcsClient(config: UcsClientConfig, deps?: UcsClientDeps): UcsClient {
  return new UcsClient(config, deps);
}
