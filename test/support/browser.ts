import { chromium, type Browser, type Page, type Request } from 'playwright-core';

// Headless Chromium for the dashboard's tests and bench: the distribution's browser (.ci/run installs it), no
// download, no network of its own (--disable-background-networking), so every request it makes is the page's.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** The page's sessionStorage item `key`. */
export function sessionItem(page: Page, key: string): Promise<string | null> {
  return page.evaluate((k) => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem(k), key);
}

/** A hang guard for waits that end on events (selectors, answers): a loaded machine only makes them slower. */
export const HANG_GUARD_MS = 180_000;

/** The requests each tracked page has sent and not yet seen answered or failed, with when they were sent. */
const inFlight = new WeakMap<Page, Map<Request, number>>();

/**
 * A page in a browser context of its own (its own connection pool and storage: a page left with requests that
 * never end cannot starve the next test's), at 1280×800, with its requests tracked so that a wait that fails
 * says which requests were still open. Close it with `closePage`.
 */
export async function openPage(browser: Browser, onRequest?: (request: Request) => void): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(HANG_GUARD_MS);
  trackRequests(page, onRequest);
  return page;
}

/** Closes a page of `openPage` with its context. */
export function closePage(page: Page): Promise<void> {
  return page.context().close();
}

function trackRequests(page: Page, onRequest?: (request: Request) => void): void {
  const open = new Map<Request, number>();
  inFlight.set(page, open);
  page.on('request', (r) => {
    open.set(r, Date.now());
    onRequest?.(r);
  });
  page.on('requestfinished', (r) => open.delete(r));
  page.on('requestfailed', (r) => open.delete(r));
}

/** What a page is doing, for the message of a wait that failed: its URL, body state and unanswered requests. */
export async function pageDiagnosis(page: Page): Promise<string> {
  const open = [...(inFlight.get(page) ?? new Map<Request, number>())].map(([r, at]) => `${r.method()} ${r.url()} (open ${Math.round((Date.now() - at) / 1000)} s)`);
  const body = await page
    .evaluate(() => {
      const { document } = globalThis as unknown as { document: { body: { dataset: Record<string, string | undefined>; innerText: string } } };
      return `state=${document.body.dataset.state ?? '-'} render=${document.body.dataset.render ?? '-'} text: ${document.body.innerText.slice(0, 300).replace(/\s+/g, ' ')}`;
    })
    .catch((error: unknown) => `(page not readable: ${(error as Error).message.split('\n')[0]})`);
  return `page ${page.url()}: ${body}\n  requests without an answer: ${open.length ? `\n    ${open.join('\n    ')}` : 'none'}`;
}

/** Runs a wait on `page`; if it fails, its error also says what the page was doing (pageDiagnosis). */
export async function diagnosed<T>(page: Page, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    const e = error as Error;
    e.message = `${e.message}\n${await pageDiagnosis(page)}`;
    throw e;
  }
}

/**
 * Waits until the page has finished a render after `after` (body data-render counts a document's renders,
 * data-state says ready), at `search` when given (a back or forward that loads a new document counts from 0).
 */
export async function rendered(page: Page, after = 0, search?: string, timeout = HANG_GUARD_MS): Promise<number> {
  // A function, not a string: the page's CSP forbids eval. It runs in the page, where Node's types know no DOM.
  await diagnosed(page, () =>
    page.waitForFunction(
      ([n, want]) => {
        const { document, location } = globalThis as unknown as { document: { body: { dataset: Record<string, string | undefined> } }; location: { search: string } };
        const body = document.body;
        return body.dataset.state === 'ready' && Number(body.dataset.render ?? 0) > n && (want === null || location.search === want);
      },
      [after, search ?? null] as const,
      { timeout },
    ),
  );
  return Number(await page.getAttribute('body', 'data-render'));
}

/** How long the warm-up lets the first page take: a cold local service answered its first burst in ~10 s here. */
const WARM_UP_MS = 90_000;

/**
 * Chromium, launched and seen to render `url` (a dashboard page) once. In CI, on machines where Chromium had just
 * been installed, the first page of the first browser twice never finished (`load`, then its API answers, stayed
 * open for the whole hang guard) while later pages loaded at once. So the first render is taken here, bounded by
 * WARM_UP_MS: if it stalls, what was still open is printed and a new browser is started, up to `attempts` times.
 * Every test after it still has to pass on its own pages.
 */
export async function launchWarmChromium(url: string, attempts = 3): Promise<Browser> {
  for (let attempt = 1; ; attempt++) {
    const browser = await launchChromium();
    const page = await openPage(browser);
    try {
      await page.goto(url, { timeout: WARM_UP_MS });
      await rendered(page, 0, undefined, WARM_UP_MS);
      await closePage(page);
      return browser;
    } catch (error) {
      const why = `${(error as Error).message.split('\n')[0]}\n${await pageDiagnosis(page)}`;
      await browser.close();
      if (attempt >= attempts) throw new Error(`Chromium did not render ${url} in ${attempts} attempts; the last: ${why}`, { cause: error });
      console.warn(`browser warm-up ${attempt} of ${attempts} stalled: ${why}\nstarting a new browser`);
    }
  }
}
