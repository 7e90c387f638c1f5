import { describe, expect, it } from 'vitest';
import { discoverTargets } from '../../../lib/collect/discover';
import type { Target } from '../../../lib/jobs/target';
import type { UcsApi } from '../../../lib/ucs/api';
import { MemoryJobStore } from '../../support/memory-store';

// Discovery on the in-memory store: what it adds, what it leaves alone, and what it reads (issue 16, item 7:
// a pass must cost what UCS lists, not the history of every target ever watched).

const NOW = new Date('2026-01-05T00:00:00.000Z');

const retired = (id: string): Target => ({
  kind: 'policy-job',
  id,
  state: 'retired',
  addedAt: '2025-01-01T00:00:00.000Z',
  addedBy: 'discovery',
  consecutiveFailures: 0,
  nextPollAt: '2025-01-02T00:00:00.000Z',
  retiredAt: '2025-01-02T00:00:00.000Z',
  retiredReason: 'terminal for 24 h with no retry',
});

function ucs(fleets: string[], policyJobs: string[]): UcsApi {
  const unused = () => Promise.reject(new Error('discovery does not poll'));
  return { listFleetIds: () => Promise.resolve(fleets), listPolicyJobIds: () => Promise.resolve(policyJobs), getFederationProgress: unused, getPolicyJob: unused };
}

describe('discoverTargets', () => {
  it('adds what UCS lists and is new, never brings back a retired target, and writes nothing for known ids', async () => {
    const store = new MemoryJobStore({ targets: [retired('job-old')] });
    await store.addTarget('fleet', 'fleet-a', NOW.toISOString(), 'api');
    const first = await discoverTargets({ store, ucs: ucs(['fleet-a', 'fleet-b', 'fleet-b'], ['job-old', 'job-new']), now: () => NOW });
    expect(first).toEqual({ fleetsListed: 3, policyJobsListed: 2, added: 2, skipped: 0, failed: [] });
    expect(await store.getTarget('policy-job', 'job-old')).toMatchObject({ state: 'retired' });
    expect(await store.getTarget('fleet', 'fleet-a')).toMatchObject({ addedBy: 'api' });
    expect(await store.getTarget('fleet', 'fleet-b')).toMatchObject({ state: 'active', addedBy: 'discovery' });
    const again = await discoverTargets({ store, ucs: ucs(['fleet-a', 'fleet-b'], ['job-old', 'job-new']), now: () => NOW });
    expect(again.added).toBe(0);
  });

  it('looks up only the listed ids: its reads do not grow with the retired targets the watch list keeps', async () => {
    const listed = Array.from({ length: 50 }, (_, i) => `job-${i}`);
    const reads = async (history: number) => {
      const store = new MemoryJobStore({ targets: Array.from({ length: history }, (_, i) => retired(`job-ancient-${i}`)) });
      await discoverTargets({ store, ucs: ucs(['fleet-a'], listed), now: () => NOW });
      return store.reads;
    };
    const empty = await reads(0);
    const full = await reads(5_000);
    expect(full.targetLists, 'the watch list is never read whole').toBe(0);
    expect(full.targetsLookedUp).toBe(51);
    expect(full.targetsLookedUp).toBe(empty.targetsLookedUp);
  });

  it('keeps going when one listing fails, and says which', async () => {
    const store = new MemoryJobStore();
    const broken: UcsApi = { ...ucs(['fleet-a'], []), listPolicyJobIds: () => Promise.reject(new Error('UCS answered 500')) };
    const summary = await discoverTargets({ store, ucs: broken, now: () => NOW });
    expect(summary).toEqual({ fleetsListed: 1, policyJobsListed: 0, added: 1, skipped: 0, failed: ['policy-job: UCS answered 500'] });
  });

  it('skips a listed id that is not a UCS id, stores nothing for it and never looks it up', async () => {
    const store = new MemoryJobStore();
    const summary = await discoverTargets({ store, ucs: ucs(['fleet-a', '../clusters'], ['job\u202e', 'job-b']), now: () => NOW });
    expect(summary).toEqual({ fleetsListed: 2, policyJobsListed: 2, added: 2, skipped: 2, failed: [] });
    expect((await store.listTargets({ includeRetired: true })).map((t) => t.id).sort()).toEqual(['fleet-a', 'job-b']);
    expect(store.reads.targetsLookedUp).toBe(2);
  });
});
