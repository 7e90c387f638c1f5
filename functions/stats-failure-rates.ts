import { serviceConfig } from '../lib/config';
import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { resolveStatsQuery } from '../lib/http/request';
import { ROUTES } from '../lib/http/routes';
import { failureRateStats } from '../lib/stats/query';
import { defaultJobStore } from '../lib/store/default-store';

const config = serviceConfig();

/** GET /stats/failure-rates */
export const handler = apiHandler(ROUTES.statsFailureRates, async ({ query }) =>
  jsonResponse(200, await failureRateStats(defaultJobStore(), resolveStatsQuery(query, { maxWindowDays: config.MAX_WINDOW_DAYS }))),
);
