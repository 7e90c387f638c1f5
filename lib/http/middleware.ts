import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../observability';
import { HttpError } from './errors';
import type { ErrorBody } from './schemas';

/** Every API answer is JSON and must not be cached by intermediaries (the data changes every poll). */
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** A JSON response with `status` and `body`. */
export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/** The error body for an HttpError. */
export function errorBody(error: HttpError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) } };
}

/**
 * The one error middleware of the API: typed HttpErrors become `{"error": {code, message, details?}}` with their
 * status; anything else is logged and answers a generic 500 (internals never reach the client).
 */
export function httpErrors(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof HttpError) {
        if (error.statusCode >= 500) logger.warn('request failed', { error });
        else logger.info('request rejected', { code: error.code, message: error.message });
        request.response = jsonResponse(error.statusCode, errorBody(error));
        return;
      }
      logger.error('unhandled error', { error: error ?? undefined, route: request.event.routeKey });
      request.response = jsonResponse(500, { error: { code: 'internal', message: 'Internal server error' } } satisfies ErrorBody);
    },
  };
}
