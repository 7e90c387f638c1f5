import { serviceConfig } from '../lib/config';
import { apiHandler } from '../lib/http/handler';
import { jobHistory } from '../lib/http/jobs-api';
import { jsonResponse } from '../lib/http/middleware';
import { ROUTES } from '../lib/http/routes';
import { OverdueJudge } from '../lib/stats/overdue';
import { defaultJobStore } from '../lib/store/default-store';

const config = serviceConfig();
const judge = new OverdueJudge(defaultJobStore, { factor: config.OVERDUE_FACTOR, minRuns: config.ALERT_MIN_RUNS });

/** GET /jobs/{source}/{jobId} */
export const handler = apiHandler(ROUTES.getJob, async ({ path }) => jsonResponse(200, await jobHistory(defaultJobStore(), path.source, path.jobId, judge)));
