import { NotFound } from '../lib/http/errors';
import { apiHandler } from '../lib/http/handler';
import { CATCH_ALL_ROUTE } from '../lib/http/catch-all';

/** The catch-all route (`$default`): any unknown route answers a JSON 404 in the API's error shape. */
export const handler = apiHandler(CATCH_ALL_ROUTE, async ({ event }) =>
  Promise.reject(new NotFound(`No route ${event.requestContext.http.method} ${event.rawPath}`)),
);
