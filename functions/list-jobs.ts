import { serviceConfig } from '../lib/config';
import { CursorCodec } from '../lib/http/cursor';
import { apiHandler } from '../lib/http/handler';
import { listJobPage } from '../lib/http/jobs-api';
import { jsonResponse } from '../lib/http/middleware';
import { parseQuery } from '../lib/http/request';
import { ListJobsParams } from '../lib/http/schemas';
import { defaultJobStore } from '../lib/store/default-store';

const config = serviceConfig();
// Cursors must open on every instance of the deployment, so the key is derived from deployment config.
const cursors = new CursorCodec(config.TABLE_NAME);

/** GET /jobs */
export const handler = apiHandler(async (event) => {
  const params = parseQuery(ListJobsParams, event);
  const page = await listJobPage(defaultJobStore(), params, cursors, { maxWindowDays: config.MAX_WINDOW_DAYS });
  return jsonResponse(200, page);
});
