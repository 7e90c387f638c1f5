import { durationRegression, failureRateSpike, ALERT_GROUPS } from '../../lib/alerts/rules';
import type { AlertConfig } from '../../lib/alerts/config';
import { alertSubject } from '../../lib/jobs/alert';
import type { ServiceEvent } from '../../lib/jobs/events';
import type { TerminalRun } from '../../lib/jobs/runs';
import { formatIsoMicros } from '../../lib/jobs/time';
import type { EventPublisher } from '../../lib/events/publisher';
import { floorTo, MICROS_PER_HOUR } from '../../lib/rollup/buckets';
import { failureFiguresOf, type DurationFigures } from '../../lib/stats/figures';
import { mulberry32 } from '../../lib/local/simulator/prng';
import { exactDurations } from './stats-oracle';

/**
 * Planted alert timelines for the alert tests: jobs of a few types, each with one step on a cluster, at a steady
 * failure rate and duration, and, from a given time, a spike of one type's failure rate and a slowdown of
 * another's durations. And an oracle: the rules applied to exact figures computed from the runs themselves.
 */

export interface Plant {
  /** `<source>/<type>` is `policy/<type>`. */
  type: string;
  from: string;
  until: string;
  /** Failure rate inside [from, until). */
  failureRate?: number;
  /** Duration factor inside [from, until). */
  slowdown?: number;
}

export interface TimelineOptions {
  seed: number;
  start: string;
  hours: number;
  /** Job types and their steady runs per hour (a fraction: that many on average). */
  types: { type: string; perHour: number; failureRate: number; cluster: string }[];
  plants?: Plant[];
  fleet?: string;
}

const us = (iso: string) => Date.parse(iso) * 1000;

/** Terminal job runs and their step runs, deterministic from the seed. */
export function plantedTimeline(o: TimelineOptions): TerminalRun[] {
  const rng = mulberry32(o.seed);
  const runs: TerminalRun[] = [];
  const startUs = us(o.start);
  let n = 0;
  for (let h = 0; h < o.hours; h++) {
    for (const t of o.types) {
      // A fractional rate: one more run in this hour with probability of the fraction (no draw for whole rates).
      const whole = Math.floor(t.perHour);
      const count = whole + (t.perHour > whole && rng() < t.perHour - whole ? 1 : 0);
      for (let i = 0; i < count; i++) {
        const atUs = startUs + h * MICROS_PER_HOUR + Math.floor(((i + rng()) / count) * MICROS_PER_HOUR);
        const belongsAt = formatIsoMicros(atUs);
        const plant = (o.plants ?? []).find((p) => p.type === t.type && belongsAt >= p.from && belongsAt < p.until);
        const rate = plant?.failureRate ?? t.failureRate;
        const failed = rng() < rate;
        const durationMs = Math.round(1000 * (1 + rng()) * (plant?.slowdown ?? 1) * 1000) / 1000;
        const jobId = `job-${++n}`;
        const common = { source: 'policy' as const, jobId, attempt: 1, jobType: t.type, status: failed ? ('failed' as const) : ('succeeded' as const), durationMs, belongsAt, finishedAt: belongsAt };
        runs.push({ ...common, level: 'job', type: t.type, ...(o.fleet && { fleetId: o.fleet }), clusterIds: [t.cluster] });
        runs.push({ ...common, level: 'step', stepId: `${jobId}-s`, type: `${t.type}Task`, ...(o.fleet && { fleetId: o.fleet }), clusterId: t.cluster });
      }
    }
  }
  return runs;
}

