import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { buildDashboardAssets } from '../../infra/dashboard-build.cjs';
import { dashboardAsset } from '../../lib/http/dashboard-page';
import { apiEvent } from '../support/api-event';
import { CHROMIUM, launchChromium, rendered } from '../support/browser';

// The dashboard's budgets (issue 15): what the overview loads (gzipped), how many API calls it makes, and the
// time from navigation to its last chart drawn, in headless Chromium. The page is served as the stack serves it
// (the built assets, gzip) and its API calls go to the real stats handlers over the bench's table, behind a small
// in-process HTTP server on 127.0.0.1 that turns each request into an API Gateway event.

type Handler = (event: ReturnType<typeof apiEvent>, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface DashboardFigures {
  loads: number;
  gzippedBytes: number;
  byResource: { url: string; gzipped: number }[];
  apiCalls: number;
  drawnMs: number[];
  /** When the last API answer had arrived, from the navigation (what the server side costs of drawnMs). */
  apiDoneMs: number[];
}

/** Measures the overview over [from, to) against `tableName` on DynamoDB Local at `endpoint`; undefined without Chromium. */
export async function measureDashboard(endpoint: string, tableName: string, window: { from: string; to: string }, loads: number): Promise<DashboardFigures | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  // The handlers read their configuration once, at import (as at a cold start).
  Object.assign(process.env, { TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  const routes: Record<string, Handler> = {
    '/stats/durations': (await import('../../functions/stats-durations')).handler,
    '/stats/failure-rates': (await import('../../functions/stats-failure-rates')).handler,
  };
  const assets = await buildDashboardAssets();
  const send = (res: ServerResponse, r: APIGatewayProxyStructuredResultV2) => {
    res.writeHead(r.statusCode ?? 200, r.headers as Record<string, string>);
    res.end(r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64') : (r.body ?? ''));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/dashboard/')) return send(res, dashboardAsset(assets, url.pathname.slice('/dashboard/'.length), { 'accept-encoding': String(req.headers['accept-encoding'] ?? '') }));
    const handler = routes[url.pathname];
    if (!handler) return send(res, { statusCode: 404, body: '{"error":{"code":"not_found","message":"not in the bench"}}' });
    const query = Object.fromEntries(url.searchParams);
    handler(apiEvent({ method: 'GET', route: url.pathname, query }), { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as Context).then(
      (r) => send(res, r),
      (e: unknown) => send(res, { statusCode: 500, body: JSON.stringify({ error: { code: 'bench', message: String(e) } }) }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  try {
    const figures: DashboardFigures = { loads, gzippedBytes: 0, byResource: [], apiCalls: 0, drawnMs: [], apiDoneMs: [] };
    for (let i = 0; i < loads; i++) {
      // A fresh context each time: a cold cache, as a first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const responses: Promise<{ url: string; gzipped: number }>[] = [];
      page.on('response', (r) => responses.push(r.body().then((b) => ({ url: r.url(), gzipped: gzipSync(b).length }))));
      await page.goto(`${origin}/dashboard/?range=custom&from=${window.from}&to=${window.to}`);
      await rendered(page);
      const errors = await page.locator('.error').allTextContents();
      if (errors.length) throw new Error(`the overview showed errors: ${errors.join('; ')}`);
      // The page marks the moment its last chart has drawn; startTime counts from the navigation.
      const drawn = await page.evaluate(() => performance.getEntriesByName('dashboard-drawn')[0]?.startTime ?? NaN);
      figures.drawnMs.push(drawn);
      figures.apiDoneMs.push(
        await page.evaluate(() =>
          Math.max(...performance.getEntriesByType('resource').filter((e) => /\/stats\//.test(e.name)).map((e) => (e as unknown as { responseEnd: number }).responseEnd)),
        ),
      );
      const loaded = await Promise.all(responses);
      if (i === 0) {
        figures.byResource = loaded;
        figures.gzippedBytes = loaded.reduce((s, r) => s + r.gzipped, 0);
        figures.apiCalls = loaded.filter((r) => !new URL(r.url).pathname.startsWith('/dashboard/')).length;
      }
      await context.close();
    }
    return figures;
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
