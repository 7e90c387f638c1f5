import { wilsonInterval } from '../../lib/stats/figures';
import { mulberry32 } from '../../lib/local/simulator/prng';

/**
 * How often the alert rules fire on a steady process (no change at all), computed two ways: exactly for one
 * evaluation (binomial sums), and by a seeded simulation of hourly evaluations over sliding windows, which is
 * what a deployment does (consecutive evaluations share most of their runs, so they are not independent).
 */

const binomialPmf = (n: number, p: number): number[] => {
  const out: number[] = [];
  let c = 1;
  for (let k = 0; k <= n; k++) {
    out.push(c * p ** k * (1 - p) ** (n - k));
    c = (c * (n - k)) / (k + 1);
  }
  return out;
};

/** P(failure-rate-spike holds) in one evaluation with exactly `nCur` current and `nBase` baseline runs at rate `p`. */
export function spikeProbability(nCur: number, nBase: number, p: number): number {
  const cur = binomialPmf(nCur, p);
  const base = binomialPmf(nBase, p);
  let total = 0;
  for (let kb = 0; kb <= nBase; kb++) {
    const hi = wilsonInterval(kb, nBase)[1];
    for (let kc = 0; kc <= nCur; kc++) if (wilsonInterval(kc, nCur)[0] > hi) total += base[kb]! * cur[kc]!;
  }
  return total;
}

/** A Poisson draw (Knuth; fine for the small means of runs per hour). */
function poisson(rng: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let prod = rng();
  while (prod > limit) {
    k += 1;
    prod *= rng();
  }
  return k;
}

export interface SteadyOptions {
  /** Mean runs per current window (24 h). */
  runsPerWindow: number;
  failureRate: number;
  /** Days evaluated, after the first window + baseline of history. */
  days: number;
  windowHours: number;
  baselineHours: number;
  minRuns: number;
  trials: number;
  seed: number;
}

/**
 * The share of simulated steady groups in which at least one `failure-rate-spike` opens over `days` of hourly
 * evaluations (runs arrive as a Poisson process; failures are independent at `failureRate`).
 */
export function steadyFalseAlarmRate(o: SteadyOptions): { groupsWithAlarm: number; trials: number; alarms: number } {
  const rng = mulberry32(o.seed);
  const hours = o.windowHours + o.baselineHours + o.days * 24;
  let groupsWithAlarm = 0;
  let alarms = 0;
  for (let trial = 0; trial < o.trials; trial++) {
    const runs = new Int32Array(hours + 1);
    const fails = new Int32Array(hours + 1);
    for (let h = 0; h < hours; h++) {
      const n = poisson(rng, o.runsPerWindow / o.windowHours);
      let f = 0;
      for (let i = 0; i < n; i++) if (rng() < o.failureRate) f += 1;
      runs[h + 1] = runs[h]! + n;
      fails[h + 1] = fails[h]! + f;
    }
    let open = false;
    let any = false;
    for (let t = o.windowHours + o.baselineHours; t <= hours; t++) {
      const nc = runs[t]! - runs[t - o.windowHours]!;
      const kc = fails[t]! - fails[t - o.windowHours]!;
      const nb = runs[t - o.windowHours]! - runs[t - o.windowHours - o.baselineHours]!;
      const kb = fails[t - o.windowHours]! - fails[t - o.windowHours - o.baselineHours]!;
      const holds = nc >= o.minRuns && nb >= o.minRuns && wilsonInterval(kc, nc)[0] > wilsonInterval(kb, nb)[1];
      if (holds && !open) {
        alarms += 1;
        any = true;
      }
      open = holds;
    }
    if (any) groupsWithAlarm += 1;
  }
  return { groupsWithAlarm, trials: o.trials, alarms };
}
