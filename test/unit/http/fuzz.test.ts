import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { JobStore } from '../../../lib/store/port';
import { apiEvent, invoke } from '../../support/api-event';
import { MemoryJobStore } from '../../support/memory-store';
import { generateRuns } from '../../support/stats-oracle';

const holder = vi.hoisted(() => {
  process.env.TABLE_NAME = 'unit-test-table';
  // The local form of the cursor key (deployed: a generated Secrets Manager secret).
  process.env.CURSOR_KEY = 'unit-test-cursor-key-0123456789abcdef';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  return { store: undefined as unknown as JobStore };
});
vi.mock('../../../lib/store/default-store', () => ({ defaultJobStore: () => holder.store }));

const { API_ROUTES } = await import('../../../lib/http/routes');
const { ErrorBody } = await import('../../../lib/http/schemas');
const handlers: Record<string, Parameters<typeof invoke>[0]> = {
  'functions/list-alerts.handler': (await import('../../../functions/list-alerts')).handler,
  'functions/list-jobs.handler': (await import('../../../functions/list-jobs')).handler,
  'functions/get-job.handler': (await import('../../../functions/get-job')).handler,
  'functions/stats-durations.handler': (await import('../../../functions/stats-durations')).handler,
  'functions/stats-failure-rates.handler': (await import('../../../functions/stats-failure-rates')).handler,
  'functions/list-targets.handler': (await import('../../../functions/list-targets')).handler,
  'functions/add-target.handler': (await import('../../../functions/add-target')).handler,
  'functions/remove-target.handler': (await import('../../../functions/remove-target')).handler,
  'functions/openapi.handler': (await import('../../../functions/openapi')).handler,
  'functions/health.handler': (await import('../../../functions/health')).handler,
};

holder.store = new MemoryJobStore({ runs: generateRuns(5, 200, { from: '2025-11-01T00:00:00Z', to: '2025-11-08T00:00:00Z' }) });

// Names and values close to valid ones find more paths than pure noise; noise covers the rest.
const NAMES = ['level', 'groupBy', 'source', 'type', 'status', 'from', 'to', 'interval', 'compare', 'limit', 'cursor', 'fleetId', 'clusterId', 'kind', 'includeRetired', 'jobId', 'id'];
const VALUES = [
  'job', 'step', 'type', 'source', 'fleet', 'cluster', 'day', 'none', 'hour', 'previous', 'federation', 'policy',
  'succeeded', 'failed', 'timed_out', 'running', 'fleet', 'policy-job', 'true', 'false', '', ' ', '0', '1', '20', '100', '101',
  '-1', '1e3', 'NaN', '2025-11-03', '2025-11-02T07:24:03.553733Z', '2025-11-09T15:10:00+08:00', '2025-11-09T15:10:00-23:59',
  '1970-01-01', '9999-12-31T23:59:59.999999999Z', '2025-02-29', '0001-01-01T00:00:00Z', 'job-1', 'a/b', '%00', '__proto__', 'constructor',
];
const name = fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 12 }));
const value = fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 40 }), fc.integer().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
const query = fc.dictionary(name, value, { maxKeys: 6 });
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 60 }),
  fc.json(),
  fc.record({ kind: fc.oneof(value, fc.constantFrom('fleet', 'policy-job')), id: value }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);

describe('random requests never give a 500', () => {
  it.each(API_ROUTES.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s', async (_label, route) => {
    const handler = handlers[route.handler]!;
    const placeholders = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    await fc.assert(
      fc.asyncProperty(query, fc.tuple(value, value), body, async (q, pathValues, b) => {
        const pathParameters = placeholders.length ? Object.fromEntries(placeholders.map((p, i) => [p, pathValues[i] ?? ''])) : undefined;
        const event = apiEvent({ method: route.method.toUpperCase(), route: route.path, query: q, pathParameters, body: route.body ? b : undefined });
        const { status, body: answer } = await invoke(handler, event);
        expect(status).not.toBe(500);
        if (status >= 400) expect(ErrorBody.safeParse(answer).success).toBe(true);
        else expect(route.responses[status]?.schema.safeParse(answer).success, JSON.stringify(q)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

// Any two instants the parameter parser could take: every year from 1970 to 9999, any offset, with or without a
// time or a fraction. The engine handles [1970, 2201): the edge must refuse what falls outside, never 500.
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const instant = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1970, max: 1971 }), fc.integer({ min: 1970, max: 9999 }), fc.integer({ min: 2199, max: 2201 }), fc.integer({ min: 9998, max: 9999 })),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,9}$/)),
    zone: fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([s, h, m]) => `${s}${pad(h)}:${pad(m)}`)),
    dateOnly: fc.boolean(),
  })
  .map((p) => `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}${p.dateOnly ? '' : `T${pad(p.hour)}:${pad(p.minute)}:59${p.fraction}${p.zone}`}`);

