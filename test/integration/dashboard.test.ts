// The $$eval callbacks run in the page: Node's type-check has no DOM types for them, so their values are any.
/* eslint-disable @typescript-eslint/no-unsafe-return */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ANSWER_TIMEOUT_MS } from '../../lib/dashboard/answer-timeout';
import { closePage, diagnosed, launchWarmChromium, openPage, rendered, sessionItem } from '../support/browser';
import { startLocalService, type LocalService } from '../support/local-service';

// The dashboard in a real browser (headless Chromium) against `npm start`'s local mode: DynamoDB Local, the UCS
// simulator, the real collectors (one `npm run collect` pass, then no schedule, so the figures hold still). The
// page must show exactly the API's figures, keep its state in the URL, load nothing from anywhere else, and say
// what is wrong, never go blank, on bad input. Every wait ends on an event (a selector, a render, an answer).
// Each page has a browser context of its own, closed after its test whatever happened: a page whose requests
// never end cannot hold the connections the next test's page needs. A failed wait says which requests were still
// open, and a failed test prints the end of npm start's output, so a failure in CI explains itself.

const ARTIFACTS = join(__dirname, '..', 'artifacts');
let service: LocalService;
let browser: Browser;
/** The pages the running test opened (closed after it). */
const pages: Page[] = [];
const requests: string[] = [];
const consoleErrors: string[] = [];

interface DurationGroup { key: string; count: number; p50Ms: number | null; p95Ms: number | null; maxMs: number | null }
interface FailureGroup { key: string; total: number; failureRate: number | null; ci95: [number, number] | null }

async function api<T>(path: string, params: Record<string, string | undefined>): Promise<T> {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  const res = await fetch(`${service.origin}${path}?${q.toString()}`);
  expect(res.status, `${path}?${q.toString()}`).toBe(200);
  return (await res.json()) as T;
}

