import { serviceConfig } from '../lib/config';
import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { parseQuery, resolveStatsQuery } from '../lib/http/request';
import { FailureRateStatsParams } from '../lib/http/schemas';
import { failureRateStats } from '../lib/stats/query';
import { defaultJobStore } from '../lib/store/default-store';

const config = serviceConfig();

/** GET /stats/failure-rates */
export const handler = apiHandler(async (event) => {
  const query = resolveStatsQuery(parseQuery(FailureRateStatsParams, event), { maxWindowDays: config.MAX_WINDOW_DAYS });
  return jsonResponse(200, await failureRateStats(defaultJobStore(), query));
});
