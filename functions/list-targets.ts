import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { ROUTES } from '../lib/http/routes';
import { listApiTargets } from '../lib/http/targets-api';
import { defaultJobStore } from '../lib/store/default-store';

/** GET /targets */
export const handler = apiHandler(ROUTES.listTargets, async ({ query }) =>
  jsonResponse(200, { items: await listApiTargets(defaultJobStore(), query.kind, query.includeRetired) }),
);
