import { describe, expect, it } from 'vitest';
import { seriesBuckets } from '../../../lib/stats/window';
import { formatIsoMicros, parseInstantMicros } from '../../../lib/jobs/time';

describe('parseInstantMicros / formatIsoMicros', () => {
  it.each([
    ['2025-11-10T07:24:03.553733Z', '2025-11-10T07:24:03.553733Z'],
    ['2025-11-10T15:24:03.553733+08:00', '2025-11-10T07:24:03.553733Z'],
    ['2025-11-10T07:24:03.5537339Z', '2025-11-10T07:24:03.553733Z'],
    ['2025-11-10T07:24:03Z', '2025-11-10T07:24:03.000000Z'],
    ['2025-11-10T07:24Z', '2025-11-10T07:24:00.000000Z'],
    ['2025-11-10t07:24:03.1-0130', '2025-11-10T08:54:03.100000Z'],
    ['2025-11-10', '2025-11-10T00:00:00.000000Z'],
    ['2024-02-29T23:59:59.999999Z', '2024-02-29T23:59:59.999999Z'],
    // The supported range is [1970-01-01, 2201-01-01) once the offset is applied (epoch µs stay exact).
    ['1970-01-01T01:00:00+01:00', '1970-01-01T00:00:00.000000Z'],
    ['2200-12-31T23:59:59.999999Z', '2200-12-31T23:59:59.999999Z'],
  ])('%s → %s', (input, expected) => {
    expect(formatIsoMicros(parseInstantMicros(input)!)).toBe(expected);
  });

  it('keeps microseconds that a Date would lose', () => {
    expect(parseInstantMicros('2025-11-10T07:24:03.553734Z')! - parseInstantMicros('2025-11-10T07:24:03.553733Z')!).toBe(1);
  });

  it.each(['', 'yesterday', '2025-11-10T07:24:03', '2025-13-01', '2025-02-29', '2025-11-31', '2025-11-10T24:00:00Z', '2025-11-10T07:60Z', '2025-11-10T07:24:03+24:00', '0001-01-01T00:00:00Z', '2025-11-10 07:24:03.1 +0000 UTC', '12345-01-01', '1970-01-01T00:59:59.5+01:00', '2201-01-01T00:00:00Z', '2200-12-31T23:59:59-00:01', '9999-12-31T23:59:59Z'])(
    'rejects %j',
    (input) => {
      expect(parseInstantMicros(input)).toBeUndefined();
    },
  );
});

describe('seriesBuckets', () => {
  it('clips the first and last bucket to the window', () => {
    const from = parseInstantMicros('2025-11-10T07:30:00Z')!;
    const to = parseInstantMicros('2025-11-10T09:15:00Z')!;
    expect(seriesBuckets({ from, to }, 3_600_000_000).map((b) => [formatIsoMicros(b.from).slice(11, 16), formatIsoMicros(b.to).slice(11, 16)])).toEqual([
      ['07:30', '08:00'],
      ['08:00', '09:00'],
      ['09:00', '09:15'],
    ]);
  });
});
