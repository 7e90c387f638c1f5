import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationSketch, packBins, unpackBins } from '../../../lib/stats/sketch';

const binMap = fc
  .array(fc.tuple(fc.integer({ min: -400, max: 1200 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })), { maxLength: 300 })
  .map((pairs) => new Map(pairs));

describe('packed sketch bins', () => {
  it('round-trip any bins, negative indexes and huge counts included', () => {
    fc.assert(
      fc.property(binMap, (bins) => {
        const back = unpackBins(packBins(bins), new DurationSketch());
        expect([...back.bins].sort(([a], [b]) => a - b)).toEqual([...bins].sort(([a], [b]) => a - b));
      }),
    );
  });

  it('add to the bins already in the sketch (packed plus loose bins of one rollup item)', () => {
    const sketch = new DurationSketch().addBin(5, 2).addBin(-3, 1);
    unpackBins(packBins(new Map([[5, 10], [7, 1]])), sketch);
    expect(Object.fromEntries(sketch.bins)).toEqual({ 5: 12, 7: 1, [-3]: 1 });
    expect(sketch.count).toBe(14);
  });

  it('take 2 to 3 bytes per bin for the counts a rollup holds', () => {
    const bins = new Map(Array.from({ length: 180 }, (_, i) => [i * 2 + 100, 1 + ((i * 37) % 200)] as [number, number]));
    const bytes = packBins(bins).length;
    expect(bytes).toBeLessThanOrEqual(2 + 180 * 3);
    expect(bytes).toBeGreaterThanOrEqual(180 * 2);
  });

  it('leave out empty bins', () => {
    expect([...unpackBins(packBins(new Map([[1, 0], [2, 3]])), new DurationSketch()).bins]).toEqual([[2, 3]]);
  });

  it.each([
    ['an unknown version', Uint8Array.from([2, 0]), /format version 2/],
    ['no bytes at all', new Uint8Array(), /format version none/],
    ['a truncated bin', Uint8Array.from([1, 2, 4, 1, 2]), /end inside bin 1's count/],
    ['an unterminated varint', Uint8Array.from([1, 1, 0x80]), /end inside bin 0's index/],
    ['a repeated index', Uint8Array.from([1, 2, 4, 1, 0, 1]), /repeat an index at bin 1/],
    ['an empty bin', Uint8Array.from([1, 1, 4, 0]), /empty bin at bin 0/],
    ['trailing bytes', Uint8Array.from([1, 1, 4, 1, 9]), /1 byte\(s\) after the last bin/],
  ])('refuse %s, naming it, and leave the sketch untouched', (_what, bytes, message) => {
    const sketch = new DurationSketch().addBin(2, 1);
    expect(() => unpackBins(bytes, sketch)).toThrow(message);
    expect([...sketch.bins]).toEqual([[2, 1]]);
  });

  it('refuse to pack a fractional count', () => {
    expect(() => packBins(new Map([[1, 1.5]]))).toThrow(/bin 1 with count 1.5/);
  });
});
