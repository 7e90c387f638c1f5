/** What UCS said about a failed call, parsed defensively from whatever body came back. */
export interface UcsErrorInfo {
  /** HTTP status, absent for network errors and timeouts. */
  status?: number;
  /** UCS `error_code`, e.g. `UCS.00000013`. */
  errorCode?: string;
  /** UCS `error_msg`, or the plain-text body. */
  errorMsg?: string;
  /** The `X-Request-Id` response header, when present. */
  requestId?: string;
  /** The method and path that failed (never the query string's secrets, never headers). */
  operation?: string;
}

/** Base of every typed error the UCS client raises. */
export abstract class UcsError extends Error {
  abstract readonly code: 'NotFound' | 'Unauthorized' | 'Forbidden' | 'BadRequest' | 'Throttled' | 'Upstream' | 'InvalidResponse' | 'InvalidId';
  readonly status?: number;
  readonly errorCode?: string;
  readonly errorMsg?: string;
  readonly requestId?: string;
  readonly operation?: string;

  constructor(message: string, info: UcsErrorInfo = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.status = info.status;
    this.errorCode = info.errorCode;
    this.errorMsg = info.errorMsg;
    this.requestId = info.requestId;
    this.operation = info.operation;
  }

  /** A log-safe summary (no headers, no credentials). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      errorCode: this.errorCode,
      errorMsg: this.errorMsg,
      requestId: this.requestId,
      operation: this.operation,
    };
  }
}

/** 404: the fleet or job does not exist (UCS.00000013). */
export class NotFoundError extends UcsError {
  readonly code = 'NotFound' as const;
}
/** 401 after the one token refresh, or a rejected signature. */
export class UnauthorizedError extends UcsError {
  readonly code = 'Unauthorized' as const;
}
/** 403: the credentials lack permission. */
export class ForbiddenError extends UcsError {
  readonly code = 'Forbidden' as const;
}
/** 400: UCS rejected the request. */
export class BadRequestError extends UcsError {
  readonly code = 'BadRequest' as const;
}
/** 429 / UCS.01000002 that outlived the retries. */
export class ThrottledError extends UcsError {
  readonly code = 'Throttled' as const;
}
/** 5xx, network error or timeout that outlived the retries or the deadline. */
export class UpstreamError extends UcsError {
  readonly code = 'Upstream' as const;
}
/** A 2xx body that is not JSON or does not match the schema; `path` names the failing field. */
export class InvalidResponseError extends UcsError {
  readonly code = 'InvalidResponse' as const;
  readonly path?: string;
  constructor(message: string, info: UcsErrorInfo & { path?: string } = {}, options?: { cause?: unknown }) {
    super(message, info, options);
    this.path = info.path;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path };
  }
}
/** An id that is not a UCS id (lib/ucs/ids.ts): refused before any request, so it never becomes a URL path. */
export class InvalidIdError extends UcsError {
  readonly code = 'InvalidId' as const;
}
