import { beforeEach, describe, expect, it, vi } from 'vitest';
import { alertEvent, newAlertId, type Alert } from '../../../lib/jobs/alert';
import type { JobStore } from '../../../lib/store/port';
import { apiEvent, invoke } from '../../support/api-event';
import { MemoryJobStore } from '../../support/memory-store';

const holder = vi.hoisted(() => {
  process.env.TABLE_NAME = 'unit-test-table';
  process.env.CURSOR_KEY = 'unit-test-cursor-key-0123456789abcdef';
  return { store: undefined as unknown as JobStore };
});
vi.mock('../../../lib/store/default-store', () => ({ defaultJobStore: () => holder.store }));

const { handler: listAlerts } = await import('../../../functions/list-alerts');
const { AlertPageBody, ErrorBody } = await import('../../../lib/http/schemas');

const alert = (i: number, kind: Alert['kind'], closed: boolean): Alert => {
  const openedAt = `2025-11-${String(1 + i).padStart(2, '0')}T10:15:00.000000Z`;
  const key = `policy/Type${i}`;
  return {
    alertId: newAlertId(`${kind}|job|type|${key}`, openedAt),
    kind,
    level: 'job',
    groupBy: 'type',
    key,
    openedAt,
    ...(closed && { closedAt: `2025-11-${String(1 + i).padStart(2, '0')}T14:15:00.000000Z`, closedReason: 'the rule no longer holds' }),
    current: { total: 10, succeeded: 2, failed: 8, timedOut: 0, failureRate: 0.8, ci95: [0.49, 0.94] },
    baseline: { total: 70, succeeded: 63, failed: 7, timedOut: 0, failureRate: 0.1, ci95: [0.05, 0.19] },
    reason: 'failure rate 80 % ...',
  };
};

const get = (query: Record<string, string> = {}) => apiEvent({ method: 'GET', route: '/alerts', query });

beforeEach(async () => {
  const store = new MemoryJobStore();
  for (let i = 0; i < 6; i++) {
    const a = alert(i, i % 3 === 0 ? 'duration-regression' : 'failure-rate-spike', false);
    await store.openAlert(a, alertEvent(a, 'opened'));
    if (i % 2 === 0) {
      const closed = alert(i, a.kind, true);
      await store.closeAlert(closed, alertEvent(closed, 'closed'));
    }
  }
  holder.store = store;
});

describe('GET /alerts', () => {
  it('lists open alerts by default, newest first, in the documented shape', async () => {
    const { status, body } = await invoke(listAlerts, get());
    expect(status).toBe(200);
    expect(AlertPageBody.safeParse(body).error).toBeUndefined();
    expect(body.items.map((a: Alert) => a.key)).toEqual(['policy/Type5', 'policy/Type3', 'policy/Type1']);
    expect(body.items.every((a: Alert) => a.closedAt === undefined)).toBe(true);
  });

  it('state=all adds the closed ones; kind and the openedAt window filter', async () => {
    expect((await invoke(listAlerts, get({ state: 'all' }))).body.items).toHaveLength(6);
    const spikes = await invoke(listAlerts, get({ state: 'all', kind: 'duration-regression' }));
    expect(spikes.body.items.map((a: Alert) => a.key)).toEqual(['policy/Type3', 'policy/Type0']);
    const window = await invoke(listAlerts, get({ state: 'all', from: '2025-11-02', to: '2025-11-04T10:15:00Z' }));
    // [from, to): opened at exactly `to` is left out.
    expect(window.body.items.map((a: Alert) => a.key)).toEqual(['policy/Type2', 'policy/Type1']);
  });

  it('pages with a sealed cursor that only fits its own filters', async () => {
    const first = await invoke(listAlerts, get({ state: 'all', limit: '4' }));
    expect(first.body.items).toHaveLength(4);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await invoke(listAlerts, get({ state: 'all', limit: '4', cursor: first.body.nextCursor }));
    expect(second.body.items.map((a: Alert) => a.key)).toEqual(['policy/Type1', 'policy/Type0']);
    expect(second.body.nextCursor).toBeUndefined();
    const other = await invoke(listAlerts, get({ state: 'open', limit: '4', cursor: first.body.nextCursor }));
    expect(other.status).toBe(400);
    expect(other.body.error.details.parameter).toBe('cursor');
    const tampered = await invoke(listAlerts, get({ state: 'all', cursor: `${first.body.nextCursor.slice(0, -2)}AA` }));
    expect(tampered.body.error.details.parameter).toBe('cursor');
  });

  it.each([
    ['a bad state', { state: 'closed' }, 'state'],
    ['a bad kind', { kind: 'outage' }, 'kind'],
    ['a bad from', { from: 'yesterday' }, 'from'],
    ['a bad to', { to: '2025-02-30T00:00:00Z' }, 'to'],
    ['from = to', { from: '2025-11-02', to: '2025-11-02' }, 'from'],
    ['from > to', { from: '2025-11-03', to: '2025-11-02' }, 'from'],
    ['a bad limit', { limit: '0' }, 'limit'],
    ['an unknown parameter', { level: 'job' }, 'level'],
  ])('%s answers 400 naming the parameter', async (_what, query, parameter) => {
    const { status, body } = await invoke(listAlerts, get(query));
    expect(status).toBe(400);
    expect(ErrorBody.safeParse(body).error).toBeUndefined();
    expect(body.error.details.parameter).toBe(parameter);
  });
});
