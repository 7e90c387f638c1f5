import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { ROUTES } from '../lib/http/routes';
import { retireApiTarget } from '../lib/http/targets-api';
import { defaultJobStore } from '../lib/store/default-store';

/** DELETE /targets/{kind}/{id}: retires the target (never deletes it) and returns it. */
export const handler = apiHandler(ROUTES.removeTarget, async ({ path }) =>
  jsonResponse(200, { target: await retireApiTarget(defaultJobStore(), path.kind, path.id) }),
);
