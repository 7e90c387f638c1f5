// The three ways of authenticating to UCS: a static token, an IAM token obtained with a password (cached,
// refreshed once on a 401, one refresh shared by concurrent callers), or AK/SK request signing.
import * as z from 'zod';
import { logger } from '../observability';
import type { UcsCredentials } from './credentials';
import { InvalidResponseError } from './errors';
import { parseUcsErrorBody, responseInfo, responseJson, ucsErrorFromResponse } from './error-response';
import { signRequest, type SignableRequest } from './signer';
import { sendWithRetry, type TransportDeps, type TransportSettings } from './transport';

/** A cached IAM token is replaced this long before it expires. */
export const TOKEN_REFRESH_MARGIN_MS = 60 * 60 * 1000;

/** Adds credentials to requests. */
export interface UcsAuthenticator {
  /** The headers that authenticate this request (signed at `now` for AK/SK). */
  headers(req: SignableRequest, now: Date): Promise<Record<string, string>>;
  /** After a 401: forgets the credential those headers carried; true when a retry with a fresh one can help. */
  invalidate(usedHeaders: Record<string, string>): boolean;
}

/** `POST /v3/auth/tokens` response body: only the expiry is read (the token is in `X-Subject-Token`). */
const IamTokenBody = z.object({ token: z.object({ expires_at: z.string().min(1) }) });

/** A token and when it expires (epoch ms). */
export interface IamToken {
  token: string;
  expiresAtMs: number;
}

const IAM_OPERATION = 'POST /v3/auth/tokens';

/** Gets a domain-scoped IAM token with the password method. */
export async function requestIamToken(
  creds: Extract<UcsCredentials, { mode: 'password' }>,
  settings: TransportSettings,
  deps: TransportDeps,
): Promise<IamToken> {
  const body = JSON.stringify({
    auth: {
      identity: { methods: ['password'], password: { user: { name: creds.username, password: creds.password, domain: { name: creds.domainName } } } },
      // UCS is a global service: the token must be scoped to the account (domain), not a project.
      scope: { domain: { name: creds.domainName } },
    },
  });
  const url = `${creds.iamEndpoint.replace(/\/+$/, '')}/v3/auth/tokens`;
  const res = await sendWithRetry(
    { method: 'POST', url, body, operation: IAM_OPERATION },
    () => Promise.resolve({ 'Content-Type': 'application/json;charset=utf8', Accept: 'application/json' }),
    settings,
    deps,
  );
  const info = responseInfo(res, IAM_OPERATION);
  if (res.status < 200 || res.status >= 300) throw ucsErrorFromResponse({ ...info, ...parseUcsErrorBody(res.text) }, ' (IAM token request)');
  const token = res.headers.get('x-subject-token');
  if (!token) throw new InvalidResponseError(`${IAM_OPERATION}: no X-Subject-Token header in the response`, info);
  const parsed = IamTokenBody.safeParse(responseJson(res, info));
  const expiresAtMs = parsed.success ? Date.parse(parsed.data.token.expires_at) : NaN;
  if (Number.isNaN(expiresAtMs)) throw new InvalidResponseError(`${IAM_OPERATION}: token.expires_at missing or not a date`, { ...info, path: 'token.expires_at' });
  return { token, expiresAtMs };
}

/** Caches one IAM token until TOKEN_REFRESH_MARGIN_MS before it expires; concurrent callers share one refresh. */
export class IamTokenCache {
  private cached: IamToken | undefined;
  private inFlight: Promise<IamToken> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<IamToken>,
    private readonly now: () => number,
  ) {}

  /** The cached token, or a fresh one. */
  async get(): Promise<string> {
    if (this.cached && this.now() < this.cached.expiresAtMs - TOKEN_REFRESH_MARGIN_MS) return this.cached.token;
    this.inFlight ??= this.fetchToken()
      .then((fresh) => {
        this.cached = fresh;
        logger.info('IAM token obtained', { expiresAt: new Date(fresh.expiresAtMs).toISOString() });
        return fresh;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return (await this.inFlight).token;
  }

  /** Forgets `token` if it is still the cached one (a concurrent caller may already have replaced it). */
  invalidate(token: string | undefined): void {
    if (token !== undefined && this.cached?.token === token) this.cached = undefined;
  }
}

/** The authenticator for these credentials. */
export function createAuthenticator(creds: UcsCredentials, settings: TransportSettings, deps: TransportDeps): UcsAuthenticator {
  switch (creds.mode) {
    case 'token':
      return { headers: () => Promise.resolve({ 'X-Auth-Token': creds.token }), invalidate: () => false };
    case 'aksk':
      return { headers: (req, now) => Promise.resolve(signRequest(req, creds, now)), invalidate: () => false };
    case 'password': {
      const cache = new IamTokenCache(() => requestIamToken(creds, settings, deps), deps.now);
      return {
        headers: async () => ({ 'X-Auth-Token': await cache.get() }),
        invalidate: (used) => {
          cache.invalidate(used['X-Auth-Token']);
          return true;
        },
      };
    }
  }
}
