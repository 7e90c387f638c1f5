import assets from 'dashboard-assets';
import { dashboardAsset } from '../lib/http/dashboard-page';
import { apiHandler } from '../lib/http/handler';
import { PAGE_ROUTES } from '../lib/http/page-routes';

/** GET /dashboard: the page (the same as /dashboard/). */
export const handler = apiHandler(PAGE_ROUTES.dashboardPage, async ({ event }) => Promise.resolve(dashboardAsset(assets, '', event.headers)));
