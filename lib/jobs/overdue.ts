import * as z from 'zod';
import { logger } from '../observability';
import { IsoMicros, JobRecord, JobStep, type CanonicalStatus } from './record';
import { formatIsoMicros, parseInstantMicros } from './time';

/**
 * When a job or step is overdue (DESIGN.md "Overdue jobs"): it is `running` or `pending` and its age,
 * `now − (startedAt ?? createdAt)`, passed its limit. The limit is its declared timeout (a policy job's
 * `waitTimeoutSec`, a task's `waitTimeOut`); without one, `OVERDUE_FACTOR` × the 30-day p99 of its type when
 * that type has enough runs; else it is never overdue. Derived at read time: not a UCS state, so never a revision
 * and never part of the fingerprint.
 */

/** What an overdue record carries in the API's answers. */
export const Overdue = z.object({
  /** When the limit passed. */
  since: IsoMicros,
  limitSec: z.number().positive(),
  basis: z.enum(['declared', 'p99']),
});
export type Overdue = z.infer<typeof Overdue>;

/** The limit of one job or step, and where it comes from. */
export type OverdueLimit = Pick<Overdue, 'limitSec' | 'basis'>;

/** The p99 figures of a type over the 30 days before now (from the rollups), as the limit needs them. */
export interface TypeP99 {
  p99Ms: number | null;
  /** Runs with a duration the p99 is taken over. */
  count: number;
}

/** The limit: the declared timeout, else `factor` × the type's p99 when it has at least `minRuns` durations. */
export function overdueLimit(declaredSec: number | undefined, p99: TypeP99 | undefined, options: { factor: number; minRuns: number }): OverdueLimit | undefined {
  if (declaredSec !== undefined && declaredSec > 0) return { limitSec: declaredSec, basis: 'declared' };
  if (!p99 || p99.p99Ms === null || p99.count < options.minRuns || !(p99.p99Ms > 0)) return undefined;
  // Microsecond precision, like every duration we report.
  return { limitSec: Math.round(options.factor * p99.p99Ms * 1000) / 1e6, basis: 'p99' };
}

/** Ids of records whose start lies in the future already logged by this process (UCS clock skew: once each). */
const skewLogged = new Set<string>();

/**
 * Whether a job or step in `status`, started (else created) at `startedAt ?? createdAt`, is overdue at `nowUs`
 * under `limit`. One whose start lies after now (UCS clock skew) is never overdue; it is logged once per `id`.
 */
export function overdueOf(
  subject: { id: string; status: CanonicalStatus; startedAt?: string; createdAt?: string },
  limit: OverdueLimit | undefined,
  nowUs: number,
): Overdue | undefined {
  if (!limit || (subject.status !== 'running' && subject.status !== 'pending')) return undefined;
  const since = subject.startedAt ?? subject.createdAt;
  const startUs = since === undefined ? undefined : parseInstantMicros(since);
  if (startUs === undefined) return undefined;
  if (startUs > nowUs) {
    if (!skewLogged.has(subject.id)) {
      skewLogged.add(subject.id);
      logger.warn('a job starts in the future (UCS clock skew?): never overdue until it has started', { id: subject.id, startedAt: since });
    }
    return undefined;
  }
  const dueUs = startUs + Math.round(limit.limitSec * 1_000_000);
  return nowUs > dueUs ? { since: formatIsoMicros(dueUs), ...limit } : undefined;
}

/** A step as the API shows it: the stored step, and `overdue` when it is overdue now. */
export const JobStepView = JobStep.extend({ overdue: Overdue.optional() });
/** A job as the API shows it: the stored record, and `overdue` on it and its steps when they are overdue now. */
export const JobView = JobRecord.extend({ overdue: Overdue.optional(), steps: z.array(JobStepView) });
export type JobView = z.infer<typeof JobView>;
