import type { FederationJob, PolicyJob } from './schemas';

/**
 * The UCS calls the collectors need. `lib/ucs/client.ts` implements it over HTTPS with auth, retries
 * and timeouts; every method validates the body with the schemas of `lib/ucs/schemas.ts` and throws a
 * typed `UcsError` (lib/ucs/errors.ts) on failure.
 */
export interface UcsApi {
  /** `GET /v1/clustergroups/{fleetId}/federations/progress`. */
  getFederationProgress(fleetId: string, options?: CallOptions): Promise<FederationJob>;
  /** `GET /v1/policy/jobs/{jobId}`. */
  getPolicyJob(jobId: string, options?: CallOptions): Promise<PolicyJob>;
  /** Every fleet id from `GET /v1/clustergroups`, all pages. */
  listFleetIds(options?: CallOptions): Promise<string[]>;
  /** Every policy job id from `GET /v1/policy/jobs?kind=…`, for each configured kind. */
  listPolicyJobIds(options?: CallOptions): Promise<string[]>;
}

/** Per-call options. */
export interface CallOptions {
  /** Absolute epoch-ms deadline: retries stop so the call ends before it. */
  deadline?: number;
  signal?: AbortSignal;
}
