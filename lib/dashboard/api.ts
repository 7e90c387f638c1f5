// The page's API client. Every answer's type is inferred from the API's own zod schemas (type imports only, so
// the bundle holds no schema code): a change of shape in lib/http or lib/stats breaks this build.
import type { z } from 'zod';
import type { ErrorBody, GatewayErrorBody, JobHistoryBody, JobPageBody, TargetListBody } from '../http/schemas';
import type { DurationStatsBody, FailureRateStatsBody } from '../stats/results';
import { ANSWER_TIMEOUT_MS } from './answer-timeout';

export type { DurationStatsBody, FailureRateStatsBody, JobHistoryBody, JobPageBody };
export type TargetList = z.infer<typeof TargetListBody>;
export type DurationGroup = DurationStatsBody['groups'][number];
export type FailureGroup = FailureRateStatsBody['groups'][number];
export type Job = JobPageBody['items'][number];
export type JobRecordBody = JobHistoryBody['history'][number];

/** Where the bearer token of a JWT-authorized API is kept: this tab only (sessionStorage), never on disk. */
const TOKEN_KEY = 'ucs-job-history.token';

export const bearerToken = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer that is not a success, with the message the API (or the gateway, or the proxy) gave. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly path: string,
    readonly parameter?: string,
    /** API Gateway's own answer (`{message}`), before any function or proxy ran. */
    readonly fromGateway = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** The gateway refused the request for lack of a valid token (JWT authorizer): the page asks for one. */
  get needsToken(): boolean {
    return this.status === 401 && this.fromGateway;
  }
  /** The gateway refused an unsigned request (IAM authorizer): the page says how to sign. */
  get needsSigning(): boolean {
    return this.status === 403 && this.fromGateway;
  }
}

type Params = Record<string, string | undefined>;


/** Every call the page made since it was loaded (the bench counts them; the tests compare them). */
export const callLog: string[] = [];

async function get<T>(path: string, params: Params = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, v);
  const qs = query.toString();
  const url = qs ? `${path}?${qs}` : path;
  callLog.push(url);
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = bearerToken.get();
  if (token) headers.authorization = `Bearer ${token}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ANSWER_TIMEOUT_MS);
  const timedOut = () => new ApiError(`${path} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s: the API (or a proxy in between) has stalled. Reload to try again.`, 0, path);
  let res: Response;
  let text: string;
  try {
    try {
      res = await fetch(url, { headers, credentials: 'same-origin', signal: abort.signal });
    } catch (error) {
      if (abort.signal.aborted) throw timedOut();
      throw new ApiError(`The API at ${location.origin} is unreachable (${(error as Error).message}). Is the service running?`, 0, path);
    }
    try {
      text = await res.text();
    } catch (error) {
      if (abort.signal.aborted) throw timedOut();
      throw new ApiError(`${path} broke off its answer (${(error as Error).message})`, res.status, path);
    }
  } finally {
    clearTimeout(timer);
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = (body as Partial<ErrorBody> | undefined)?.error;
    const gateway = (body as Partial<GatewayErrorBody> | undefined)?.message;
    const message = err?.message ?? gateway ?? `HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`;
    const parameter = typeof err?.details?.parameter === 'string' ? err.details.parameter : undefined;
    throw new ApiError(message, res.status, path, parameter, err === undefined && gateway !== undefined);
  }
  if (body === undefined) throw new ApiError(`${path} answered ${res.status} without a JSON body`, res.status, path);
  return body as T;
}

/** Query of both stats routes, as the page sends it (the API validates every value). */
export interface StatsParams extends Params {
  level?: string;
  groupBy?: string;
  source?: string;
  type?: string;
  from?: string;
  to?: string;
  interval?: string;
  compare?: string;
}

export const api = {
  durations: (p: StatsParams) => get<DurationStatsBody>('/stats/durations', p),
  failureRates: (p: StatsParams) => get<FailureRateStatsBody>('/stats/failure-rates', p),
  jobs: (p: Params) => get<JobPageBody>('/jobs', p),
  job: (source: string, jobId: string) => get<JobHistoryBody>(`/jobs/${encodeURIComponent(source)}/${encodeURIComponent(jobId)}`),
  targets: (includeRetired: boolean) => get<TargetList>('/targets', { includeRetired: String(includeRetired) }),
};
