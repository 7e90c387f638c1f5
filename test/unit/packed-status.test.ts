import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as keys from '../../lib/store/keys';
import { packStatus, unpackStatus } from '../../lib/store/packed-status';
import { addRun, emptyAggregate, type StatusAggregate } from '../../lib/rollup/aggregate';

/** One status's figures from durations (undefined = a run without one), as the write path builds them. */
function figures(durations: readonly (number | undefined)[]): StatusAggregate {
  const agg = emptyAggregate();
  for (const d of durations) addRun(agg, 'failed', d);
  return agg.failed;
}

const comparable = (s: StatusAggregate) => ({ ...s, sketch: { zero: s.sketch.zeroCount, bins: [...s.sketch.bins].sort(([a], [b]) => a - b) } });

const duration = fc.oneof(
  fc.constant(undefined),
  fc.constant(0),
  fc.double({ min: 0.000001, max: 1e9, noNaN: true }),
  fc.integer({ min: 1, max: 7_200_000 }).map((ms) => ms / 1000),
);

describe('packed status figures', () => {
  it('round-trip exactly: counts, sum, min, max, the zero bin and every sketch bin', () => {
    fc.assert(
      fc.property(fc.array(duration, { maxLength: 300 }), (durations) => {
        const s = figures(durations);
        expect(comparable(unpackStatus(packStatus(s)))).toEqual(comparable(s));
      }),
    );
  });

  it('keep huge counts and negative bin indexes (sub-millisecond durations)', () => {
    const s = figures([0.002, 0.5, 3]);
    s.sketch.addBin(-300, 2 ** 40);
    s.runs += 2 ** 40;
    s.withDuration += 2 ** 40;
    expect(comparable(unpackStatus(packStatus(s)))).toEqual(comparable(s));
  });

  it('take about 2 bytes per bin plus 28 for the counts, sum, min and max', () => {
    const s = figures(Array.from({ length: 2000 }, (_, i) => 1000 + i * 37.5));
    const bins = s.sketch.bins.size;
    expect(bins).toBeGreaterThan(100);
    expect(packStatus(s).length).toBeLessThanOrEqual(3 * 3 + 1 + 24 + 3 + bins * 3);
  });

  const valid = packStatus(figures([1, 2, 0]));
  it.each([
    ['an unknown version', Uint8Array.from([2, ...valid.slice(1)]), /format version 2, expected 1/],
    ['no bytes at all', new Uint8Array(), /format version none/],
    ['a truncated sum', valid.slice(0, 8), /end inside sum at byte 5/],
    ['an unterminated varint', Uint8Array.from([1, 0x80]), /end inside the run count at byte 2/],
    ['unknown flags', Uint8Array.from([1, 0, 0, 0, 9]), /unknown flags 9/],
    ['trailing bytes', Uint8Array.from([...valid, 0]), /1 byte\(s\) after the last bin/],
    ['counts that disagree with the bins', Uint8Array.from([1, ...valid.slice(1, 2), 7, ...valid.slice(3)]), /disagree: 3 runs, 7 with a duration/],
  ])('refuse %s, naming the fault', (_what, bytes, message) => {
    expect(() => unpackStatus(bytes)).toThrow(message);
  });

  it('refuse to pack a fractional count', () => {
    const s = figures([1]);
    s.runs = 1.5;
    expect(() => packStatus(s)).toThrow(/cannot pack runs 1.5/);
  });
});

describe('rollup keys', () => {
  it('say what a rollup groups, with # inside scopes and keys (UCS type names are free text)', () => {
    const pk = keys.rollupPk('step', 'cluster', 'type=policy/A#B');
    const sk = keys.rollupSk('week', '2025-11-03', 'cluster#1');
    expect(keys.parseRollupKey(pk, sk)).toEqual({ level: 'step', attempts: 'all', grouping: 'cluster', scope: 'type=policy/A#B', granularity: 'week', bucket: '2025-11-03', key: 'cluster#1' });
    // First attempts have partitions of their own.
    expect(keys.parseRollupKey(keys.rollupPk('step', 'cluster', 'type=policy/A#B', 'first'), sk)).toMatchObject({ level: 'step', attempts: 'first', scope: 'type=policy/A#B' });
    expect(keys.parseRollupKey(keys.rollupPk('job', 'none', '*'), keys.rollupSk('hour', '2025-11-03T07', 'all'))).toMatchObject({ granularity: 'hour', bucket: '2025-11-03T07' });
  });

  it.each([
    ['JOB#policy#x', 'D#2025-11-03#all'],
    ['ROLLUP#job#bogus#*', 'D#2025-11-03#all'],
    ['ROLLUP#job#none#*', 'X#2025-11-03#all'],
    ['ROLLUP#job#none#*', 'LATEST'],
  ])('refuse %s / %s', (pk, sk) => {
    expect(keys.parseRollupKey(pk, sk)).toBeUndefined();
  });
});
