// UCS sends times in two forms: Go's `time.String()` (`2023-07-31 13:16:22.100528 +0000 UTC`, maybe with a
// monotonic ` m=+0.000123456` suffix) and RFC 3339 (`2025-11-10T15:24:03.553733+08:00`). Both become an
// instant in epoch microseconds, output as ISO 8601 UTC with exactly six fractional digits.
// Hand-written rather than a date library: two regexes and integer arithmetic, nothing for the Lambda bundle.
//
// Fractions beyond microseconds are truncated, not rounded: that is what Go's Truncate(time.Microsecond)
// does, it never moves an instant across a second boundary, and the same instant written with 6 or 9
// digits gives the same value.

/** An instant with microsecond precision. */
export interface TimeValue {
  /** Microseconds since the Unix epoch (exact: the supported range stays well inside 2^53). */
  micros: number;
  /** ISO 8601 UTC with six fractional digits, e.g. `2025-11-10T07:24:03.553733Z`. */
  iso: string;
}

/** The outcome of parsing one UCS time: a value, "not set" (`value` absent), or a problem. */
export type TimeParse = { ok: true; value?: TimeValue } | { ok: false; problem: string };

// Go: date, time, optional fraction, numeric offset without colon, optional zone abbreviation (absent,
// `UTC`, `CST`, `+08`, …: anything but the monotonic reading), optional monotonic reading.
const GO_FORM =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-])(\d{2})(\d{2})(?: (?!m=)\S+)?(?: m=[+-]\d+(?:\.\d+)?)?$/;
// RFC 3339 (`T`, `t` or a space between date and time, as RFC 3339 section 5.6 allows).
const RFC3339_FORM = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix seconds: means "never set". */
const GO_ZERO_SECONDS = -62_135_596_800;

// Instants outside this range are rejected: they are not real job times, and epoch microseconds stay
// exact doubles only within about ±285 years of 1970.
const MIN_YEAR = 1700;
const MAX_YEAR = 2200;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const MIN_MICROS = daysFromCivil(MIN_YEAR, 1, 1) * 86_400 * 1_000_000;
const MAX_MICROS = daysFromCivil(MAX_YEAR + 1, 1, 1) * 86_400 * 1_000_000;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: string;
  offsetSign: string;
  offsetHours: number;
  offsetMinutes: number;
}

function matchParts(raw: string): Parts | undefined {
  const go = GO_FORM.exec(raw);
  if (go) {
    const [, y, mo, d, h, mi, s, f, sign, oh, om] = go;
    return {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour: Number(h),
      minute: Number(mi),
      second: Number(s),
      fraction: f ?? '',
      offsetSign: sign ?? '+',
      offsetHours: Number(oh),
      offsetMinutes: Number(om),
    };
  }
  const rfc = RFC3339_FORM.exec(raw);
  if (rfc) {
    const [, y, mo, d, h, mi, s, f, zulu, sign, oh, om] = rfc;
    return {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour: Number(h),
      minute: Number(mi),
      second: Number(s),
      fraction: f ?? '',
      offsetSign: zulu ? '+' : (sign ?? '+'),
      offsetHours: zulu ? 0 : Number(oh),
      offsetMinutes: zulu ? 0 : Number(om),
    };
  }
  return undefined;
}

/**
 * Parses a UCS time (Go `time.String()` or RFC 3339, any offset, 0–9 fractional digits). Go's zero time,
 * `''`, `null` and `undefined` are "not set" (`{ok: true}` without a value). Never throws.
 */
