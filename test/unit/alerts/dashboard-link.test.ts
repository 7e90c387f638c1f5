import { describe, expect, it } from 'vitest';
import { dashboardUrl } from '../../../lib/alerts/evaluate';
import { readState, STATE_KEYS, windowOf } from '../../../lib/dashboard/state';

// An alert's link must open the dashboard on its subject: read with the page's own URL parser, every parameter is
// one the page knows, and the view it names is the group's.

const API = 'https://api.example';
const FROM = '2025-11-01T01:00:00.000000Z';
const TO = '2025-11-09T01:00:00.000000Z';
const stateOf = (url: string | undefined) => {
  const { pathname, search } = new URL(url!);
  expect(pathname).toBe('/dashboard/');
  for (const key of new URLSearchParams(search).keys()) expect(STATE_KEYS as readonly string[], `parameter ${key}`).toContain(key);
  return readState(search);
};

describe('the dashboard link of an alert', () => {
  it('opens the overview of a type group over both windows, at its level', () => {
    const state = stateOf(dashboardUrl(API, { level: 'step', groupBy: 'type', from: FROM, to: TO, key: 'policy/UpdateConstraint' }));
    expect(state).toEqual({ range: 'custom', from: FROM, to: TO, level: 'step', source: 'policy', type: 'UpdateConstraint' });
    expect(windowOf(state)).toMatchObject({ from: FROM, to: TO, interval: 'day' });
  });

  it('opens the jobs explorer of a fleet or a cluster, and the job page of an overdue job', () => {
    expect(stateOf(dashboardUrl(API, { level: 'job', groupBy: 'fleet', from: FROM, to: TO, key: 'fleet-a' }))).toEqual({ view: 'jobs', fleetId: 'fleet-a' });
    expect(stateOf(dashboardUrl(API, { level: 'step', groupBy: 'cluster', from: FROM, to: TO, key: 'be72df63-7dfa-426d-acc9-6c426c4e979c' }))).toEqual({ view: 'jobs', clusterId: 'be72df63-7dfa-426d-acc9-6c426c4e979c' });
    expect(stateOf(dashboardUrl(API, { level: 'job', groupBy: 'job', from: FROM, to: TO, key: 'policy/c7678551-1f7e-4699-9ea1-3baa2d32f552#2' }))).toEqual({ view: 'job', source: 'policy', jobId: 'c7678551-1f7e-4699-9ea1-3baa2d32f552' });
  });

  it('is absent without the API URL', () => {
    expect(dashboardUrl(undefined, { level: 'job', groupBy: 'type', from: FROM, to: TO, key: 'policy/x' })).toBeUndefined();
  });
});
