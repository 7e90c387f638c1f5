import { serviceConfig } from '../lib/config';
import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { resolveStatsQuery } from '../lib/http/request';
import { ROUTES } from '../lib/http/routes';
import { durationStats } from '../lib/stats/query';
import { defaultJobStore } from '../lib/store/default-store';

const config = serviceConfig();

/** GET /stats/durations */
export const handler = apiHandler(ROUTES.statsDurations, async ({ query }) =>
  jsonResponse(200, await durationStats(defaultJobStore(), resolveStatsQuery(query, { maxWindowDays: config.MAX_WINDOW_DAYS }))),
);