/** A fresh page (a context of its own, at 1280×800), its requests and console errors recorded; closed after the test. */
async function newPage(): Promise<Page> {
  const page = await openPage(browser, (r) => requests.push(r.url()));
  pages.push(page);
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: uncaught ${e.message}`));
  return page;
}

/** Navigates; if the page does not load, the error says which of its requests were still open. */
const visit = (page: Page, url: string) => diagnosed(page, () => page.goto(url));

/** The window the page shows (it is computed in the browser: a preset ends at the next whole hour). */
const windowOf = async (page: Page) => ({ from: (await page.getAttribute('.kpis', 'data-from'))!, to: (await page.getAttribute('.kpis', 'data-to'))! });
const value = async (page: Page, selector: string) => page.getAttribute(selector, 'data-value');
const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

/** The KPI tiles show the figures of /stats/* for the page's window and filters. */
async function expectKpis(page: Page, filters: Record<string, string | undefined>): Promise<void> {
  const win = await windowOf(page);
  const q = { ...filters, ...win, groupBy: 'none' };
  const f = (await api<{ groups: FailureGroup[] }>('/stats/failure-rates', q)).groups[0];
  const d = (await api<{ groups: DurationGroup[] }>('/stats/durations', q)).groups[0];
  expect(await value(page, '[data-testid=kpi-runs]')).toBe(String(f?.total ?? 0));
  expect(await value(page, '[data-testid=kpi-failure-rate]')).toBe(num(f?.failureRate));
  expect(await page.getAttribute('[data-testid=kpi-failure-rate] .kpi-sub', 'data-ci')).toBe(f?.ci95 ? f.ci95.join(',') : '');
  expect(await value(page, '[data-testid=kpi-p50]')).toBe(num(d?.p50Ms));
  expect(await value(page, '[data-testid=kpi-p95]')).toBe(num(d?.p95Ms));
  expect(await page.textContent('[data-testid=kpi-runs] .kpi-value')).toBe((f?.total ?? 0).toLocaleString('en-US'));
}

const TABLES = [
  { id: 'types', level: 'job', groupBy: 'type' },
  { id: 'step-types', level: 'step', groupBy: 'type' },
  { id: 'fleets', level: 'job', groupBy: 'fleet' },
  { id: 'clusters', level: 'step', groupBy: 'cluster' },
] as const;

beforeAll(async () => {
  service = await startLocalService();
  const collected = await service.npmRun(['run', '--silent', 'collect']);
  expect(collected.code, collected.stderr).toBe(0);
  browser = await launchWarmChromium(`${service.origin}/dashboard/`);
  mkdirSync(ARTIFACTS, { recursive: true });
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    console.error(`npm start printed (last 4000 characters):\n${service?.output().slice(-4000)}`);
  });
});

afterEach(async () => {
  for (const page of pages.splice(0)) await closePage(page);
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('the dashboard, in headless Chromium against npm start', () => {
  it('is served at /dashboard/ (and / redirects there) with a strict CSP, and npm start prints its URL', async () => {
    expect(service.output()).toContain(`dashboard: ${service.origin}/dashboard/`);
    const root = await fetch(`${service.origin}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/dashboard/');
    const page = await fetch(`${service.origin}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'.*connect-src 'self'/);
  });

  it('shows in its KPI tiles and group tables exactly the figures of /stats/*, one row per API group', async () => {
    const page = await newPage();
    await visit(page, `${service.origin}/`);
    await rendered(page);
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await expectKpis(page, {});
    const win = await windowOf(page);
    for (const t of TABLES) {
      const q = { ...win, level: t.level, groupBy: t.groupBy };
      const durations = (await api<{ groups: DurationGroup[] }>('/stats/durations', q)).groups;
      const failures = (await api<{ groups: FailureGroup[] }>('/stats/failure-rates', q)).groups;
      const keys = new Set([...durations.map((g) => g.key), ...failures.map((g) => g.key)]);
      expect(keys.size, `${t.id} has groups`).toBeGreaterThan(0);
      const rows = await page.$$eval(`table[data-table="${t.id}"] tbody tr`, (trs) =>
        trs.map((tr) => ({
          key: tr.getAttribute('data-key'),
          ...Object.fromEntries([...tr.querySelectorAll('[data-col]')].filter((c) => c.hasAttribute('data-value')).map((c) => [c.getAttribute('data-col'), c.getAttribute('data-value')])),
        })),
      );
      expect(rows.map((r) => r.key).sort(), t.id).toEqual([...keys].sort());
      for (const f of failures) {
        const d = durations.find((g) => g.key === f.key);
        expect(rows.find((r) => r.key === f.key), `${t.id} ${f.key}`).toEqual({
          key: f.key,
          runs: String(f.total),
          rate: num(f.failureRate),
          ci: f.ci95 ? f.ci95.join(',') : '',
          p50: num(d?.p50Ms),
          p95: num(d?.p95Ms),
          max: num(d?.maxMs),
        });
      }
    }
    // The three charts are drawn (or say there is nothing to draw), with no more than 12 API calls in all.
    expect(await page.locator('#chart-durations canvas, #chart-durations .empty').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-counts canvas').count()).toBeGreaterThan(0);
    expect(Number(await page.getAttribute('body', 'data-calls'))).toBeLessThanOrEqual(12);
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: false });
    await page.screenshot({ path: join(ARTIFACTS, 'overview-full.png'), fullPage: true });
  });

  it('filters by a clicked row: the URL and the figures change, a reload keeps the view, back returns', async () => {
    const page = await newPage();
    await visit(page, `${service.origin}/dashboard/?range=24h`);
    let n = await rendered(page);
    const allRuns = await value(page, '[data-testid=kpi-runs]');
    await page.screenshot({ path: join(ARTIFACTS, 'overview-24h.png'), fullPage: false });
    // A step type: the page goes to level=step with that type and source.
    const row = page.locator('table[data-table="step-types"] tbody tr').first();
    const key = (await row.getAttribute('data-key'))!;
    const [source, ...rest] = key.split('/');
    await row.click();
    await rendered(page, n);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ range: '24h', level: 'step', source, type: rest.join('/') });
    await expectKpis(page, { level: 'step', source, type: rest.join('/') });
    // The tables of that level hold only that type now.
    expect(await page.$$eval('table[data-table="step-types"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-key')))).toEqual([key]);
    const filteredRuns = await value(page, '[data-testid=kpi-runs]');
    await page.reload();
    n = await rendered(page);
    expect(page.url()).toBe(url.toString());
    expect(await value(page, '[data-testid=kpi-runs]')).toBe(filteredRuns);
    await expectKpis(page, { level: 'step', source, type: rest.join('/') });
    // A job type row, by keyboard: its button has a label and takes Enter.
    const typeButton = page.locator('table[data-table="types"] tbody tr').first().locator('button');
    await typeButton.focus();
    await page.keyboard.press('Enter');
    n = await rendered(page, n);
    expect(new URL(page.url()).searchParams.get('level')).toBe('job');
    await page.goBack();
    await rendered(page, n);
    expect(page.url()).toBe(url.toString());
    // Back past the reload: that entry belongs to the document before it, so this loads a new one.
    await page.goBack();
    await rendered(page, 0, '?range=24h');
    expect(await value(page, '[data-testid=kpi-runs]')).toBe(allRuns);
    // A preset button changes the window in the URL.
    n = Number(await page.getAttribute('body', 'data-render'));
    await page.getByRole('button', { name: '30 d' }).click();
    await rendered(page, n);
    expect(new URL(page.url()).searchParams.get('range')).toBe('30d');
    await expectKpis(page, {});
  });

  it('shows a job: its record, its observed states, and a Gantt chart with one bar per step', async () => {
    const { items } = await api<{ items: { source: string; jobId: string; steps: unknown[]; finishedAt?: string }[] }>('/jobs', { source: 'policy', limit: '100' });
    const job = items.find((j) => j.steps.length > 1 && j.finishedAt) ?? items.find((j) => j.steps.length > 0)!;
    const history = await api<{ history: unknown[] }>(`/jobs/${job.source}/${job.jobId}`, {});
    const page = await newPage();
    // Through the explorer: the job's link opens its page.
    await visit(page, `${service.origin}/dashboard/?view=jobs&source=${job.source}`);
    await rendered(page);
    expect(await page.locator('table[data-table="jobs"] tbody tr').count()).toBeGreaterThan(0);
    await visit(page, `${service.origin}/dashboard/?view=job&source=${job.source}&jobId=${job.jobId}`);
    await rendered(page);
    expect(await page.locator('.gantt-bar').count()).toBe(job.steps.length);
    expect(await page.locator('.timeline li').count()).toBe(history.history.length);
    expect(await page.locator('.gantt-bar.last').count()).toBe(job.finishedAt ? 1 : await page.locator('.gantt-bar.last').count());
    await page.screenshot({ path: join(ARTIFACTS, 'job.png'), fullPage: false });
    // The explorer pages with the API's cursor.
    await visit(page, `${service.origin}/dashboard/?view=jobs`);
    const n = await rendered(page);
    const first = await page.locator('table[data-table="jobs"] tbody tr').first().getAttribute('data-key');
    if (await page.getByTestId('next-page').count()) {
      await page.getByTestId('next-page').click();
      await rendered(page, n);
      expect(new URL(page.url()).searchParams.get('cursor')).toBeTruthy();
      expect(await page.locator('table[data-table="jobs"] tbody tr').first().getAttribute('data-key')).not.toBe(first);
    }
    // The watch list.
    await visit(page, `${service.origin}/dashboard/?view=targets`);
    await rendered(page);
    const targets = await api<{ items: unknown[] }>('/targets', {});
    expect(await page.locator('table[data-table="targets"] tbody tr').count()).toBe(targets.items.length);
  });

  it('made no request outside the service and logged no console error', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith(`${service.origin}/`))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('the dashboard on bad input', () => {
  let page: Page;
  beforeEach(async () => {
    page = await newPage();
  });

  const errorText = async () => (await page.locator('.error').allTextContents()).join('\n');

  it('an unknown filter value in the URL shows the API message, and the controls still work', async () => {
    await visit(page, `${service.origin}/dashboard/?source=nowhere`);
    const n = await rendered(page);
    const res = await fetch(`${service.origin}/stats/failure-rates?source=nowhere&groupBy=none`);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(await errorText()).toContain(error.message);
    await page.selectOption('#f-source', '');
    await rendered(page, n);
    expect(await page.locator('.error').count()).toBe(0);
    expect(await page.locator('[data-testid=kpi-runs]').count()).toBe(1);
  });

  it('a window the API rejects shows its message, naming the parameter', async () => {
    await visit(page, `${service.origin}/dashboard/?range=custom&from=2025-11-08&to=2025-11-01`);
    const n = await rendered(page);
    expect(await errorText()).toMatch(/from/);
    await page.getByRole('button', { name: '7 d' }).click();
    await rendered(page, n);
    expect(await page.locator('.error').count()).toBe(0);
  });

  it('an unreachable API says so on the page, with the header still there', async () => {
    await page.route(/\/(stats|jobs|targets)\b/, (route) => route.abort('connectionrefused'));
    await visit(page, `${service.origin}/dashboard/?range=24h`);
    await rendered(page);
    expect(await errorText()).toContain('unreachable');
    expect(await page.locator('header nav a').count()).toBe(3);
  });

  it('an API that never answers: the page says which call stalled once its answer timeout has run out', async () => {
    // The page's timer runs on a fake clock, moved on only once the held call has been sent: no real 45 s wait.
    await page.clock.install();
    await page.route(/\/(stats|jobs|targets|alerts)\b/, () => undefined);
    const asked = page.waitForRequest(/\/targets\b/);
    await visit(page, `${service.origin}/dashboard/?view=targets`);
    await asked;
    await page.clock.fastForward(ANSWER_TIMEOUT_MS);
    await rendered(page);
    expect(await errorText()).toContain(`/targets did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
    expect(await page.locator('header nav a').count()).toBe(3);
  });

  it('a JWT-authorized API: the page asks for a bearer token, keeps it in sessionStorage and sends it', async () => {
    const seen: (string | undefined)[] = [];
    await page.route(/\/(stats|jobs|targets)\b/, async (route) => {
      const auth = route.request().headers().authorization;
      seen.push(auth);
      if (auth !== 'Bearer test-token') return route.fulfill({ status: 401, contentType: 'application/json', body: '{"message":"Unauthorized"}' });
      return route.continue();
    });
    await visit(page, `${service.origin}/dashboard/`);
    let n = await rendered(page);
    expect(await page.locator('form.token').count()).toBe(1);
    await page.getByLabel('Bearer token', { exact: true }).fill('test-token');
    await page.getByRole('button', { name: 'Use token' }).click();
    n = await rendered(page, n);
    expect(await page.locator('.error').count()).toBe(0);
    expect(await sessionItem(page, 'ucs-job-history.token')).toBe('test-token');
    expect(seen.at(-1)).toBe('Bearer test-token');
    await page.getByRole('button', { name: 'Forget token' }).click();
    await rendered(page, n);
    expect(await sessionItem(page, 'ucs-job-history.token')).toBeNull();
  });

  it("an IAM-authorized API opened directly: API Gateway's Forbidden, and how to sign", async () => {
    await page.route(/\/(stats|jobs|targets)\b/, (route) => route.fulfill({ status: 403, contentType: 'application/json', body: '{"message":"Forbidden"}' }));
    await visit(page, `${service.origin}/dashboard/`);
    await rendered(page);
    const text = await errorText();
    expect(text).toContain('Forbidden');
    expect(text).toContain('npm run dashboard -- --api');
  });

  it('never threw in the page', () => {
    expect(consoleErrors.filter((e) => e.includes('uncaught'))).toEqual([]);
  });
});
