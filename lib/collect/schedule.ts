import type { Target } from '../jobs/target';

/** How targets are rescheduled after a poll. */
export interface ScheduleConfig {
  /** Seconds between scheduled runs: a healthy target is polled every run. */
  pollIntervalSec: number;
  /** Longest wait after repeated failures. */
  maxBackoffSec: number;
  /** A terminal policy job is re-checked this long (to catch retries), then retired. */
  terminalWatchSec: number;
  /** First re-check delay of a terminal policy job; later delays double. */
  terminalFirstRecheckSec: number;
}

/** Defaults: 24 h of re-checks (5 min, 10 min, 20 min, ...) for terminal policy jobs; failures back off to 30 min. */
export const DEFAULT_SCHEDULE: Omit<ScheduleConfig, 'pollIntervalSec'> = {
  maxBackoffSec: 1800,
  terminalWatchSec: 86_400,
  terminalFirstRecheckSec: 300,
};

/** The ISO time `sec` seconds after `now` (target bookkeeping times). */
export const plus = (now: Date, sec: number) => new Date(now.getTime() + sec * 1000).toISOString();

/** What the collector learned from one successful poll. */
export interface PollOutcome {
  fingerprint: string;
  changed: boolean;
  terminal: boolean;
}

/**
 * The target after a successful poll, or `undefined` when nothing about it changed (steady state writes
 * nothing). Returns `{retire}` when a terminal policy job has been watched long enough.
 */
export function afterSuccess(
  target: Target,
  outcome: PollOutcome,
  now: Date,
  config: ScheduleConfig,
): { update?: Target; retire?: string } {
  const nowIso = now.toISOString();
  let next: Target = { ...target };
  let dirty = false;
  if (target.consecutiveFailures > 0 || target.lastError !== undefined) {
    next = { ...next, consecutiveFailures: 0, nextPollAt: nowIso };
    delete next.lastError;
    dirty = true;
  }
  if (target.lastFingerprint !== outcome.fingerprint) {
    next = { ...next, lastFingerprint: outcome.fingerprint, lastChangedAt: nowIso };
    dirty = true;
  }
  if (target.kind === 'policy-job') {
    if (outcome.terminal) {
      if (target.terminalSince === undefined) {
        next = { ...next, terminalSince: nowIso, nextPollAt: plus(now, config.terminalFirstRecheckSec) };
        dirty = true;
      } else {
        const watchedSec = (now.getTime() - Date.parse(target.terminalSince)) / 1000;
        if (watchedSec >= config.terminalWatchSec) return { retire: `terminal for ${Math.round(config.terminalWatchSec / 3600)} h with no retry` };
        // Delays double: the next re-check is as far ahead as the job has been terminal, within the watch.
        const delay = Math.min(Math.max(config.terminalFirstRecheckSec, watchedSec), config.terminalWatchSec - watchedSec);
        next = { ...next, nextPollAt: plus(now, delay) };
        dirty = true;
      }
    } else if (target.terminalSince !== undefined) {
      // Left its terminal status: a retry. Poll it every run again.
      delete next.terminalSince;
      next = { ...next, nextPollAt: nowIso };
      dirty = true;
    }
  }
  if (!dirty) return {};
  return { update: { ...next, lastPolledAt: nowIso } };
}

/** The target after a failed poll: error kept, consecutive failures counted, next poll backed off. */
export function afterFailure(target: Target, error: string, now: Date, config: ScheduleConfig): Target {
  const failures = target.consecutiveFailures + 1;
  // 0, 1, 3, 7 ... intervals: the first failure is retried on the next run.
  const delay = Math.min(config.pollIntervalSec * (2 ** (failures - 1) - 1), config.maxBackoffSec);
  return {
    ...target,
    consecutiveFailures: failures,
    lastError: error.slice(0, 500),
    lastPolledAt: now.toISOString(),
    nextPollAt: plus(now, delay),
  };
}
