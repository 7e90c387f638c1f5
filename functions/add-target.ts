import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { ROUTES } from '../lib/http/routes';
import { addApiTarget } from '../lib/http/targets-api';
import { defaultJobStore } from '../lib/store/default-store';

/** POST /targets: 201 when added, 200 when it already existed (idempotent). */
export const handler = apiHandler(ROUTES.addTarget, async ({ body }) => {
  const { target, created } = await addApiTarget(defaultJobStore(), body.kind, body.id);
  return jsonResponse(created ? 201 : 200, { target });
});
