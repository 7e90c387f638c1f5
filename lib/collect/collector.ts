import { fingerprint } from '../jobs/fingerprint';
import { isoMicrosFromDate } from '../jobs/time';
import { normalizeFederationJob, normalizePolicyJob } from '../jobs/normalize';
import { isTerminal, type JobRecord } from '../jobs/record';
import { logger } from '../observability';
import type { JobStore } from '../store/port';
import type { UcsApi } from '../ucs/api';
import { NotFoundError, UcsError } from '../ucs/errors';
import { printableId, ucsIdProblem } from '../ucs/ids';
import { afterFailure, afterSuccess, plus, type ScheduleConfig } from './schedule';
import { shardOf } from './shard';
import type { Target, TargetKind } from '../jobs/target';
import { jobOverdueEvent, overdueKey, type ServiceEvent } from '../jobs/events';
import { deliverEvents, type EventPublisher } from '../events/publisher';
import type { OverdueJudge } from '../stats/overdue';
import { emitRunMetrics } from './run-metrics';

/** What a collector run needs from the outside world. */
export interface CollectorDeps {
  store: JobStore;
  ucs: UcsApi;
  /** The clock observations are stamped with (tests step it with the simulator's). */
  now: () => Date;
  /** Where events go; without it they wait in the outbox (the next run with a publisher delivers them). */
  events?: EventPublisher;
  /** Judges overdue jobs, for `Job Overdue` events; without it none are told. */
  overdue?: OverdueJudge;
}

/** How one collector run behaves. */
export interface CollectOptions {
  shard: number;
  shards: number;
  concurrency: number;
  schedule: ScheduleConfig;
  /** The UCS call timeout: a poll is not started when less than this (plus a margin) remains. */
  requestTimeoutMs: number;
  /** The Lambda's remaining time; unbounded when absent. */
  remainingTimeMs?: () => number;
  /** A manual pass: poll every active target now, whatever its next poll time or backoff. */
  ignoreSchedule?: boolean;
}

/** The structured summary each run logs and turns into metrics. */
export interface CollectSummary {
  kind: TargetKind;
  shard: number;
  shards: number;
  due: number;
  polled: number;
  unchanged: number;
  changed: number;
  /** Terminal runs this run counted (what it wrote, whoever stored the revision). */
  newTerminalRuns: number;
  /** Counted runs this run gave their missing duration. */
  durationsRepaired: number;
  /** `Job Overdue` facts this run recorded (once per job, attempt and step). */
  overdueTold: number;
  /** Events published (this run's and any the outbox still held), and events left in the outbox for the next run. */
  eventsPublished: number;
  eventsPending: number;
  failed: number;
  retired: number;
  skippedForTime: number;
  ucsLatencyMs: { count: number; sum: number; max: number };
}

/**
 * Records each overdue fact of a just-polled job (the job, or a step, of its attempt) that this target has not told
 * yet: the store writes its `Job Overdue` event to the outbox once, whatever other collectors do. Returns the new
 * list of told facts when it grew, else undefined.
 */
async function tellOverdue(record: JobRecord, target: Target, deps: CollectorDeps, summary: CollectSummary): Promise<string[] | undefined> {
  if (!deps.overdue || !(isInFlight(record.status) || record.steps.some((s) => isInFlight(s.status)))) return undefined;
  const view = await deps.overdue.judge(record, Date.parse(record.observedAt) * 1000);
  // Only the last attempt's facts are kept: a retry starts a new list.
  const prefix = `${record.attempt}:`;
  const told = new Set((target.overdueTold ?? []).filter((k) => k.startsWith(prefix)));
  const before = told.size;
  const facts = [
    ...(view.overdue ? [{ key: overdueKey(record.attempt), event: jobOverdueEvent(record, view.overdue) }] : []),
    ...view.steps.flatMap((step) => (step.overdue ? [{ key: overdueKey(record.attempt, step.stepId), event: jobOverdueEvent(record, step.overdue, step) }] : [])),
  ];
  for (const { key, event } of facts) {
    if (told.has(key)) continue;
    if (await deps.store.recordOverdue(event, { source: record.source, jobId: record.jobId, key })) summary.overdueTold += 1;
    told.add(key);
  }
  return told.size > before || (target.overdueTold?.length ?? 0) !== told.size ? [...told] : undefined;
}

const isInFlight = (status: string) => status === 'running' || status === 'pending';

/** Room kept beyond the request timeout for writing the result of the last poll. */
const SAFETY_MARGIN_MS = 1500;

/** Fetches and normalizes the current state of one target. */
async function observe(kind: TargetKind, id: string, ucs: UcsApi, observedAt: string, deadline?: number): Promise<JobRecord> {
  if (kind === 'fleet') {
    const job = await ucs.getFederationProgress(id, { deadline });
    return normalizeFederationJob(job, { fleetId: id, observedAt });
  }
  const job = await ucs.getPolicyJob(id, { deadline });
  return normalizePolicyJob(job, { observedAt });
}

