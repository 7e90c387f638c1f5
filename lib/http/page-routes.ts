/**
 * The routes of the dashboard (DESIGN.md "Dashboard"): public like /health, since the page and its assets hold no
 * data (every figure comes from the authorized API). Part of the route table (serverless.yml is checked against
 * them, test/unit/http/routes.test.ts) but not of the OpenAPI document, which describes the JSON API only.
 *
 * `/dashboard` and `/dashboard/{asset+}` both serve the page (its asset URLs are absolute), so the page answers
 * at `/dashboard/` however the gateway matches a trailing slash, and no redirect can loop.
 */
export const PAGE_ROUTES = {
  dashboardRedirect: { operationId: 'dashboardRedirect', method: 'get', path: '/', handler: 'functions/dashboard-redirect.handler', auth: 'none' },
  dashboardPage: { operationId: 'dashboardPage', method: 'get', path: '/dashboard', handler: 'functions/dashboard-page.handler', auth: 'none' },
  dashboard: { operationId: 'dashboard', method: 'get', path: '/dashboard/{asset+}', handler: 'functions/dashboard.handler', auth: 'none' },
} as const;
