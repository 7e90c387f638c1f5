// How UCS renders times. Internally every time is an integer count of microseconds since the epoch.

const US_PER_MS = 1000;

/** Go's zero time as `time.String()` prints it: UCS's "not set" for federation times. */
export const GO_ZERO_TIME = '0001-01-01 00:00:00 +0000 UTC';

/** Epoch µs → parts of the wall time at `offsetMin` minutes east of UTC. */
function wallParts(us: number, offsetMin: number): { date: string; time: string; frac: string } {
  const ms = Math.floor(us / US_PER_MS);
  const iso = new Date(ms + offsetMin * 60_000).toISOString(); // 2025-11-10T07:24:03.553Z
  const micros = us - Math.floor(us / 1_000_000) * 1_000_000;
  // Go prints the fraction with trailing zeros trimmed (".5", not ".500000"), and none at all for whole seconds.
  const frac = micros === 0 ? '' : `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
  return { date: iso.slice(0, 10), time: iso.slice(11, 19), frac };
}

/** Go `time.String()` of a UTC time: `2023-07-31 13:16:22.100528 +0000 UTC`. */
export function goTimeString(us: number): string {
  const p = wallParts(us, 0);
  return `${p.date} ${p.time}${p.frac} +0000 UTC`;
}

/** Go `time.RFC3339Nano` in China Standard Time: `2025-11-10T15:24:03.553733+08:00`. */
export function rfc3339Cst(us: number): string {
  const p = wallParts(us, 8 * 60);
  return `${p.date}T${p.time}${p.frac}+08:00`;
}

/** ISO 8601 UTC with exactly six fractional digits, the form `JobRecord` uses. */
export function isoMicros(us: number): string {
  const p = wallParts(us, 0);
  const micros = us - Math.floor(us / 1_000_000) * 1_000_000;
  return `${p.date}T${p.time}.${String(micros).padStart(6, '0')}Z`;
}

/** A Date (millisecond resolution) → the last µs of that millisecond, so "state at Date t" includes every event within t's ms. */
export function endOfMsMicros(t: Date): number {
  return t.getTime() * US_PER_MS + (US_PER_MS - 1);
}

/** Epoch ms → epoch µs. */
export function msToUs(ms: number): number {
  return Math.round(ms * US_PER_MS);
}
