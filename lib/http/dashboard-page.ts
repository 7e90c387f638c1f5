import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * Serving the dashboard's built files (DESIGN.md "Dashboard"): the page and its assets hold no data, so they are
 * public, and a strict Content-Security-Policy keeps the page to its own origin: no inline script or style, no
 * CDN, no fonts, API calls to this origin only. The files are built by infra/dashboard-build.cjs.
 */

/** One built file of the dashboard: its Content-Type, text and strong ETag (infra/dashboard-build.cjs). */
export interface DashboardAsset {
  type: string;
  body: string;
  etag: string;
}
export type DashboardAssets = Record<string, DashboardAsset>;

/** The page may load and call only its own origin; it may not be framed, and it embeds no plugin. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Where `GET /` sends a browser. */
export const DASHBOARD_PATH = '/dashboard/';

/** `GET /`: a redirect to the dashboard. */
export function dashboardRedirect(): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 302, headers: { location: DASHBOARD_PATH, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: `See ${DASHBOARD_PATH}\n` };
}

const gzipped = new Map<string, string>();

/**
 * The answer for `asset` (a file name under /dashboard/; empty = the page): the file with its type, the security
 * headers and an ETag (304 when the browser has it), gzip-compressed when the browser accepts it (API Gateway
 * does not compress). An unknown file answers 404 naming it.
 */
export function dashboardAsset(
  assets: DashboardAssets,
  asset: string | undefined,
  headers: Record<string, string | undefined>,
): APIGatewayProxyStructuredResultV2 {
  const name = asset === undefined || asset === '' ? 'index.html' : asset;
  const file = Object.hasOwn(assets, name) ? assets[name] : undefined;
  if (!file) {
    return {
      statusCode: 404,
      headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      body: `No dashboard file ${JSON.stringify(name)}; the page is at ${DASHBOARD_PATH}\n`,
    };
  }
  // The file names carry no hash: the browser revalidates (a 304 costs no body) and always runs the deployed build.
  const common = { ...SECURITY_HEADERS, 'content-type': file.type, 'cache-control': 'no-cache', etag: file.etag, vary: 'accept-encoding' };
  if (headers['if-none-match'] === file.etag) return { statusCode: 304, headers: common, body: '' };
  if (/\bgzip\b/.test(headers['accept-encoding'] ?? '')) {
    let body = gzipped.get(file.etag);
    if (body === undefined) {
      body = gzipSync(file.body, { level: 9 }).toString('base64');
      gzipped.set(file.etag, body);
    }
    return { statusCode: 200, headers: { ...common, 'content-encoding': 'gzip' }, body, isBase64Encoded: true };
  }
  return { statusCode: 200, headers: common, body: file.body };
}
