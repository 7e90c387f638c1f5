import { NotFound } from '../lib/http/errors';
import { apiHandler } from '../lib/http/handler';

/** The catch-all route (`$default`): any unknown route answers a JSON 404 in the API's error shape. */
export const handler = apiHandler(async (event) =>
  Promise.reject(new NotFound(`No route ${event.requestContext.http.method} ${event.rawPath}`)),
);
