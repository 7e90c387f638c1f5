import { dashboardRedirect } from '../lib/http/dashboard-page';
import { apiHandler } from '../lib/http/handler';
import { PAGE_ROUTES } from '../lib/http/page-routes';

/** GET /: to the dashboard. */
export const handler = apiHandler(PAGE_ROUTES.dashboardRedirect, async () => Promise.resolve(dashboardRedirect()));
