import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { parseQuery } from '../lib/http/request';
import { ListTargetsParams } from '../lib/http/schemas';
import { listApiTargets } from '../lib/http/targets-api';
import { defaultJobStore } from '../lib/store/default-store';

/** GET /targets */
export const handler = apiHandler(async (event) => {
  const { kind, includeRetired } = parseQuery(ListTargetsParams, event);
  return jsonResponse(200, { items: await listApiTargets(defaultJobStore(), kind, includeRetired) });
});
