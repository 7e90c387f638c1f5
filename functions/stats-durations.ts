import { serviceConfig } from '../lib/config';
import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { parseQuery, resolveStatsQuery } from '../lib/http/request';
import { DurationStatsParams } from '../lib/http/schemas';
import { durationStats } from '../lib/stats/query';
import { defaultJobStore } from '../lib/store/default-store';

const config = serviceConfig();

/** GET /stats/durations */
export const handler = apiHandler(async (event) => {
  const query = resolveStatsQuery(parseQuery(DurationStatsParams, event), { maxWindowDays: config.MAX_WINDOW_DAYS });
  return jsonResponse(200, await durationStats(defaultJobStore(), query));
});
