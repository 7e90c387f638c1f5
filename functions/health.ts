import { apiHandler } from '../lib/http/handler';
import { checkHealth } from '../lib/http/health-api';
import { jsonResponse } from '../lib/http/middleware';
import { ROUTES } from '../lib/http/routes';
import { defaultJobStore } from '../lib/store/default-store';

/** GET /health: 200 `{status: "ok"}` once the table answers, else 503. */
export const handler = apiHandler(ROUTES.health, async () => jsonResponse(200, await checkHealth(defaultJobStore())));
