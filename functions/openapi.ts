import { apiHandler } from '../lib/http/handler';
import { jsonResponse } from '../lib/http/middleware';
import { openApiDocument } from '../lib/http/openapi';

/** GET /openapi.json */
export const handler = apiHandler(async () => Promise.resolve(jsonResponse(200, openApiDocument())));
