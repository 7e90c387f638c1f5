// SDK-HMAC-SHA256 request signing for Huawei Cloud (AK/SK). Hand-written on node:crypto because the official
// SDK (axios, lodash, moment, log4js…) would drag megabytes into a Lambda bundle; test/unit/signer.test.ts
// proves it against the official AKSKSigner. The server side (the simulator) verifies with the same builders.
import { createHash, createHmac } from 'node:crypto';

/** A request as the signer sees it: absolute URL as sent on the wire (path segments already percent-encoded). */
export interface SignableRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** AK/SK credentials; `domainId` is required by global services such as UCS, `securityToken` by temporary ones. */
export interface AkSkCredentials {
  accessKey: string;
  secretKey: string;
  domainId?: string;
  securityToken?: string;
}

/** The signing algorithm name, first word of the Authorization header. */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
/** Header carrying the signing time, `YYYYMMDDTHHMMSSZ`. */
export const SDK_DATE_HEADER = 'X-Sdk-Date';
/** A header whose value, when present, replaces the body hash (official SDK behaviour). */
const CONTENT_SHA256_HEADER = 'x-sdk-content-sha256';

/** RFC 3986 encoding: unreserved `A-Za-z0-9-_.~` kept, everything else UTF-8 percent-encoded with uppercase hex. */
export function encodeRfc3986(value: string): string {
  // encodeURIComponent also keeps !'()* which RFC 3986 (and the official signer) escape.
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decodes percent-escapes, leaving a malformed escape as it is (a verifier must not crash on a bad URL). */
function decodeLenient(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Formats a date as the `X-Sdk-Date` value, e.g. `20250101T120000Z`. */
export function formatSdkDate(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

/** Parses an `X-Sdk-Date` value back to a Date; undefined when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Canonical URI: the whole path decoded, split on `/`, each segment RFC 3986-encoded, with a trailing `/`.
 * Decoding first is what the API gateway does (a `%2F` inside a segment therefore signs as `/`).
 */
function canonicalUri(pathname: string): string {
  const path = decodeLenient(pathname)
    .split('/')
    .map(encodeRfc3986)
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/** Canonical query: sorted by raw key (then raw value, for repeated keys), each side encoded, `&`-joined. */
function canonicalQuery(search: string): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(search)) {
    const values = byKey.get(key) ?? [];
    values.push(value);
    byKey.set(key, values);
  }
  // Default (UTF-16 code unit) sort on the raw strings, as the official signer does.
  return [...byKey.keys()]
    .sort()
    .flatMap((key) => (byKey.get(key) ?? []).sort().map((value) => `${encodeRfc3986(key)}=${encodeRfc3986(value)}`))
    .join('&');
}

/** Case-insensitive header lookup; `host` falls back to the URL's host (fetch sets it, the caller does not). */
function headerValue(req: SignableRequest, url: URL, name: string): string {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.toLowerCase() === lower) return value;
  }
  return lower === 'host' ? url.host : '';
}

/** Hex SHA-256 of a string (UTF-8). */
function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** The canonical request for `req`, signing the given header names (any case; they are lowercased and sorted). */
export function canonicalRequest(req: SignableRequest, signedHeaders: string[]): string {
  const url = new URL(req.url);
  const names = [...new Set(signedHeaders.map((h) => h.toLowerCase()))].sort();
  const headerLines = names.map((name) => `${name}:${headerValue(req, url, name).trim()}\n`).join('');
  const contentHash = Object.entries(req.headers).find(([k]) => k.toLowerCase() === CONTENT_SHA256_HEADER)?.[1];
  return [
    req.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.search),
    headerLines,
    names.join(';'),
    contentHash ?? sha256Hex(req.body ?? ''),
  ].join('\n');
}

/** The string to sign: algorithm, `X-Sdk-Date`, hex SHA-256 of the canonical request. */
export function stringToSign(canonical: string, sdkDate: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** Hex HMAC-SHA256 of the string to sign, keyed with the secret key. */
export function signature(toSign: string, secretKey: string): string {
  return createHmac('sha256', secretKey).update(toSign, 'utf8').digest('hex');
}

/** Parses `SDK-HMAC-SHA256 Access=…, SignedHeaders=a;b, Signature=…`; undefined when it is not one. */
export function parseAuthorization(header: string): { access: string; signedHeaders: string[]; signature: string } | undefined {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(header.trim());
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { access: m[1], signedHeaders: m[2].split(';'), signature: m[3] };
}

/**
 * Signs `req`: returns the headers to add (`X-Sdk-Date`, `Authorization`, and `X-Domain-Id` /
 * `X-Security-Token` when given). Every header of `req` plus `host` and the added ones is signed.
 */
export function signRequest(req: SignableRequest, creds: AkSkCredentials, now: Date): Record<string, string> {
  const sdkDate = formatSdkDate(now);
  const added: Record<string, string> = { [SDK_DATE_HEADER]: sdkDate };
  if (creds.domainId) added['X-Domain-Id'] = creds.domainId;
  if (creds.securityToken) added['X-Security-Token'] = creds.securityToken;
  const headers = { ...req.headers, ...added };
  const signedHeaders = ['host', ...Object.keys(headers).filter((h) => h.toLowerCase() !== 'authorization')];
  const canonical = canonicalRequest({ ...req, headers }, signedHeaders);
  const names = [...new Set(signedHeaders.map((h) => h.toLowerCase()))].sort().join(';');
  const sig = signature(stringToSign(canonical, sdkDate), creds.secretKey);
  return { ...added, Authorization: `${SIGNING_ALGORITHM} Access=${creds.accessKey}, SignedHeaders=${names}, Signature=${sig}` };
}
