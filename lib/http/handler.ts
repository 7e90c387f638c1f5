import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger, metrics } from '../observability';
import { httpErrors } from './middleware';
import { parseJsonBody, parsePath, parseQuery } from './request';
import type { ApiRoute } from './routes';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** The parsed form of an optional schema: undefined when the route has none. */
type Parsed<S> = [NonNullable<S>] extends [never] ? undefined : NonNullable<S> extends z.ZodType ? z.output<NonNullable<S>> : undefined;

/** What the wrapper needs of a route: its input schemas and its name. */
type RouteSchemas = Pick<ApiRoute, 'query' | 'pathParams' | 'body'> & { operationId: string };

/** A request as its route's schemas parsed it: a handler never sees (or picks) a schema of its own. */
export interface RouteInput<R extends RouteSchemas> {
  query: Parsed<R['query']>;
  path: Parsed<R['pathParams']>;
  body: Parsed<R['body']>;
  event: ApiEvent;
}

/** Parses a request by its route's query, path and body schemas; bad input is a BadRequest naming the parameter. */
export function parseRequest<R extends RouteSchemas>(route: R, event: ApiEvent): RouteInput<R> {
  return {
    query: (route.query ? parseQuery(route.query, event) : undefined) as Parsed<R['query']>,
    path: (route.pathParams ? parsePath(route.pathParams, event) : undefined) as Parsed<R['pathParams']>,
    body: (route.body ? parseJsonBody(route.body, event) : undefined) as Parsed<R['body']>,
    event,
  };
}

/**
 * One metric per request (and per 4xx/5xx answer), dimensioned by route: what an operator graphs, and what
 * keeps Powertools from warning about an empty flush on every request.
 */
function requestMetrics(operation: string): MiddlewareObj<ApiEvent, ApiResult> {
  const count = (response: ApiResult | null | undefined) => {
    const status = response?.statusCode ?? 200;
    metrics.addDimension('route', operation);
    metrics.addMetric('apiRequests', MetricUnit.Count, 1);
    if (status >= 500) metrics.addMetric('apiServerErrors', MetricUnit.Count, 1);
    else if (status >= 400) metrics.addMetric('apiClientErrors', MetricUnit.Count, 1);
  };
  return { after: (request) => count(request.response), onError: (request) => count(request.response) };
}

/**
 * The handler of one route: the Lambda context in every log line, the request parsed by the route's schemas,
 * typed errors mapped to their status (`httpErrors`), and the route's metrics flushed. Every API function in
 * functions/ is built with it.
 */
export function apiHandler<R extends RouteSchemas>(route: R, handle: (input: RouteInput<R>) => Promise<ApiResult>) {
  return (
    middy<ApiEvent, ApiResult, Error, Context>()
      .use(injectLambdaContext(logger))
      .use(logMetrics(metrics))
      .use(requestMetrics(route.operationId))
      // Last, so that its onError runs first and the others see the mapped response.
      .use(httpErrors())
      .handler(async (event) => handle(parseRequest(route, event)))
  );
}
