import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dashboardAsset, dashboardRedirect, DASHBOARD_CSP, type DashboardAssets } from '../../../lib/http/dashboard-page';

const assets: DashboardAssets = {
  'index.html': { type: 'text/html; charset=utf-8', body: '<!doctype html><p>page</p>', etag: '"page"' },
  'app.js': { type: 'text/javascript; charset=utf-8', body: 'console.log(1)', etag: '"js"' },
};

describe('serving the dashboard', () => {
  it('answers the page at the empty asset path with a strict CSP: own origin only, no inline script', () => {
    const r = dashboardAsset(assets, '', {});
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('page');
    const csp = String(r.headers!['content-security-policy']);
    expect(csp).toBe(DASHBOARD_CSP);
    for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) expect(csp).toContain(directive);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it('gzips for a browser that accepts it, and answers 304 to a matching ETag', () => {
    const r = dashboardAsset(assets, 'app.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(r.headers!['content-encoding']).toBe('gzip');
    expect(r.isBase64Encoded).toBe(true);
    expect(gunzipSync(Buffer.from(r.body!, 'base64')).toString()).toBe('console.log(1)');
    expect(dashboardAsset(assets, 'app.js', { 'if-none-match': '"js"' }).statusCode).toBe(304);
  });

  it('answers 404 naming an unknown file, also one that names an Object property', () => {
    for (const name of ['nope.js', '__proto__', 'constructor', '../serverless.yml']) {
      const r = dashboardAsset(assets, name, {});
      expect(r.statusCode, name).toBe(404);
      expect(r.body).toContain(JSON.stringify(name));
    }
  });

  it('redirects / to /dashboard/', () => {
    expect(dashboardRedirect()).toMatchObject({ statusCode: 302, headers: { location: '/dashboard/' } });
  });
});