describe('any pair of parseable dates answers 200 or 400, naming the bound', () => {
  const stats = API_ROUTES.filter((r) => r.path.startsWith('/stats/') || r.path === '/jobs');
  it.each(stats.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s', async (_label, route) => {
    const handler = handlers[route.handler]!;
    const extras = route.path === '/jobs' ? fc.constant({}) : fc.record({ compare: fc.constant('previous'), interval: fc.constantFrom('day', 'hour') }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(fc.option(instant, { nil: undefined }), fc.option(instant, { nil: undefined }), extras, async (from, to, more) => {
        const query = { ...(from && { from }), ...(to && { to }), ...more };
        const { status, body: answer } = await invoke(handler, apiEvent({ method: 'GET', route: route.path, query }));
        expect([200, 400], JSON.stringify(query)).toContain(status);
        if (status === 400) expect(['from', 'to', 'interval'], JSON.stringify(answer)).toContain(answer.error.details.parameter);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['/stats/failure-rates', { to: '1970-01-02' }, 'to', /before 1970-01-01T00:00:00Z \(from defaults to 7 days before to\)/],
    ['/stats/durations', { to: '1970-01-01T00:00:00+23:59' }, 'to', /years 1970\.\.2200/],
    ['/stats/durations', { to: '9999-12-31T23:59:59-23:59' }, 'to', /years 1970\.\.2200/],
    ['/stats/durations', { from: '9999-12-30', to: '9999-12-31T23:59:59.999999Z', interval: 'day', compare: 'previous' }, 'from', /years 1970\.\.2200/],
    ['/stats/durations', { from: '1970-01-03', to: '1970-01-05', compare: 'previous' }, 'from', /compare=previous needs the window .* which would start at 1970-01-01T00:00:00.000000Z/],
    ['/stats/durations', { from: '1970-01-03', to: '1970-01-06', compare: 'previous' }, 'from', /compare=previous .* start at 1969-12-31T00:00:00.000Z, before 1970/],
  ] as const)('GET %s %o answers 400 naming %s', async (path, query, parameter, message) => {
    const route = API_ROUTES.find((r) => r.path === path)!;
    const { status, body: answer } = await invoke(handlers[route.handler]!, apiEvent({ method: 'GET', route: path, query }));
    if (message.source.includes('which would start at 1970-01-01T00:00:00.000000Z')) {
      // Exactly at the epoch is still inside the range: this one is fine.
      expect(status).toBe(200);
      return;
    }
    expect(status).toBe(400);
    expect(answer.error.details.parameter).toBe(parameter);
    expect(answer.error.message).toMatch(message);
  });

  it('answers the far end of the range to the microsecond: the last day of 2200, compared with the day before', async () => {
    const route = API_ROUTES.find((r) => r.path === '/stats/durations')!;
    const query = { from: '2200-12-30', to: '2200-12-31T23:59:59.999999Z', interval: 'day', compare: 'previous' };
    const { status, body: answer } = await invoke(handlers[route.handler]!, apiEvent({ method: 'GET', route: route.path, query }));
    expect(status, JSON.stringify(answer)).toBe(200);
    expect(answer).toMatchObject({ from: '2200-12-30T00:00:00.000000Z', to: '2200-12-31T23:59:59.999999Z', previous: { from: '2200-12-28T00:00:00.000001Z' }, groups: [] });
  });
});
