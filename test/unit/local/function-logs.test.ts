import { describe, expect, it } from 'vitest';
import { functionLogLine, lineSplitter } from '../../../lib/local/function-logs';

// What `npm start` prints of serverless-offline's output: the functions' own log lines, prefixed with their name.

const PREFIX = 'ucs-job-history-local-';

describe('functionLogLine', () => {
  it('prints a function\'s Powertools line as [name] LEVEL message, with its own fields and without the standard ones', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'unhandled error',
      timestamp: '2026-12-01T20:57:16.315Z',
      service: 'ucs-job-history',
      cold_start: false,
      function_arn: 'offline_invokedFunctionArn_for_ucs-job-history-local-statsDurations',
      function_memory_size: '256',
      function_name: 'ucs-job-history-local-statsDurations',
      function_request_id: 'e756cfab',
      sampling_rate: 0,
      route: 'GET /stats/durations',
      error: { name: 'RangeError', message: 'invalid stats window' },
    });
    expect(functionLogLine(line, PREFIX)).toBe(
      '[statsDurations] ERROR unhandled error {"route":"GET /stats/durations","error":{"name":"RangeError","message":"invalid stats window"}}',
    );
  });

  it('names a line logged outside a handler "lambda", and leaves serverless-offline\'s own output out', () => {
    expect(functionLogLine('{"level":"WARN","message":"config","service":"ucs-job-history"}', PREFIX)).toBe('[lambda] WARN config');
    for (const other of ['GET /health (λ: health)', '(λ: health) RequestId: 1  Duration: 12.3 ms', '{"_aws":{"Timestamp":1},"apiRequests":1}', '{not json}', '']) {
      expect(functionLogLine(other, PREFIX), other).toBeUndefined();
    }
  });
});

describe('lineSplitter', () => {
  it('joins chunks into whole lines and flushes the last one', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    split.push('{"a":');
    split.push('1}\n{"b"');
    split.push(':2}\npartial');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    split.flush();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', 'partial']);
  });
});