/** A log-safe one-line description of a failed poll. */
function describeError(error: unknown): string {
  if (error instanceof UcsError) {
    return [error.code, error.status, error.errorCode, error.errorMsg ?? error.message].filter((x) => x !== undefined).join(' ');
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * One collector run over the due targets of one kind and one shard: polls them with bounded concurrency,
 * records each observation, and reschedules the targets. Failures are isolated per target; when the time
 * left could not fit one more request, the remaining targets (oldest first) are left for the next run.
 */
export async function collectTargets(kind: TargetKind, deps: CollectorDeps, options: CollectOptions): Promise<CollectSummary> {
  const startedAt = deps.now();
  const startIso = startedAt.toISOString();
  const all = options.ignoreSchedule ? await deps.store.listTargets({ kind }) : await deps.store.dueTargets(kind, startIso);
  const targets = all
    .filter((t) => shardOf(kind, t.id, options.shards) === options.shard)
    .sort((a, b) => (a.nextPollAt === b.nextPollAt ? a.id.localeCompare(b.id) : a.nextPollAt < b.nextPollAt ? -1 : 1));

  const summary: CollectSummary = {
    kind,
    shard: options.shard,
    shards: options.shards,
    due: targets.length,
    polled: 0,
    unchanged: 0,
    changed: 0,
    newTerminalRuns: 0,
    durationsRepaired: 0,
    overdueTold: 0,
    eventsPublished: 0,
    eventsPending: 0,
    failed: 0,
    retired: 0,
    skippedForTime: 0,
    ucsLatencyMs: { count: 0, sum: 0, max: 0 },
  };
  /** The stored version of every target this run polled and kept active. */
  const polledTargets: Target[] = [];
  /** The `Job Run Finished` events of the runs this run counted (already in the outbox). */
  const runEvents: ServiceEvent[] = [];
  let next = 0;
  let outOfTime = false;

  const pollOne = async (target: Target): Promise<void> => {
    const badId = ucsIdProblem(target.id);
    if (badId) {
      // Stored before ids were checked (or by hand): never a UCS call, never a failed poll; retired, so it is gone.
      const reason = `not a UCS id: it ${badId}`;
      logger.warn('target id is not a UCS id: retired without polling', { targetKind: kind, targetId: printableId(target.id) });
      await deps.store.retireTarget(kind, target.id, deps.now().toISOString(), reason);
      summary.retired += 1;
      return;
    }
    const remaining = options.remainingTimeMs?.();
    const deadline = remaining === undefined ? undefined : Date.now() + remaining - SAFETY_MARGIN_MS;
    const now = deps.now();
    const t0 = Date.now();
    try {
      const record = await observe(kind, target.id, deps.ucs, isoMicrosFromDate(now), deadline);
      const latency = Date.now() - t0;
      summary.ucsLatencyMs.count += 1;
      summary.ucsLatencyMs.sum += latency;
      summary.ucsLatencyMs.max = Math.max(summary.ucsLatencyMs.max, latency);
      summary.polled += 1;
      const fp = fingerprint(record);
      // The target remembers the last state it produced: an identical one costs no store read or write.
      let changed = false;
      let attempt = target.lastAttempt ?? record.attempt;
      if (fp !== target.lastFingerprint) {
        const result = await deps.store.recordObservation(record, fp);
        changed = result.outcome === 'changed';
        attempt = result.attempt;
        summary.newTerminalRuns += result.newRuns;
        summary.durationsRepaired += result.durationsRepaired;
        runEvents.push(...result.events);
        for (const event of result.events) emitRunMetrics(event);
      }
      if (changed) summary.changed += 1;
      else summary.unchanged += 1;
      const success = afterSuccess(target, { fingerprint: fp, changed, terminal: isTerminal(record.status) }, now, options.schedule);
      const { retire } = success;
      let update = success.update;
      // Attempt and overdue bookkeeping: written only when they change, so a steady poll still writes nothing.
      const told = await tellOverdue({ ...record, attempt }, target, deps, summary);
      if (attempt !== target.lastAttempt || told) update = { ...(update ?? target), lastAttempt: attempt, ...(told && { overdueTold: told }) };
      if (retire) {
        await deps.store.retireTarget(kind, target.id, now.toISOString(), retire);
        summary.retired += 1;
      } else if (update) {
        await deps.store.updateTarget(update);
        polledTargets.push(update);
      } else {
        polledTargets.push(target);
      }
    } catch (error) {
      if (error instanceof NotFoundError) {
        summary.polled += 1;
        await deps.store.retireTarget(kind, target.id, now.toISOString(), `UCS answered 404 (${describeError(error)})`);
        summary.retired += 1;
        return;
      }
      summary.failed += 1;
      const message = describeError(error);
      logger.warn('poll failed', { targetKind: kind, targetId: target.id, error: message });
      try {
        await deps.store.updateTarget(afterFailure(target, message, now, options.schedule));
      } catch (bookkeeping) {
        logger.error('could not record poll failure', { targetKind: kind, targetId: target.id, error: describeError(bookkeeping) });
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const remaining = options.remainingTimeMs?.();
      if (remaining !== undefined && remaining < options.requestTimeoutMs + SAFETY_MARGIN_MS) {
        outOfTime = true;
        return;
      }
      const target = targets[next++];
      if (target) await pollOne(target);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, targets.length)) }, worker));

  if (deps.events) {
    try {
      const delivery = await deliverEvents(deps.store, deps.events, runEvents);
      summary.eventsPublished = delivery.published;
      summary.eventsPending = delivery.pending;
    } catch (error) {
      // The events are in the outbox; the next run delivers them.
      summary.eventsPending = runEvents.length;
      logger.warn('event delivery failed', { error: describeError(error) });
    }
  } else summary.eventsPending = runEvents.length;
  if (outOfTime) {
    summary.skippedForTime = targets.length - next;
    // Skipped targets keep their older next-poll time; pushing back the ones polled here puts the skipped
    // ones first in the next run. Only overloaded runs pay these writes.
    const pushedBack = plus(startedAt, options.schedule.pollIntervalSec);
    for (const target of polledTargets) {
      try {
        await deps.store.updateTarget({ ...target, nextPollAt: pushedBack, lastPolledAt: startIso });
      } catch (error) {
        logger.warn('could not reschedule target', { targetKind: kind, targetId: target.id, error: describeError(error) });
      }
    }
  }
  return summary;
}
