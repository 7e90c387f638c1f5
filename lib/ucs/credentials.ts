// Where the UCS credentials come from: one Secrets Manager secret (JSON) when deployed, env vars locally.
// Error messages name what is wrong (a missing field, not JSON) and never echo a value: a secret must not
// reach a log line through an exception.
import { readSecretsManager, type SecretReader } from '../aws/secrets';
import * as z from 'zod';

/** Default IAM endpoint for the password-token mode (UCS is a global service: domain-scoped token). */
export const DEFAULT_IAM_ENDPOINT = 'https://iam.myhuaweicloud.com';

const Text = z.string().min(1);

/** Secret JSON, static token mode: `{"token"}`. */
const TokenSecret = z.strictObject({ token: Text });
/** Secret JSON, AK/SK mode: `{"accessKey","secretKey","domainId","securityToken"?}`. */
const AkSkSecret = z.strictObject({ accessKey: Text, secretKey: Text, domainId: Text, securityToken: Text.optional() });
/** Secret JSON, IAM password mode: `{"username","password","domainName","iamEndpoint"?}`. */
const PasswordSecret = z.strictObject({ username: Text, password: Text, domainName: Text, iamEndpoint: z.url().optional() });

/** The JSON shape of the UCS credentials secret: exactly one of the three modes. */
export const UcsSecret = z.union([TokenSecret, AkSkSecret, PasswordSecret]);
export type UcsSecret = z.infer<typeof UcsSecret>;

/** Resolved credentials; `mode` picks the authentication scheme. */
export type UcsCredentials =
  | { mode: 'token'; token: string }
  | { mode: 'aksk'; accessKey: string; secretKey: string; domainId: string; securityToken?: string }
  | { mode: 'password'; username: string; password: string; domainName: string; iamEndpoint: string };

/** No usable credentials: missing, ambiguous or malformed. The message names the problem, never a value. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

const SECRET_SHAPES = '{"token"} | {"accessKey","secretKey","domainId","securityToken"?} | {"username","password","domainName","iamEndpoint"?}';

/** Maps a validated secret to credentials. */
function fromSecret(secret: UcsSecret): UcsCredentials {
  if ('token' in secret) return { mode: 'token', token: secret.token };
  if ('accessKey' in secret) return { mode: 'aksk', ...secret };
  return { mode: 'password', ...secret, iamEndpoint: secret.iamEndpoint ?? DEFAULT_IAM_ENDPOINT };
}

/** Parses the secret's JSON text into credentials; throws CredentialsError naming the problem, never the content. */
export function parseUcsSecret(raw: string, secretName: string): UcsCredentials {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    // No `cause`: a SyntaxError message quotes part of the text, i.e. of the secret.
    throw new CredentialsError(`unreadable credentials: secret '${secretName}' is not JSON`);
  }
  const result = UcsSecret.safeParse(json);
  if (result.success) return fromSecret(result.data);
  const keys = json !== null && typeof json === 'object' && !Array.isArray(json) ? Object.keys(json).sort().join(', ') : typeof json;
  throw new CredentialsError(`unreadable credentials: secret '${secretName}' must be one of ${SECRET_SHAPES} with non-empty strings (found keys: ${keys || 'none'})`);
}

/** The env vars of each local mode. */
const ENV_MODES = {
  token: ['UCS_AUTH_TOKEN'],
  aksk: ['UCS_ACCESS_KEY', 'UCS_SECRET_KEY', 'UCS_DOMAIN_ID'],
  password: ['UCS_USERNAME', 'UCS_PASSWORD', 'UCS_DOMAIN_NAME'],
} as const;

/**
 * Credentials from env vars (local runs): `UCS_AUTH_TOKEN`; or `UCS_ACCESS_KEY` + `UCS_SECRET_KEY` +
 * `UCS_DOMAIN_ID` (+ `UCS_SECURITY_TOKEN`); or `UCS_USERNAME` + `UCS_PASSWORD` + `UCS_DOMAIN_NAME`
 * (+ `UCS_IAM_ENDPOINT`). Undefined when none is set; CredentialsError when incomplete or ambiguous.
 */