export function parseUcsTime(raw: string | null | undefined): TimeParse {
  if (raw === null || raw === undefined) return { ok: true };
  const text = raw.trim();
  if (text === '') return { ok: true };
  const p = matchParts(text);
  if (!p) return { ok: false, problem: 'not a Go time.String() or RFC 3339 time' };
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysInMonth(p.year, p.month)) {
    return { ok: false, problem: 'no such calendar date' };
  }
  // Go never prints a leap second; RFC 3339's :60 is rejected rather than silently rolled over.
  if (p.hour > 23 || p.minute > 59 || p.second > 59) return { ok: false, problem: 'no such time of day' };
  if (p.offsetHours > 23 || p.offsetMinutes > 59) return { ok: false, problem: 'invalid UTC offset' };

  const offsetSeconds = (p.offsetSign === '-' ? -1 : 1) * (p.offsetHours * 3600 + p.offsetMinutes * 60);
  const seconds =
    daysFromCivil(p.year, p.month, p.day) * 86_400 + p.hour * 3600 + p.minute * 60 + p.second - offsetSeconds;
  const micros6 = Number(p.fraction.slice(0, 6).padEnd(6, '0'));
  // Go's zero time is zero in any location, so compare the instant, not the text.
  if (seconds === GO_ZERO_SECONDS && micros6 === 0 && /^0*$/.test(p.fraction)) return { ok: true };

  const micros = seconds * 1_000_000 + micros6;
  if (micros < MIN_MICROS || micros >= MAX_MICROS) {
    return { ok: false, problem: `outside the supported range (years ${MIN_YEAR}–${MAX_YEAR})` };
  }
  return { ok: true, value: { micros, iso: formatIsoMicros(micros) } };
}

/** Formats epoch microseconds as ISO 8601 UTC with six fractional digits (`2025-11-10T07:24:03.553733Z`). */
export function formatIsoMicros(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  const whole = new Date(seconds * 1000).toISOString(); // always `.000Z` here
  return `${whole.slice(0, 19)}.${String(fraction).padStart(6, '0')}Z`;
}

/** Formats a JavaScript Date (millisecond precision) the way records store times, e.g. for `observedAt`. */
export function isoMicrosFromDate(date: Date): string {
  return formatIsoMicros(date.getTime() * 1000);
}

/** `end − start` in milliseconds with microsecond precision (e.g. `1135.729`); negative when end < start. */
export function durationMs(start: TimeValue, end: TimeValue): number {
  return (end.micros - start.micros) / 1000;
}

// YYYY-MM-DD, optionally THH:MM[:SS[.fraction]] with Z or ±HH[:]MM; date-only means midnight UTC.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2}))?$/;

/** The first instant the API and the statistics engine handle: 1970-01-01T00:00:00Z, in µs. */
export const FIRST_INSTANT_US = 0;
/**
 * The end (exclusive) of the instants they handle: 2201-01-01T00:00:00Z, the end of UCS times too. Epoch
 * microseconds are exact doubles only below 2^53 (year 2255): a year-9999 instant would round by 32 µs and fall
 * outside its own window.
 */
export const END_INSTANT_US = MAX_MICROS;
/** The years of the supported instants, for messages. */
export const SUPPORTED_YEARS = `1970..${MAX_YEAR}`;

/** True when an instant (µs) is one the API and the statistics engine handle: [1970-01-01, 2201-01-01). */
export const isSupportedInstant = (us: number) => us >= FIRST_INSTANT_US && us < END_INSTANT_US;

/**
 * Parses an ISO 8601 instant as the API takes it (date-only = midnight UTC, else an explicit Z or offset) to µs;
 * undefined if invalid or, once its offset is applied, outside [1970-01-01T00:00:00Z, 2201-01-01T00:00:00Z).
 */
export function parseInstantMicros(text: string): number | undefined {
  const m = ISO_INSTANT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (m[4] !== undefined && zone === undefined) return undefined; // a local time is ambiguous
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March: reject instead.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (digits.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const micros = Number(frac.padEnd(6, '0').slice(0, 6)); // sub-microsecond digits are truncated
  const us = (ms - offsetMinutes * 60_000) * 1000 + micros;
  // `1970-01-01T00:00:00+23:59` is in 1969, `2200-12-31T23:59:59-23:59` in 2201.
  return isSupportedInstant(us) ? us : undefined;
}

/** The µs of a stored ISO time (IsoMicros); a RangeError for anything else, which the store never writes. */
export function microsOf(iso: string): number {
  const us = parseInstantMicros(iso);
  if (us === undefined) throw new RangeError(`not an ISO 8601 time: ${JSON.stringify(iso)}`);
  return us;
}
