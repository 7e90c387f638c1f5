import * as z from 'zod';
import { ConfigError, parseEnvironment } from '../config';
import { MICROS_PER_DAY, MICROS_PER_HOUR } from '../rollup/buckets';

/**
 * A window length: a positive whole number of hours (`24h`, `36h`) or days (`7d`). Whole hours because the
 * evaluation reads hour, day and week rollups only: a window that ends on a whole hour and lasts whole hours
 * never needs a raw run (lib/stats/window.ts).
 */
export const ALERT_DURATION = /^([1-9]\d{0,5})([hd])$/;

/** The length in µs of a duration such as `24h` or `7d`; undefined when it is not one. */
export function parseAlertDuration(text: string): number | undefined {
  const m = ALERT_DURATION.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'd' ? MICROS_PER_DAY : MICROS_PER_HOUR);
}

const Duration = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const us = parseAlertDuration(v);
      if (us === undefined) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a positive whole number of hours or days, like 24h or 7d (got "${v}")` });
        return z.NEVER;
      }
      return us;
    });

/** The alert evaluation's configuration, validated at cold start (README "Configuration"). */
export const AlertEnv = z.object({
  /** The current window: the evaluation compares `[t − ALERT_WINDOW, t)` ... */
  ALERT_WINDOW: Duration('ALERT_WINDOW', '24h'),
  /** ... with the baseline `[t − ALERT_WINDOW − ALERT_BASELINE, t − ALERT_WINDOW)`. */
  ALERT_BASELINE: Duration('ALERT_BASELINE', '7d'),
  /** Runs both windows need before a rule may hold (also the overdue p99 basis's minimum). */
  ALERT_MIN_RUNS: z.coerce.number().int().min(1).max(1_000_000).default(5),
  /** A job without a declared timeout is overdue after this many times the 30-day p99 of its type. */
  OVERDUE_FACTOR: z.coerce.number().refine((v) => Number.isFinite(v) && v > 0, 'OVERDUE_FACTOR must be a number above 0').default(2),
  /** The API's base URL, for the dashboard links in alerts; without it alerts carry no link. */
  API_URL: z.url().optional(),
});

/** The validated alert configuration: window lengths in µs. */
export interface AlertConfig {
  windowUs: number;
  baselineUs: number;
  minRuns: number;
  overdueFactor: number;
  apiUrl?: string;
}

/** Parses `env` into the alert configuration, failing with the names of the bad variables. */
export function parseAlertConfig(env: Record<string, string | undefined> = process.env): AlertConfig {
  const parsed = parseEnvironment(AlertEnv, env);
  if (!parsed.ok) throw new ConfigError(`Invalid configuration: ${parsed.problems}`);
  const d = parsed.data;
  return { windowUs: d.ALERT_WINDOW, baselineUs: d.ALERT_BASELINE, minRuns: d.ALERT_MIN_RUNS, overdueFactor: d.OVERDUE_FACTOR, ...(d.API_URL && { apiUrl: d.API_URL.replace(/\/+$/, '') }) };
}
