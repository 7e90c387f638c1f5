import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { parseJsonBody } from '../lib/http/request';
import { AddTargetBody } from '../lib/http/schemas';
import { addApiTarget } from '../lib/http/targets-api';
import { defaultJobStore } from '../lib/store/default-store';

/** POST /targets: 201 when added, 200 when it already existed (idempotent). */
export const handler = apiHandler(async (event) => {
  const { kind, id } = parseJsonBody(AddTargetBody, event);
  const { target, created } = await addApiTarget(defaultJobStore(), kind, id);
  return jsonResponse(created ? 201 : 200, { target });
});
