import { apiHandler } from '../lib/http/handler';
import { jobHistory } from '../lib/http/jobs-api';
import { jsonResponse } from '../lib/http/middleware';
import { parsePath } from '../lib/http/request';
import { JobPathParams } from '../lib/http/schemas';
import { defaultJobStore } from '../lib/store/default-store';

/** GET /jobs/{source}/{jobId} */
export const handler = apiHandler(async (event) => {
  const { source, jobId } = parsePath(JobPathParams, event);
  return jsonResponse(200, await jobHistory(defaultJobStore(), source, jobId));
});