/** Runs sorted by the time they belong to, per level: the oracle's index (windows are found by bisection). */
const sortedCache = new WeakMap<readonly TerminalRun[], Map<string, { at: number[]; runs: TerminalRun[] }>>();
function sortedRuns(runs: readonly TerminalRun[], level: string) {
  let perLevel = sortedCache.get(runs);
  if (!perLevel) sortedCache.set(runs, (perLevel = new Map()));
  let entry = perLevel.get(level);
  if (!entry) {
    const list = runs.filter((r) => r.level === level).sort((a, b) => (a.belongsAt < b.belongsAt ? -1 : a.belongsAt > b.belongsAt ? 1 : 0));
    entry = { at: list.map((r) => us(r.belongsAt)), runs: list };
    perLevel.set(level, entry);
  }
  return entry;
}
const lowerBound = (xs: number[], v: number) => {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
/** The runs of each group of a level and grouping in `[from, to)` (µs), keyed as `/stats/*` keys them. */
function groupsIn(runs: readonly TerminalRun[], level: string, groupBy: string, from: number, to: number): Map<string, TerminalRun[]> {
  const { at, runs: sorted } = sortedRuns(runs, level);
  const out = new Map<string, TerminalRun[]>();
  for (let i = lowerBound(at, from), end = lowerBound(at, to); i < end; i++) {
    const run = sorted[i]!;
    const key = groupBy === 'type' ? `${run.source}/${run.type}` : groupBy === 'fleet' ? run.fleetId : groupBy === 'cluster' ? run.clusterId : undefined;
    if (key === undefined) continue;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(run);
  }
  return out;
}

/**
 * Duration figures of a level, grouping and window (µs) from somewhere else than the runs: the integration test
 * takes them from `/stats/durations` itself, since percentiles are sketched (1 %) and a rule can sit within 1 % of
 * its threshold at the hour it crosses. Failure figures are counts, exact either way.
 */
export type DurationSource = (level: string, groupBy: string, from: number, to: number) => Promise<Map<string, DurationFigures>>;

/** {@link oracleHolding} with the duration figures of `durations`. */
export async function oracleHoldingWith(runs: readonly TerminalRun[], nowUs: number, config: AlertConfig, durations: DurationSource): Promise<Set<string>> {
  const t = floorTo(nowUs, MICROS_PER_HOUR);
  const holding = new Set([...oracleHolding(runs, nowUs, config)].filter((s) => !s.startsWith('duration-regression|')));
  for (const g of ALERT_GROUPS) {
    const [now, before] = await Promise.all([
      durations(g.level, g.groupBy, t - config.windowUs, t),
      durations(g.level, g.groupBy, t - config.windowUs - config.baselineUs, t - config.windowUs),
    ]);
    for (const [key, figures] of now) {
      if (durationRegression(figures, before.get(key), config.minRuns).holds) holding.add(alertSubject({ kind: 'duration-regression', ...g, key }));
    }
  }
  return holding;
}

/** {@link oracleEpisodes} with the duration figures of `durations`. */
export async function oracleEpisodesWith(runs: readonly TerminalRun[], times: readonly number[], config: AlertConfig, durations: DurationSource) {
  const holdings: Set<string>[] = [];
  for (const at of times) holdings.push(await oracleHoldingWith(runs, at, config, durations));
  return episodesOf(times, holdings);
}

/** The subjects whose rule holds at `nowUs`, by the rules applied to exact figures of `runs`. */
export function oracleHolding(runs: readonly TerminalRun[], nowUs: number, config: AlertConfig): Set<string> {
  const t = floorTo(nowUs, MICROS_PER_HOUR);
  const holding = new Set<string>();
  for (const g of ALERT_GROUPS) {
    const now = groupsIn(runs, g.level, g.groupBy, t - config.windowUs, t);
    const before = groupsIn(runs, g.level, g.groupBy, t - config.windowUs - config.baselineUs, t - config.windowUs);
    for (const [key, groupRuns] of now) {
      const baseRuns = before.get(key) ?? [];
      const failures = (rs: readonly TerminalRun[]) =>
        failureFiguresOf({ succeeded: rs.filter((r) => r.status === 'succeeded').length, failed: rs.filter((r) => r.status === 'failed').length, timed_out: rs.filter((r) => r.status === 'timed_out').length });
      if (failureRateSpike(failures(groupRuns), baseRuns.length ? failures(baseRuns) : undefined, config.minRuns).holds) {
        holding.add(alertSubject({ kind: 'failure-rate-spike', ...g, key }));
      }
      const d = (rs: readonly TerminalRun[]) => exactDurations(rs);
      if (durationRegression(d(groupRuns), baseRuns.length ? d(baseRuns) : undefined, config.minRuns).holds) {
        holding.add(alertSubject({ kind: 'duration-regression', ...g, key }));
      }
    }
  }
  return holding;
}

/** The episodes the oracle expects over evaluations at `times` (µs): subject → [[openedAt, closedAt?]]. */
export function oracleEpisodes(runs: readonly TerminalRun[], times: readonly number[], config: AlertConfig): Map<string, [number, number | undefined][]> {
  return episodesOf(times, times.map((at) => oracleHolding(runs, at, config)));
}

/** Episodes from the subjects holding at each evaluation time. */
function episodesOf(times: readonly number[], holdings: readonly Set<string>[]): Map<string, [number, number | undefined][]> {
  const episodes = new Map<string, [number, number | undefined][]>();
  let open = new Set<string>();
  for (const [i, at] of times.entries()) {
    const holding = holdings[i]!;
    for (const s of holding) if (!open.has(s)) episodes.set(s, [...(episodes.get(s) ?? []), [at, undefined]]);
    for (const s of open) {
      if (holding.has(s)) continue;
      const list = episodes.get(s)!;
      list[list.length - 1]![1] = at;
    }
    open = holding;
  }
  return episodes;
}

/** A publisher that keeps what it was given (and can be made to fail). */
export class RecordingPublisher implements EventPublisher {
  readonly published: ServiceEvent[] = [];
  failing = false;
  publish(events: readonly ServiceEvent[]): Promise<{ failed: ServiceEvent[] }> {
    if (this.failing) return Promise.reject(new Error('publisher down'));
    this.published.push(...events);
    return Promise.resolve({ failed: [] });
  }
}
