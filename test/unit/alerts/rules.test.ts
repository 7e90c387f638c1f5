import { describe, expect, it } from 'vitest';
import { durationRegression, failureRateSpike, transition } from '../../../lib/alerts/rules';
import { failureFiguresOf, wilsonInterval, type DurationFigures, type FailureFigures } from '../../../lib/stats/figures';

const rates = (failed: number, total: number): FailureFigures => failureFiguresOf({ succeeded: total - failed, failed, timed_out: 0 });
const withCi = (total: number, ci95: [number, number]): FailureFigures => ({ total, succeeded: total, failed: 0, timedOut: 0, failureRate: 0, ci95 });
const durations = (count: number, p50Ms: number, p90Ms: number): DurationFigures => ({ count, minMs: 1, maxMs: 1e6, meanMs: p50Ms, p50Ms, p90Ms, p95Ms: p90Ms, p99Ms: p90Ms });

describe('failure-rate-spike: current.ci95[0] > baseline.ci95[1]', () => {
  it('uses the Wilson bounds computed by hand', () => {
    // 5 of 5 failed: p = 1, z² = 3.841459, lower bound = (1 + z²/10 − z·√(z²/100)) / (1 + z²/5) = 0.565518.
    expect(wilsonInterval(5, 5)[0]).toBeCloseTo(0.565518, 5);
    // 1 of 35 failed: upper bound 0.145331 (same formula with p = 1/35).
    expect(wilsonInterval(1, 35)[1]).toBeCloseTo(0.145331, 5);
    expect(failureRateSpike(rates(5, 5), rates(1, 35), 5).holds).toBe(true);
    // 3 of 5: lower bound 0.230724, below the upper bound 0.358916 of 7 of 35 (the same 20 %).
    expect(wilsonInterval(3, 5)[0]).toBeCloseTo(0.230724, 5);
    expect(wilsonInterval(7, 35)[1]).toBeCloseTo(0.358916, 5);
    expect(failureRateSpike(rates(3, 5), rates(7, 35), 5).holds).toBe(false);
    // 4 of 5: lower bound 0.376… > 0.358916: four failures in five runs against a steady 20 % already open.
    expect(failureRateSpike(rates(4, 5), rates(7, 35), 5).holds).toBe(true);
  });

  it('a lower bound exactly equal to the baseline upper bound does not open; just above does', () => {
    expect(failureRateSpike(withCi(10, [0.3, 0.6]), withCi(50, [0.1, 0.3]), 5).holds).toBe(false);
    expect(failureRateSpike(withCi(10, [0.3 + 1e-12, 0.6]), withCi(50, [0.1, 0.3]), 5).holds).toBe(true);
    expect(failureRateSpike(withCi(10, [0.3 - 1e-12, 0.6]), withCi(50, [0.1, 0.3]), 5).holds).toBe(false);
  });

  it('needs ALERT_MIN_RUNS runs in both windows: minRuns − 1 never opens', () => {
    expect(failureRateSpike(rates(4, 4), rates(0, 100), 5).holds).toBe(false);
    expect(failureRateSpike(rates(5, 5), rates(0, 100), 5).holds).toBe(true);
    expect(failureRateSpike(rates(5, 5), rates(0, 4), 5).holds).toBe(false);
    expect(failureRateSpike(rates(5, 5), rates(0, 5), 5).holds).toBe(true);
    expect(failureRateSpike(rates(5, 5), undefined, 5)).toEqual({ holds: false, reason: 'fewer than 5 runs in the baseline window' });
    expect(failureRateSpike(undefined, rates(0, 5), 5).holds).toBe(false);
  });
});

describe('duration-regression: current.p50Ms > baseline.p90Ms', () => {
  it('equal does not open, above does', () => {
    expect(durationRegression(durations(10, 2000, 4000), durations(50, 1000, 2000), 5).holds).toBe(false);
    expect(durationRegression(durations(10, 2000.001, 4000), durations(50, 1000, 2000), 5).holds).toBe(true);
    expect(durationRegression(durations(10, 1999.999, 4000), durations(50, 1000, 2000), 5).holds).toBe(false);
  });

  it('counts runs with a duration: minRuns − 1 never opens', () => {
    expect(durationRegression(durations(4, 9000, 9000), durations(50, 1000, 2000), 5).holds).toBe(false);
    expect(durationRegression(durations(5, 9000, 9000), durations(50, 1000, 2000), 5).holds).toBe(true);
    expect(durationRegression(durations(5, 9000, 9000), durations(4, 1000, 2000), 5).holds).toBe(false);
    expect(durationRegression(durations(5, 9000, 9000), undefined, 5).holds).toBe(false);
  });

  it('says why in a sentence', () => {
    expect(durationRegression(durations(6, 9000, 9000), durations(50, 1000, 2000), 5).reason).toBe(
      "median duration 9.0 s (6 runs) is above the baseline's p90 2.0 s (50 runs)",
    );
  });
});

describe('transition', () => {
  it('opens once, closes once, and otherwise writes nothing', () => {
    expect(transition(false, true)).toBe('open');
    expect(transition(true, true)).toBe('none');
    expect(transition(true, false)).toBe('close');
    expect(transition(false, false)).toBe('none');
  });
});
