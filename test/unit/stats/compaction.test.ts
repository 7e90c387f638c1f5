import { describe, expect, it } from 'vitest';
import { compactionRange, compactRollups } from '../../../lib/stats/compaction';
import { MemoryJobStore } from '../../support/memory-store';
import { generateRuns } from '../../support/stats-oracle';
import { formatIsoMicros, parseInstantMicros } from '../../../lib/jobs/time';
import { rollupSlots, sourceScope, typeKey, typeScope } from '../../../lib/rollup/groups';

const us = (iso: string) => parseInstantMicros(iso)!;
const NOW = us('2025-11-10T13:45:10.5Z');

describe('compactionRange', () => {
  it('defaults to the start of yesterday (UTC) until now, also for a bare EventBridge event', () => {
    for (const event of [undefined, {}, { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2025-11-10T13:45:00Z' }]) {
      const range = compactionRange(event, NOW);
      expect([formatIsoMicros(range.from), formatIsoMicros(range.to)]).toEqual(['2025-11-09T00:00:00.000000Z', '2025-11-10T13:45:10.500000Z']);
    }
  });

  it('takes an explicit range with any offset', () => {
    const range = compactionRange({ from: '2025-10-01', to: '2025-10-31T02:00:00+02:00' }, NOW);
    expect([formatIsoMicros(range.from), formatIsoMicros(range.to)]).toEqual(['2025-10-01T00:00:00.000000Z', '2025-10-31T00:00:00.000000Z']);
  });

  it.each([
    [{ from: 'yesterday' }, /from: "yesterday" is not an ISO 8601 time/],
    [{ to: '2025-13-01' }, /to: "2025-13-01" is not an ISO 8601 time/],
    [{ from: '2025-11-10T14:00:00Z' }, /from must be before to/],
    [{ from: 3 }, /from: .*string/i],
    [{ form: '2025-11-01' }, /invalid compaction event: .*form/],
    ['now', /invalid compaction event: event/],
  ])('refuses %j, naming the problem', (event, message) => {
    expect(() => compactionRange(event, NOW)).toThrow(message);
  });
});

describe('compactRollups', () => {
  const runs = generateRuns(3, 400, { from: '2025-11-09T00:00:00Z', to: '2025-11-11T00:00:00Z' });

  it('visits exactly the partitions the write path feeds, in the buckets that overlap the range', async () => {
    const store = new MemoryJobStore({ runs });
    const summary = await compactRollups(store, { from: us('2025-11-09T22:30:00Z'), to: us('2025-11-10T01:00:00Z') });

    const asked = new Set(store.compactions);
    expect(asked.size).toBe(store.compactions.length); // none twice
    // The range runs from a Sunday into a Monday: two weeks, two days, three hours.
    const buckets = { week: '2025-11-03|2025-11-17', day: '2025-11-09|2025-11-11', hour: '2025-11-09T22|2025-11-10T01' };
    // Every partition some run of the window feeds is compacted in both granularities.
    for (const run of runs.filter((r) => r.belongsAt >= '2025-11-09T22' && r.belongsAt < '2025-11-10T01')) {
      for (const slot of rollupSlots(run)) {
        const level = slot.attempts === 'first' ? `${run.level}|first` : run.level;
        for (const g of ['week', 'day', 'hour'] as const) expect(asked, `${level} ${slot.grouping} ${slot.scope}`).toContain(`${level}|${slot.grouping}|${slot.scope}|${g}|${buckets[g]}`);
      }
    }
    // Fleet and cluster scopes: '*', each source, each type key seen in the range; clusters at step level only.
    const stepTypes = new Set(runs.filter((r) => r.level === 'step' && r.belongsAt >= '2025-11-09' && r.belongsAt < '2025-11-11').map(typeKey));
    const stepClusterScopes = store.compactions.filter((c) => c.startsWith('step|cluster|') && c.endsWith(buckets.day)).map((c) => c.split('|')[2]);
    expect(stepClusterScopes.sort()).toEqual(['*', sourceScope('federation'), sourceScope('policy'), ...[...stepTypes].map(typeScope)].sort());
    expect(store.compactions.some((c) => c.startsWith('job|cluster|'))).toBe(false);
    expect(summary.partitions).toBe(store.compactions.length);
    expect(summary.examined).toBeGreaterThan(0);
    expect([summary.from, summary.to]).toEqual(['2025-11-09T22:00:00Z', '2025-11-10T01:00:00Z']);
  });
});
