import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationMs, formatIsoMicros, isoMicrosFromDate, parseUcsTime, type TimeValue } from '../../lib/jobs/time';

/** The ISO string of a time that must parse to a value. */
function iso(raw: string): string {
  return value(raw).iso;
}
function value(raw: string): TimeValue {
  const parsed = parseUcsTime(raw);
  if (!parsed.ok || !parsed.value) throw new Error(`expected ${raw} to parse to a value, got ${JSON.stringify(parsed)}`);
  return parsed.value;
}

describe('parseUcsTime: Go time.String()', () => {
  it('reads the seed form', () => {
    expect(iso('2023-07-31 13:16:22.100528 +0000 UTC')).toBe('2023-07-31T13:16:22.100528Z');
  });

  it('reads 0 to 9 fractional digits, truncating beyond microseconds', () => {
    expect(iso('2023-07-31 13:16:22 +0000 UTC')).toBe('2023-07-31T13:16:22.000000Z');
    expect(iso('2023-07-31 13:16:22.1 +0000 UTC')).toBe('2023-07-31T13:16:22.100000Z');
    expect(iso('2023-07-31 13:16:22.123456789 +0000 UTC')).toBe('2023-07-31T13:16:22.123456Z');
    expect(iso('2023-07-31 23:59:59.999999999 +0000 UTC')).toBe('2023-07-31T23:59:59.999999Z');
  });

  it('applies any numeric offset, whatever the zone abbreviation', () => {
    expect(iso('2025-11-10 12:59:03.5 +0545 +0545')).toBe('2025-11-10T07:14:03.500000Z');
    expect(iso('2025-11-10 04:14:03 -0300 -03')).toBe('2025-11-10T07:14:03.000000Z');
    expect(iso('2025-11-10 15:24:03.553733 +0800 CST')).toBe('2025-11-10T07:24:03.553733Z');
    expect(iso('2025-11-10 15:24:03.553733 +0800')).toBe('2025-11-10T07:24:03.553733Z');
    expect(iso('2025-01-01 01:00:00 +0200 EET')).toBe('2024-12-31T23:00:00.000000Z');
  });

  it('ignores a monotonic clock reading', () => {
    expect(iso('2023-07-31 13:16:22.123456789 +0000 UTC m=+0.0001')).toBe('2023-07-31T13:16:22.123456Z');
    expect(iso('2023-07-31 13:16:22 +0800 CST m=-12.000123456')).toBe('2023-07-31T05:16:22.000000Z');
  });
});

describe('parseUcsTime: RFC 3339', () => {
  it('reads the seed form and Z', () => {
    expect(iso('2025-11-10T15:24:03.553733+08:00')).toBe('2025-11-10T07:24:03.553733Z');
    expect(iso('2025-11-10T07:24:03Z')).toBe('2025-11-10T07:24:03.000000Z');
    expect(iso('2025-11-10t07:24:03.7z')).toBe('2025-11-10T07:24:03.700000Z');
  });

  it('applies +05:45 and -03:00 and keeps up to 6 of 9 digits', () => {
    expect(iso('2025-11-10T12:59:03.123456789+05:45')).toBe('2025-11-10T07:14:03.123456Z');
    expect(iso('2025-11-10T04:14:03.000001-03:00')).toBe('2025-11-10T07:14:03.000001Z');
  });

  it('gives the same instant for the same time in both forms', () => {
    expect(value('2025-11-10T15:24:03.553733+08:00').micros).toBe(value('2025-11-10 07:24:03.553733 +0000 UTC').micros);
  });
});

describe('parseUcsTime: not set and invalid', () => {
  it('reads Go zero times, empty strings, null and undefined as not set', () => {
    for (const raw of ['0001-01-01 00:00:00 +0000 UTC', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000000000Z', '', '  ', null, undefined]) {
      expect(parseUcsTime(raw)).toEqual({ ok: true });
    }
  });

  it('reports a problem, never throws, for anything else', () => {
    for (const raw of [
      'yesterday',
      '2025-11-10',
      '2025-13-01T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2025-11-10T24:00:00Z',
      '2025-11-10T23:59:60Z',
      '2025-11-10T10:00:00+24:00',
      '2025-11-10T10:00:00.1234567890Z',
      '2025-11-10 10:00:00 UTC',
      '1234-01-01T00:00:00Z',
      '0001-01-01T00:00:00.000001Z',
    ]) {
      const parsed = parseUcsTime(raw);
      expect(parsed.ok, raw).toBe(false);
      if (!parsed.ok) expect(parsed.problem.length).toBeGreaterThan(0);
    }
    expect(iso('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000000Z');
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const parsed = parseUcsTime(raw);
        if (parsed.ok && parsed.value) expect(parsed.value.iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      }),
    );
  });
});

describe('properties', () => {
  const instant = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true });

  it('agrees with Date for RFC 3339 at any whole-minute offset', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }), fc.integer({ min: 0, max: 999 }), (date, offsetMin, extraMicros) => {
        const local = new Date(date.getTime() + offsetMin * 60_000).toISOString(); // wall clock at that offset
        const sign = offsetMin < 0 ? '-' : '+';
        const abs = Math.abs(offsetMin);
        const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        const micros = `${local.slice(20, 23)}${String(extraMicros).padStart(3, '0')}`;
        const rfc = `${local.slice(0, 19)}.${micros}${offset}`;
        const go = `${local.slice(0, 10)} ${local.slice(11, 19)}.${micros}999 ${offset.replace(':', '')} ZZZ m=+1.5`;
        const expected = date.getTime() * 1000 + extraMicros;
        expect(value(rfc).micros).toBe(expected);
        expect(value(go).micros).toBe(expected);
      }),
    );
  });

  it('round-trips its own output', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8_000_000_000_000_000, max: 7_000_000_000_000_000 }), (micros) => {
        expect(value(formatIsoMicros(micros)).micros).toBe(micros);
      }),
    );
  });
});

describe('durationMs and isoMicrosFromDate', () => {
  it('keeps microsecond precision', () => {
    expect(durationMs(value('2025-11-10T15:24:03.553733+08:00'), value('2025-11-10T15:24:04.689462+08:00'))).toBe(1135.729);
    expect(durationMs(value('2025-11-10T15:24:04.689462+08:00'), value('2025-11-10T15:24:03.553733+08:00'))).toBe(-1135.729);
  });

  it('formats a Date with six digits', () => {
    expect(isoMicrosFromDate(new Date('2025-11-10T07:24:03.553Z'))).toBe('2025-11-10T07:24:03.553000Z');
  });
});
