import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { JobStore } from '../../../lib/store/port';
import { apiEvent, invoke } from '../../support/api-event';
import { MemoryJobStore } from '../../support/memory-store';
import { generateRuns } from '../../support/stats-oracle';

const holder = vi.hoisted(() => {
  process.env.TABLE_NAME = 'unit-test-table';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  return { store: undefined as unknown as JobStore };
});
vi.mock('../../../lib/store/default-store', () => ({ defaultJobStore: () => holder.store }));

const { API_ROUTES } = await import('../../../lib/http/routes');
const { ErrorBody } = await import('../../../lib/http/schemas');
const handlers: Record<string, Parameters<typeof invoke>[0]> = {
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