export function credentialsFromEnv(env: Record<string, string | undefined>): UcsCredentials | undefined {
  const has = (name: string) => (env[name] ?? '') !== '';
  const configured = (Object.keys(ENV_MODES) as (keyof typeof ENV_MODES)[]).filter((mode) => ENV_MODES[mode].some(has));
  if (configured.length === 0) return undefined;
  if (configured.length > 1) {
    throw new CredentialsError(`unreadable credentials: env vars of several UCS auth modes are set (${configured.join(', ')}); set only one`);
  }
  const mode = configured[0]!;
  const missing = ENV_MODES[mode].filter((name) => !has(name));
  if (missing.length > 0) throw new CredentialsError(`unreadable credentials: ${missing.join(', ')} must be set too for the ${mode} mode`);
  const v = (name: string) => env[name] as string;
  switch (mode) {
    case 'token':
      return { mode, token: v('UCS_AUTH_TOKEN') };
    case 'aksk':
      return { mode, accessKey: v('UCS_ACCESS_KEY'), secretKey: v('UCS_SECRET_KEY'), domainId: v('UCS_DOMAIN_ID'), ...(has('UCS_SECURITY_TOKEN') ? { securityToken: v('UCS_SECURITY_TOKEN') } : {}) };
    case 'password': {
      const iamEndpoint = has('UCS_IAM_ENDPOINT') ? v('UCS_IAM_ENDPOINT') : DEFAULT_IAM_ENDPOINT;
      if (!z.url().safeParse(iamEndpoint).success) throw new CredentialsError('unreadable credentials: UCS_IAM_ENDPOINT is not a URL');
      return { mode, username: v('UCS_USERNAME'), password: v('UCS_PASSWORD'), domainName: v('UCS_DOMAIN_NAME'), iamEndpoint };
    }
  }
}

/** Where to look for credentials. */
export interface CredentialsSource {
  /** Secrets Manager secret name or ARN; when set, env vars are not consulted. */
  secretName?: string;
  /** How long a read secret is cached, seconds. */
  secretMaxAgeSec: number;
  env: Record<string, string | undefined>;
  readSecret?: SecretReader;
}

/**
 * Returns a function resolving the current credentials. With a secret it re-reads through the cache on each
 * call (so a rotated secret is picked up after `secretMaxAgeSec`) and returns the same object while the text
 * is unchanged, so token caches keyed on it survive.
 */
export function ucsCredentialsProvider(source: CredentialsSource): () => Promise<UcsCredentials> {
  const { secretName } = source;
  if (secretName === undefined) {
    const fromEnv = credentialsFromEnv(source.env);
    return () =>
      fromEnv
        ? Promise.resolve(fromEnv)
        : Promise.reject(
            new CredentialsError('no UCS credentials configured: set UCS_SECRET_NAME (deployed), or UCS_AUTH_TOKEN, or UCS_ACCESS_KEY/UCS_SECRET_KEY/UCS_DOMAIN_ID, or UCS_USERNAME/UCS_PASSWORD/UCS_DOMAIN_NAME'),
          );
  }
  const read = source.readSecret ?? readSecretsManager;
  let last: { raw: string; credentials: UcsCredentials } | undefined;
  return async () => {
    let raw: string | undefined;
    try {
      raw = await read(secretName, source.secretMaxAgeSec);
    } catch (err) {
      // The AWS error names the secret and the reason (AccessDenied, ResourceNotFound), never its value.
      throw new CredentialsError(`unreadable credentials: cannot read secret '${secretName}': ${err instanceof Error ? err.name : 'error'}`, { cause: err });
    }
    if (raw === undefined || raw === '') throw new CredentialsError(`unreadable credentials: secret '${secretName}' is empty`);
    if (last?.raw !== raw) last = { raw, credentials: parseUcsSecret(raw, secretName) };
    return last.credentials;
  };
}
