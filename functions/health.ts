import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { checkHealth } from '../lib/http/health-api';
import { defaultJobStore } from '../lib/store/default-store';

/** GET /health: 200 `{status: "ok"}` once the table answers, else 503. */
export const handler = apiHandler(async () => jsonResponse(200, await checkHealth(defaultJobStore())));
