import type { AlertGroupBy, AlertKind } from '../jobs/alert';
import type { Level } from '../jobs/runs';
import type { DurationFigures, FailureFigures } from '../stats/figures';

/**
 * The alert rules (DESIGN.md "Alerts"), pure: given the `/stats/*` figures of one group in the current and the
 * baseline window, does the rule hold? An alert opens in the evaluation where its rule first holds and closes
 * in the first one where it no longer holds (fewer than `minRuns` runs in either window included).
 */

/** The groups the evaluation judges: job level by type and by fleet, step level by type and by cluster. */
export const ALERT_GROUPS: readonly { level: Level; groupBy: Exclude<AlertGroupBy, 'job'> }[] = [
  { level: 'job', groupBy: 'type' },
  { level: 'job', groupBy: 'fleet' },
  { level: 'step', groupBy: 'type' },
  { level: 'step', groupBy: 'cluster' },
];

/** A rule's verdict on one group: whether it holds, and why (or why not) in a sentence. */
export interface Verdict {
  holds: boolean;
  reason: string;
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`);

/**
 * `failure-rate-spike`: the current failure rate is above the baseline's beyond doubt, i.e. the lower Wilson
 * bound of the current window is strictly above the upper bound of the baseline (equal bounds do not hold).
 * Both windows need at least `minRuns` terminal runs.
 */
export function failureRateSpike(current: FailureFigures | undefined, baseline: FailureFigures | undefined, minRuns: number): Verdict {
  if (!current || current.total < minRuns || !current.ci95) return { holds: false, reason: `fewer than ${minRuns} runs in the current window` };
  if (!baseline || baseline.total < minRuns || !baseline.ci95) return { holds: false, reason: `fewer than ${minRuns} runs in the baseline window` };
  const [lo] = current.ci95;
  const [, hi] = baseline.ci95;
  const holds = lo > hi;
  return {
    holds,
    reason: `failure rate ${pct(current.failureRate ?? 0)} (95 % ${pct(lo)}–${pct(current.ci95[1])}, ${current.total} runs) ${holds ? 'is above' : 'is not above'} the baseline's ${pct(baseline.failureRate ?? 0)} (95 % up to ${pct(hi)}, ${baseline.total} runs)`,
  };
}

/**
 * `duration-regression`: the current median is slower than the baseline's 90th percentile (strictly). Both
 * windows need at least `minRuns` runs with a duration (the `count` of `/stats/durations`).
 */
export function durationRegression(current: DurationFigures | undefined, baseline: DurationFigures | undefined, minRuns: number): Verdict {
  if (!current || current.count < minRuns || current.p50Ms === null) return { holds: false, reason: `fewer than ${minRuns} durations in the current window` };
  if (!baseline || baseline.count < minRuns || baseline.p90Ms === null) return { holds: false, reason: `fewer than ${minRuns} durations in the baseline window` };
  const holds = current.p50Ms > baseline.p90Ms;
  return {
    holds,
    reason: `median duration ${ms(current.p50Ms)} (${current.count} runs) ${holds ? 'is above' : 'is not above'} the baseline's p90 ${ms(baseline.p90Ms)} (${baseline.count} runs)`,
  };
}

/** The group rules by kind. */
export const GROUP_RULES = {
  'failure-rate-spike': (c: { failures: FailureFigures }, b: { failures: FailureFigures } | undefined, minRuns: number) => failureRateSpike(c.failures, b?.failures, minRuns),
  'duration-regression': (c: { durations: DurationFigures }, b: { durations: DurationFigures } | undefined, minRuns: number) => durationRegression(c.durations, b?.durations, minRuns),
} satisfies Partial<Record<AlertKind, unknown>>;

/** What to do with a subject given its open alert (if any) and whether its rule holds now. */
export function transition(isOpen: boolean, holds: boolean): 'open' | 'close' | 'none' {
  if (holds && !isOpen) return 'open';
  if (!holds && isOpen) return 'close';
  return 'none';
}
