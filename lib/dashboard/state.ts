// The page's whole state lives in the URL's query string: a link reopens the same view, and back/forward move
// between views (pushState on every change, popstate re-renders). Values go to the API as written, so an unknown
// one is answered by the API's own message.

export type View = 'overview' | 'jobs' | 'job' | 'targets';
export const VIEWS: readonly View[] = ['overview', 'jobs', 'job', 'targets'];
export const PRESETS = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24 } as const;
export type Preset = keyof typeof PRESETS;

/** The URL parameters the page reads; any other is kept out of the state. */
export const STATE_KEYS = [
  'view', 'range', 'from', 'to', 'source', 'type', 'level',
  'status', 'jobType', 'fleetId', 'clusterId', 'cursor', 'jobId', 'retired', 'sort',
] as const;
export type StateKey = (typeof STATE_KEYS)[number];
export type State = Partial<Record<StateKey, string>>;

/** The state in a query string (`location.search` on the page). */
export function readState(search: string): State {
  const params = new URLSearchParams(search);
  const state: State = {};
  for (const key of STATE_KEYS) {
    const v = params.get(key);
    if (v !== null && v !== '') state[key] = v;
  }
  return state;
}

/** The page's URL for `state` (path `pathname`, the page's `location.pathname`). */
export function stateUrl(state: State, pathname: string): string {
  const params = new URLSearchParams();
  for (const key of STATE_KEYS) {
    const v = state[key];
    if (v !== undefined && v !== '') params.set(key, v);
  }
  const qs = params.toString();
  return `${pathname}${qs ? `?${qs}` : ''}`;
}

/** A problem with the URL itself, named for the page (the API names its own). */
export class StateError extends Error {}

export interface Window {
  from: string;
  to: string;
  /** `hour` for windows up to 2 days, else `day`. */
  interval: 'hour' | 'day';
  /** The window's length in ms, when both ends parse. */
  lengthMs?: number;
}

const HOUR = 3_600_000;

/** The end of a preset window: now rounded up to the next whole UTC hour, like the API's default `to`. */
export function presetEnd(now = Date.now()): number {
  return Math.ceil(now / HOUR) * HOUR;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * The window a state shows: a preset (default 7 d) ending at the next whole hour, or `range=custom` with `from`
 * and `to` as the user wrote them (the API validates and rejects them with its own message).
 */
export function windowOf(state: State, now = Date.now()): Window {
  const range = state.range ?? (state.from || state.to ? 'custom' : '7d');
  if (range === 'custom') {
    if (!state.from || !state.to) throw new StateError('a custom window needs both from and to (ISO 8601 times, window [from, to))');
    const a = Date.parse(state.from);
    const b = Date.parse(state.to);
    const lengthMs = Number.isFinite(a) && Number.isFinite(b) ? b - a : undefined;
    return { from: state.from, to: state.to, interval: lengthMs !== undefined && lengthMs > 0 && lengthMs <= 48 * HOUR ? 'hour' : 'day', ...(lengthMs !== undefined && { lengthMs }) };
  }
  if (!(range in PRESETS)) throw new StateError(`range must be one of ${Object.keys(PRESETS).join(', ')} or custom, not "${range}"`);
  const hours = PRESETS[range as Preset];
  const end = presetEnd(now);
  return { from: iso(end - hours * HOUR), to: iso(end), interval: hours <= 48 ? 'hour' : 'day', lengthMs: hours * HOUR };
}

/** Sort of one table, from `sort=<table>:<column>:<asc|desc>,…`. */
export function sortOf(state: State, table: string): { column: string; dir: 'asc' | 'desc' } | undefined {
  for (const part of (state.sort ?? '').split(',')) {
    const [t, column, dir] = part.split(':');
    if (t === table && column && (dir === 'asc' || dir === 'desc')) return { column, dir };
  }
  return undefined;
}

export function withSort(state: State, table: string, column: string, dir: 'asc' | 'desc'): string {
  const others = (state.sort ?? '').split(',').filter((p) => p && p.split(':')[0] !== table);
  return [...others, `${table}:${column}:${dir}`].join(',');
}
