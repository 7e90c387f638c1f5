import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { parsePath } from '../lib/http/request';
import { TargetPathParams } from '../lib/http/schemas';
import { retireApiTarget } from '../lib/http/targets-api';
import { defaultJobStore } from '../lib/store/default-store';

/** DELETE /targets/{kind}/{id}: retires the target (never deletes it) and returns it. */
export const handler = apiHandler(async (event) => {
  const { kind, id } = parsePath(TargetPathParams, event);
  return jsonResponse(200, { target: await retireApiTarget(defaultJobStore(), kind, id) });
});
