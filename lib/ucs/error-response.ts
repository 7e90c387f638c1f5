// Turning a failed UCS (or IAM) HTTP response into a typed error. The body is parsed defensively: UCS sends
// `{"error_code","error_msg"}`, other Huawei services `{"error":{"code","message"}}` or `{"code","message"}`,
// gateways plain text or HTML, and sometimes nothing at all.
import * as z from 'zod';
import {
  BadRequestError,
  ForbiddenError,
  InvalidResponseError,
  NotFoundError,
  ThrottledError,
  UnauthorizedError,
  UpstreamError,
  type UcsError,
  type UcsErrorInfo,
} from './errors';
import { THROTTLING_ERROR_CODE } from './retry-policy';

/** Longest plain-text body kept as `errorMsg` (an HTML error page is not worth more). */
const MAX_TEXT_MSG = 300;

const Scalar = z.union([z.string(), z.number()]).transform(String);
const ErrorFields = z.object({
  error_code: Scalar.optional(),
  error_msg: Scalar.optional(),
  errorCode: Scalar.optional(),
  errorMsg: Scalar.optional(),
  code: Scalar.optional(),
  message: Scalar.optional(),
  msg: Scalar.optional(),
});
const ErrorBody = ErrorFields.extend({ error: z.union([ErrorFields, z.string()]).optional() }).catch({});

/** What any error about a response carries: its status, the operation and the request id when sent. */
export function responseInfo(res: { status: number; requestId?: string }, operation: string): UcsErrorInfo & { status: number; operation: string } {
  return { status: res.status, operation, ...(res.requestId ? { requestId: res.requestId } : {}) };
}

/** The JSON of a response body; an InvalidResponseError (with `info`) when it is not JSON. */
export function responseJson(res: { text: string }, info: UcsErrorInfo & { operation: string }): unknown {
  try {
    return JSON.parse(res.text);
  } catch (err) {
    throw new InvalidResponseError(`${info.operation}: response body is not JSON`, info, { cause: err });
  }
}

/** Extracts `error_code` / `error_msg` from whatever body came back; never throws. */
export function parseUcsErrorBody(text: string): { errorCode?: string; errorMsg?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { errorMsg: trimmed.slice(0, MAX_TEXT_MSG) };
  }
  if (typeof json === 'string') return { errorMsg: json.slice(0, MAX_TEXT_MSG) };
  const body = ErrorBody.parse(json);
  const nested = typeof body.error === 'object' ? body.error : {};
  const errorCode = body.error_code ?? body.errorCode ?? nested.error_code ?? nested.code ?? body.code;
  const errorMsg =
    body.error_msg ?? body.errorMsg ?? nested.error_msg ?? nested.message ?? (typeof body.error === 'string' ? body.error : undefined) ?? body.message ?? body.msg;
  return { ...(errorCode !== undefined ? { errorCode } : {}), ...(errorMsg !== undefined ? { errorMsg: errorMsg.slice(0, MAX_TEXT_MSG) } : {}) };
}

/** The typed error for a non-2xx status: 429/UCS.01000002 → Throttled, 400 and other 4xx → BadRequest, 5xx → Upstream. */
export function ucsErrorFromResponse(info: UcsErrorInfo & { status: number }, suffix = ''): UcsError {
  const detail = [info.errorCode, info.errorMsg].filter(Boolean).join(' ');
  const message = `${info.operation ?? 'UCS call'} failed: HTTP ${info.status}${detail ? ` ${detail}` : ''}${suffix}`;
  if (info.status === 429 || info.errorCode === THROTTLING_ERROR_CODE) return new ThrottledError(message, info);
  switch (info.status) {
    case 401:
      return new UnauthorizedError(message, info);
    case 403:
      return new ForbiddenError(message, info);
    case 404:
      return new NotFoundError(message, info);
    default:
      return info.status >= 400 && info.status < 500 ? new BadRequestError(message, info) : new UpstreamError(message, info);
  }
}
