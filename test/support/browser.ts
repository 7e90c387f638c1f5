import { chromium, type Browser, type Page } from 'playwright-core';

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

/**
 * Waits until the page has finished a render after `after` (body data-render counts a document's renders,
 * data-state says ready), at `search` when given (a back or forward that loads a new document counts from 0).
 */
export async function rendered(page: Page, after = 0, search?: string): Promise<number> {
  // A function, not a string: the page's CSP forbids eval. It runs in the page, where Node's types know no DOM.
  await page.waitForFunction(
    ([n, want]) => {
      const { document, location } = globalThis as unknown as { document: { body: { dataset: Record<string, string | undefined> } }; location: { search: string } };
      const body = document.body;
      return body.dataset.state === 'ready' && Number(body.dataset.render ?? 0) > n && (want === null || location.search === want);
    },
    [after, search ?? null] as const,
    { timeout: HANG_GUARD_MS },
  );
  return Number(await page.getAttribute('body', 'data-render'));
}
