import { listAlertPage } from '../lib/http/alerts-api';
import { cursorCodecProvider } from '../lib/http/cursor-key';
import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { ROUTES } from '../lib/http/routes';
import { serviceConfig } from '../lib/config';
import { defaultJobStore } from '../lib/store/default-store';

serviceConfig();
// The key source is validated at cold start; the key itself is read once, on first use (as for GET /jobs).
const cursors = cursorCodecProvider();

/** GET /alerts */
export const handler = apiHandler(ROUTES.listAlerts, async ({ query }) => jsonResponse(200, await listAlertPage(defaultJobStore(), query, await cursors())));
