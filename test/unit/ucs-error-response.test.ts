import { describe, expect, it } from 'vitest';
import { parseUcsErrorBody, ucsErrorFromResponse } from '../../lib/ucs/error-response';
import { BadRequestError, ForbiddenError, NotFoundError, ThrottledError, UnauthorizedError, UpstreamError } from '../../lib/ucs/errors';

describe('parseUcsErrorBody', () => {
  it.each([
    ['UCS shape', '{"error_code":"UCS.00000013","error_msg":"clustergroup not found"}', { errorCode: 'UCS.00000013', errorMsg: 'clustergroup not found' }],
    ['nested error object', '{"error":{"code":"APIGW.0301","message":"Incorrect IAM authentication information"}}', { errorCode: 'APIGW.0301', errorMsg: 'Incorrect IAM authentication information' }],
    ['code/message', '{"code":"403","message":"forbidden"}', { errorCode: '403', errorMsg: 'forbidden' }],
    ['numeric code', '{"code":429,"message":"slow down"}', { errorCode: '429', errorMsg: 'slow down' }],
    ['error as string', '{"error":"bad thing"}', { errorMsg: 'bad thing' }],
    ['JSON string', '"just a string"', { errorMsg: 'just a string' }],
    ['plain text', '  Service Unavailable \n', { errorMsg: 'Service Unavailable' }],
    ['empty', '', {}],
    ['whitespace', '   ', {}],
    ['unrelated JSON', '{"foo":1}', {}],
    ['JSON array', '[1,2]', {}],
    ['JSON null', 'null', {}],
    ['wrong field types', '{"error_code":{"x":1},"error_msg":["a"]}', {}],
  ])('%s', (_name, body, expected) => {
    expect(parseUcsErrorBody(body)).toEqual(expected);
  });

  it('truncates long plain-text bodies', () => {
    expect(parseUcsErrorBody(`<html>${'x'.repeat(5000)}</html>`).errorMsg!.length).toBeLessThanOrEqual(300);
  });
});

describe('ucsErrorFromResponse', () => {
  it.each([
    [400, undefined, BadRequestError],
    [409, undefined, BadRequestError],
    [401, undefined, UnauthorizedError],
    [403, undefined, ForbiddenError],
    [404, 'UCS.00000013', NotFoundError],
    [429, 'UCS.01000002', ThrottledError],
    [400, 'UCS.01000002', ThrottledError],
    [500, undefined, UpstreamError],
    [503, undefined, UpstreamError],
  ])('HTTP %i %s → %o', (status, errorCode, type) => {
    const err = ucsErrorFromResponse({ status, errorCode, errorMsg: 'msg', requestId: 'req-1', operation: 'GET /v1/policy/jobs/x' });
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ status, errorCode, errorMsg: 'msg', requestId: 'req-1', operation: 'GET /v1/policy/jobs/x' });
    expect(err.message).toContain(`HTTP ${status}`);
  });
});
