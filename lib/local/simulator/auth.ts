// Authentication as UCS and IAM do it: X-Auth-Token (static or issued by POST /v3/auth/tokens) or an
// SDK-HMAC-SHA256 signature recomputed from the request with the project's own signer. Skew and token
// expiry use the REAL wall clock (the simulated clock may run 60× fast; credentials do not).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { canonicalRequest, parseAuthorization, parseSdkDate, signature, stringToSign } from '../../ucs/signer';
import { rngFor } from './prng';

/** Who may call the simulator. */
export interface AuthConfig {
  tokens?: string[];
  akSk?: { accessKey: string; secretKey: string; domainId?: string }[];
  iamUsers?: { username: string; password: string; domainName: string; tokenTtlSec?: number }[];
}

/** The static token `npm start` configures (and `UCS_AUTH_TOKEN` should be set to). */
export const DEFAULT_LOCAL_TOKEN = 'local-ucs-simulator-token';
/** The AK/SK pair the default configuration accepts. */
export const DEFAULT_LOCAL_AKSK = { accessKey: 'LOCALSIMULATORAK0001', secretKey: 'local-simulator-secret-key', domainId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' };
/** The IAM user the default configuration accepts. */
export const DEFAULT_LOCAL_IAM_USER = { username: 'local-user', password: 'local-password', domainName: 'local-domain' };

/** The auth configuration when none is given: every mode works with the DEFAULT_LOCAL_* credentials. */
export const DEFAULT_AUTH: AuthConfig = { tokens: [DEFAULT_LOCAL_TOKEN], akSk: [DEFAULT_LOCAL_AKSK], iamUsers: [DEFAULT_LOCAL_IAM_USER] };

/** Max |X-Sdk-Date − now| the gateway accepts. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** The request as the verifier needs it. */
export interface IncomingSigned {
  method: string;
  /** Path and query exactly as received. */
  rawUrl: string;
  headers: Record<string, string>;
  body: string;
}

/** Why a request was refused (message for the UCS error body). */
export type AuthResult = { ok: true; principal: string } | { ok: false; message: string };

/** The IAM password-method request body (domain scope). */
const IamTokenRequest = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()).refine((m) => m.includes('password'), 'password method required'),
      password: z.object({
        user: z.object({ name: z.string(), password: z.string(), domain: z.object({ name: z.string() }) }),
      }),
    }),
    scope: z.object({ domain: z.object({ name: z.string().optional(), id: z.string().optional() }) }).optional(),
  }),
});

interface IssuedToken {
  expiresAtMs: number;
  username: string;
}

/** IAM format for token times: `2025-11-11T07:24:03.553000Z`. */
function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/** Checks credentials and issues IAM tokens for one simulator. */
export class SimulatorAuth {
  private readonly tokens: Set<string>;
  private readonly issued = new Map<string, IssuedToken>();
  constructor(
    private readonly config: AuthConfig,
    private readonly wallNow: () => number = Date.now,
  ) {
    this.tokens = new Set(config.tokens ?? []);
  }

  /** Verifies a UCS call: a known unexpired token, or a valid fresh signature. */
  verify(req: IncomingSigned): AuthResult {
    const token = req.headers['x-auth-token'];
    if (token !== undefined) {
      if (this.tokens.has(token)) return { ok: true, principal: 'static-token' };
      const issued = this.issued.get(token);
      if (!issued) return { ok: false, message: 'The token is invalid.' };
      if (issued.expiresAtMs <= this.wallNow()) return { ok: false, message: 'The token has expired.' };
      return { ok: true, principal: issued.username };
    }
    const authorization = req.headers.authorization;
    if (authorization === undefined) return { ok: false, message: 'Authentication required: no X-Auth-Token and no Authorization header.' };
    return this.verifySignature(req, authorization);
  }

  private verifySignature(req: IncomingSigned, authorization: string): AuthResult {
    const parsed = parseAuthorization(authorization);
    if (!parsed) return { ok: false, message: 'Unsupported Authorization header (expected SDK-HMAC-SHA256).' };
    const cred = (this.config.akSk ?? []).find((c) => c.accessKey === parsed.access);
    if (!cred) return { ok: false, message: 'Unknown access key.' };
    const sdkDate = req.headers['x-sdk-date'];
    const date = sdkDate === undefined ? undefined : parseSdkDate(sdkDate);
    if (sdkDate === undefined || !date) return { ok: false, message: 'Missing or malformed X-Sdk-Date.' };
    if (Math.abs(this.wallNow() - date.getTime()) > MAX_CLOCK_SKEW_MS) return { ok: false, message: 'X-Sdk-Date is more than 15 minutes away from the server time.' };
    const signed = parsed.signedHeaders.map((h) => h.toLowerCase());
    if (!signed.includes('x-sdk-date')) return { ok: false, message: 'X-Sdk-Date must be signed.' };
    if (cred.domainId !== undefined) {
      // Global services require the account id, signed, so it cannot be swapped.
      if (req.headers['x-domain-id'] !== cred.domainId || !signed.includes('x-domain-id')) return { ok: false, message: 'X-Domain-Id missing, unsigned or not the account of this access key.' };
    }
    const host = req.headers.host ?? '127.0.0.1';
    const canonical = canonicalRequest({ method: req.method, url: `http://${host}${req.rawUrl}`, headers: req.headers, body: req.body }, signed);
    const expected = Buffer.from(signature(stringToSign(canonical, sdkDate), cred.secretKey), 'utf8');
    const given = Buffer.from(parsed.signature.toLowerCase(), 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, message: 'The request signature does not match.' };
    return { ok: true, principal: cred.accessKey };
  }

  /** `POST /v3/auth/tokens`: 201 with the token, 400 for a malformed body, 401 for bad credentials. */
  issueToken(rawBody: string): { status: 201; token: string; body: unknown } | { status: 400 | 401; body: unknown } {
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      json = undefined;
    }
    const parsed = IamTokenRequest.safeParse(json);
    if (!parsed.success) return { status: 400, body: { error: { code: 400, title: 'Bad Request', message: 'The request body is not a valid password-method token request.' } } };
    const user = parsed.data.auth.identity.password.user;
    const known = (this.config.iamUsers ?? []).find((u) => u.username === user.name && u.domainName === user.domain.name && u.password === user.password);
    if (!known) return { status: 401, body: { error: { code: 401, title: 'Unauthorized', message: 'The username or password is wrong.' } } };
    const nowMs = this.wallNow();
    const expiresAtMs = nowMs + (known.tokenTtlSec ?? 86_400) * 1000;
    // IAM tokens are long opaque strings starting with "MII"; only their identity matters here.
    const token = `MII${randomBytes(48).toString('base64url')}`;
    this.issued.set(token, { expiresAtMs, username: known.username });
    const domainId = rngFor('iam-domain', known.domainName).hex(32);
    const domain = { id: domainId, name: known.domainName };
    return {
      status: 201,
      token,
      body: {
        token: {
          expires_at: iamTime(expiresAtMs),
          issued_at: iamTime(nowMs),
          methods: ['password'],
          domain,
          user: { id: rngFor('iam-user', known.domainName, known.username).hex(32), name: known.username, domain, password_expires_at: '' },
          roles: [{ id: '0', name: 'te_admin' }],
          catalog: [],
        },
      },
    };
  }

  /** Makes every IAM-issued token invalid (a test forcing the client's refresh-on-401). */
  revokeIssuedTokens(): void {
    this.issued.clear();
  }
}
