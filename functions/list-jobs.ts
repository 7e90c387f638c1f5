import { serviceConfig } from '../lib/config';
import { cursorCodecProvider } from '../lib/http/cursor-key';
import { apiHandler } from '../lib/http/handler';
import { listJobPage } from '../lib/http/jobs-api';
import { jsonResponse } from '../lib/http/middleware';
import { ROUTES } from '../lib/http/routes';
import { OverdueJudge } from '../lib/stats/overdue';
import { defaultJobStore } from '../lib/store/default-store';

const config = serviceConfig();
// The key source is validated at cold start; the key itself is read once, on first use.
const cursors = cursorCodecProvider();
// One judge per container: the p99 basis of each type is read once an hour, not per request.
const judge = new OverdueJudge(defaultJobStore, { factor: config.OVERDUE_FACTOR, minRuns: config.ALERT_MIN_RUNS });

/** GET /jobs */
export const handler = apiHandler(ROUTES.listJobs, async ({ query }) =>
  jsonResponse(200, await listJobPage(defaultJobStore(), query, await cursors(), { maxWindowDays: config.MAX_WINDOW_DAYS }, judge)),
);
