import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { openApiDocument } from '../lib/http/openapi';
import { ROUTES } from '../lib/http/routes';

/** GET /openapi.json */
export const handler = apiHandler(ROUTES.openapi, async () => Promise.resolve(jsonResponse(200, openApiDocument())));
