import { describe, expect, it } from 'vitest';
import { CredentialsError, credentialsFromEnv, DEFAULT_IAM_ENDPOINT, parseUcsSecret, ucsCredentialsProvider } from '../../lib/ucs/credentials';
import { ucsConfigFromEnv } from '../../lib/ucs/client';

const SECRET = 'S3cr3t-Value-Never-Printed';

/** The thrown error, asserting it is a CredentialsError that does not echo SECRET. */
function credentialsFailure(fn: () => unknown): CredentialsError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(CredentialsError);
  const err = caught as CredentialsError;
  expect(err.message).toMatch(/credentials/);
  expect(`${err.message} ${err.stack} ${JSON.stringify(err)} ${String(err.cause)}`).not.toContain(SECRET);
  return err;
}

describe('parseUcsSecret', () => {
  it('reads each of the three shapes', () => {
    expect(parseUcsSecret(JSON.stringify({ token: SECRET }), 's')).toEqual({ mode: 'token', token: SECRET });
    expect(parseUcsSecret(JSON.stringify({ accessKey: 'AK', secretKey: SECRET, domainId: 'd' }), 's')).toEqual({ mode: 'aksk', accessKey: 'AK', secretKey: SECRET, domainId: 'd' });
    expect(parseUcsSecret(JSON.stringify({ accessKey: 'AK', secretKey: SECRET, domainId: 'd', securityToken: 't' }), 's')).toMatchObject({ securityToken: 't' });
    expect(parseUcsSecret(JSON.stringify({ username: 'u', password: SECRET, domainName: 'acme' }), 's')).toEqual({ mode: 'password', username: 'u', password: SECRET, domainName: 'acme', iamEndpoint: DEFAULT_IAM_ENDPOINT });
  });

  it.each([
    ['not JSON', `{"token": ${SECRET}`, /is not JSON/],
    ['mixed shapes', JSON.stringify({ token: SECRET, accessKey: 'AK' }), /found keys: accessKey, token/],
    ['missing field', JSON.stringify({ accessKey: 'AK', secretKey: SECRET }), /found keys: accessKey, secretKey/],
    ['empty value', JSON.stringify({ token: '' }), /must be one of/],
    ['wrong type', JSON.stringify({ token: 42 }), /must be one of/],
    ['array', JSON.stringify([SECRET]), /found keys: /],
    ['bad iam endpoint', JSON.stringify({ username: 'u', password: SECRET, domainName: 'a', iamEndpoint: SECRET }), /must be one of/],
  ])('rejects %s without echoing it', (_name, raw, pattern) => {
    const err = credentialsFailure(() => parseUcsSecret(raw, 'prod/ucs'));
    expect(err.message).toMatch(pattern);
    expect(err.message).toContain("'prod/ucs'");
  });
});

describe('credentialsFromEnv', () => {
  it('picks the mode from which variables are set', () => {
    expect(credentialsFromEnv({})).toBeUndefined();
    expect(credentialsFromEnv({ UCS_AUTH_TOKEN: SECRET })).toEqual({ mode: 'token', token: SECRET });
    expect(credentialsFromEnv({ UCS_ACCESS_KEY: 'AK', UCS_SECRET_KEY: SECRET, UCS_DOMAIN_ID: 'd', UCS_SECURITY_TOKEN: 'st' })).toEqual({ mode: 'aksk', accessKey: 'AK', secretKey: SECRET, domainId: 'd', securityToken: 'st' });
    expect(credentialsFromEnv({ UCS_USERNAME: 'u', UCS_PASSWORD: SECRET, UCS_DOMAIN_NAME: 'acme', UCS_IAM_ENDPOINT: 'http://127.0.0.1:9' })).toEqual({ mode: 'password', username: 'u', password: SECRET, domainName: 'acme', iamEndpoint: 'http://127.0.0.1:9' });
  });
  it('names missing variables of an incomplete mode', () => {
    expect(credentialsFailure(() => credentialsFromEnv({ UCS_ACCESS_KEY: 'AK', UCS_SECRET_KEY: SECRET })).message).toContain('UCS_DOMAIN_ID');
    expect(credentialsFailure(() => credentialsFromEnv({ UCS_PASSWORD: SECRET })).message).toContain('UCS_USERNAME, UCS_DOMAIN_NAME');
  });
  it('refuses two modes at once', () => {
    expect(credentialsFailure(() => credentialsFromEnv({ UCS_AUTH_TOKEN: SECRET, UCS_USERNAME: 'u' })).message).toMatch(/several/);
  });
});

describe('ucsCredentialsProvider', () => {
  it('explains what to set when nothing is configured', async () => {
    await expect(ucsCredentialsProvider({ secretMaxAgeSec: 300, env: {} })()).rejects.toThrow(/UCS_SECRET_NAME/);
  });
  it('reads the secret with its max age, keeps the same object while unchanged, picks up a rotation', async () => {
    const reads: [string, number][] = [];
    let text = JSON.stringify({ token: 'first' });
    const provider = ucsCredentialsProvider({ secretName: 'prod/ucs', secretMaxAgeSec: 120, env: { UCS_AUTH_TOKEN: 'ignored' }, readSecret: (name, maxAge) => (reads.push([name, maxAge]), Promise.resolve(text)) });
    const a = await provider();
    const b = await provider();
    expect(a).toEqual({ mode: 'token', token: 'first' });
    expect(b).toBe(a);
    text = JSON.stringify({ token: 'second' });
    expect(await provider()).toEqual({ mode: 'token', token: 'second' });
    expect(reads[0]).toEqual(['prod/ucs', 120]);
  });
  it('wraps a read failure without its details and an empty secret', async () => {
    const failing = ucsCredentialsProvider({ secretName: 'prod/ucs', secretMaxAgeSec: 1, env: {}, readSecret: () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })) });
    await expect(failing()).rejects.toThrow(/cannot read secret 'prod\/ucs': AccessDeniedException/);
    const empty = ucsCredentialsProvider({ secretName: 'prod/ucs', secretMaxAgeSec: 1, env: {}, readSecret: () => Promise.resolve(undefined) });
    await expect(empty()).rejects.toThrow(/is empty/);
  });
});

describe('ucsConfigFromEnv', () => {
  it('applies defaults', () => {
    expect(ucsConfigFromEnv({})).toMatchObject({ baseUrl: 'https://ucs.myhuaweicloud.com', timeoutMs: 10_000, maxAttempts: 4, policyJobKinds: [], pageLimit: 100 });
  });
  it('reads values', () => {
    expect(ucsConfigFromEnv({ UCS_ENDPOINT: 'https://ucs-intl.myhuaweicloud.com', UCS_TIMEOUT_MS: '2500', UCS_POLICY_JOB_KINDS: 'a, b,,c', UCS_SECRET_NAME: 'prod/ucs' })).toMatchObject({
      baseUrl: 'https://ucs-intl.myhuaweicloud.com',
      timeoutMs: 2500,
      policyJobKinds: ['a', 'b', 'c'],
      credentialsSecret: 'prod/ucs',
    });
  });
  it('names the bad variable', () => {
    expect(() => ucsConfigFromEnv({ UCS_TIMEOUT_MS: 'ten' })).toThrow(/UCS_TIMEOUT_MS/);
    expect(() => ucsConfigFromEnv({ UCS_ENDPOINT: 'not a url' })).toThrow(/UCS_ENDPOINT/);
    expect(() => ucsConfigFromEnv({ UCS_MAX_ATTEMPTS: '0' })).toThrow(/UCS_MAX_ATTEMPTS/);
  });
});
