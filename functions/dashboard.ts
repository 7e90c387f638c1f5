import assets from 'dashboard-assets';
import { dashboardAsset } from '../lib/http/dashboard-page';
import { apiHandler } from '../lib/http/handler';
import { PAGE_ROUTES } from '../lib/http/page-routes';

/** GET /dashboard/{asset+}: the page and its assets, built into this bundle (infra/dashboard-build.cjs). */
export const handler = apiHandler(PAGE_ROUTES.dashboard, async ({ event }) =>
  Promise.resolve(dashboardAsset(assets, event.pathParameters?.asset, event.headers)),
);
