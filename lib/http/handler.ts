import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { httpErrors } from './middleware';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** Wraps a route's handler in middy with the API's one error middleware: every function in functions/ uses it. */
export function apiHandler(route: (event: ApiEvent) => Promise<ApiResult>) {
  return middy<ApiEvent, ApiResult>().use(httpErrors()).handler(route);
}
