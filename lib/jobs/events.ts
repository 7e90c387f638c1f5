import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Overdue } from './overdue';
import type { JobRecord, JobStep } from './record';
import type { TerminalRun } from './runs';

/**
 * The events the service publishes (DESIGN.md "Events"): `source: "ucs-job-history"`, a detail type, and a
 * `detail` carrying a stable `id`, the same every time the same fact is published, so consumers can drop repeats
 * (delivery is at least once). Built here, in the domain, because the store writes them to its outbox in the
 * same transaction as the fact they tell (a counted run), and the publishers only carry them.
 */

export const EVENT_SOURCE = 'ucs-job-history';

/** The detail types. */
export const EventDetailType = z.enum(['Job Run Finished', 'Job Overdue', 'Alert Opened', 'Alert Closed']);
export type EventDetailType = z.infer<typeof EventDetailType>;

/** One event as it is stored in the outbox and published. */
export const ServiceEvent = z.object({
  detailType: EventDetailType,
  /** When the fact happened (ISO 8601): the run's finish, the moment a job became overdue, an alert's change. */
  time: z.string(),
  detail: z.looseObject({ id: z.string().min(1) }),
});
export type ServiceEvent = z.infer<typeof ServiceEvent>;

/** A stable event id: the same fact always gets the same id. */
export function eventId(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** `Job Run Finished`: one terminal run of a job or a step, with its figures. */
export function runFinishedEvent(run: TerminalRun): ServiceEvent {
  const id = eventId('run', run.source, run.jobId, run.attempt, run.stepId ?? '');
  return {
    detailType: 'Job Run Finished',
    time: run.belongsAt,
    detail: {
      id,
      level: run.level,
      source: run.source,
      jobId: run.jobId,
      attempt: run.attempt,
      ...(run.stepId !== undefined && { stepId: run.stepId }),
      type: run.type,
      jobType: run.jobType,
      status: run.status,
      ...(run.rawStatus !== undefined && { rawStatus: run.rawStatus }),
      ...(run.fleetId !== undefined && { fleetId: run.fleetId }),
      ...(run.clusterId !== undefined && { clusterId: run.clusterId }),
      ...(run.startedAt !== undefined && { startedAt: run.startedAt }),
      ...(run.finishedAt !== undefined && { finishedAt: run.finishedAt }),
      ...(run.durationMs !== undefined && { durationMs: run.durationMs }),
      failed: run.status !== 'succeeded',
    },
  };
}

/** The key of one overdue fact: a job (`step` absent) or one of its steps, in one attempt. */
export const overdueKey = (attempt: number, stepId?: string) => (stepId === undefined ? `${attempt}:job` : `${attempt}:step:${stepId}`);

/** `Job Overdue`: once per job, attempt and step, when it passes its limit. */
export function jobOverdueEvent(record: JobRecord, overdue: Overdue, step?: JobStep): ServiceEvent {
  const startedAt = step ? step.startedAt : (record.startedAt ?? record.createdAt);
  const clusterId = step?.targetType === 'cluster' && step.target ? step.target : undefined;
  const runningSec = startedAt === undefined ? undefined : Math.max(0, (Date.parse(record.observedAt) - Date.parse(startedAt)) / 1000);
  return {
    detailType: 'Job Overdue',
    time: overdue.since,
    detail: {
      id: eventId('overdue', record.source, record.jobId, overdueKey(record.attempt, step?.stepId)),
      level: step ? 'step' : 'job',
      source: record.source,
      jobId: record.jobId,
      ...(record.name !== undefined && { name: record.name }),
      attempt: record.attempt,
      type: step ? step.type : record.type,
      jobType: record.type,
      ...(step && { stepId: step.stepId }),
      status: step ? step.status : record.status,
      ...(record.fleetId !== undefined && { fleetId: record.fleetId }),
      ...(clusterId !== undefined && { clusterId }),
      // Where it runs, readable on its own: the alarm topic's message (infra/alarms.cjs) shows it as it is.
      where: clusterId !== undefined ? `cluster ${clusterId}` : record.fleetId !== undefined ? `fleet ${record.fleetId}` : 'no known fleet or cluster',
      ...(startedAt !== undefined && { startedAt }),
      ...(runningSec !== undefined && { runningSec: Math.round(runningSec) }),
      limitSec: overdue.limitSec,
      basis: overdue.basis,
      overdueSince: overdue.since,
    },
  };
}
