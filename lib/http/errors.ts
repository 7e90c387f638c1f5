/**
 * Typed HTTP errors: lib code throws them, and the one error middleware (`httpErrors()` in ./middleware.ts)
 * maps them to `{"error": {code, message, details?}}` with their status. Anything else is a 500.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Bad input; `parameter` names the query/path parameter or body field at fault (`body` for the body as a whole). */
export class BadRequest extends HttpError {
  override name = 'BadRequest';
  constructor(
    readonly parameter: string,
    problem: string,
    details: Record<string, unknown> = {},
  ) {
    super(400, 'bad_request', `Invalid parameter "${parameter}": ${problem}`, { parameter, ...details });
  }
}

/** The addressed resource (job, target, route) does not exist. */
export class NotFound extends HttpError {
  override name = 'NotFound';
  constructor(message: string, details?: Record<string, unknown>) {
    super(404, 'not_found', message, details);
  }
}

/** A dependency (the table) cannot be reached right now; the client may retry. */
export class ServiceUnavailable extends HttpError {
  override name = 'ServiceUnavailable';
  constructor(message: string) {
    super(503, 'service_unavailable', message);
  }
}
