// No DOM here: the browser tests import it too.

/**
 * How long the page waits for one answer, headers and body. API Gateway ends an integration at 30 s, so an answer
 * that has not come by then never will (a stalled network, proxy or local server): the page says so instead of
 * loading forever. A timer of the page's own (api.ts), not AbortSignal.timeout, so a test's fake clock can run it out.
 */
export const ANSWER_TIMEOUT_MS = 45_000;
