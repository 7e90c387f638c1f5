import * as z from 'zod';
import { eventId, type ServiceEvent } from './events';
import { IsoMicros } from './record';
import { Level } from './runs';

/**
 * An alert (DESIGN.md "Alerts"): one episode of a rule holding for one subject, from the evaluation where it
 * first held (`openedAt`) to the one where it no longer did (`closedAt`). Declared here, below the store, because
 * the store keeps alert state and writes the alert's events to its outbox in the same transaction; the rules
 * that decide an alert live above, in lib/alerts.
 */

/** What an alert says: a failure-rate spike or a duration regression of a group, or one overdue job. */
export const AlertKind = z.enum(['failure-rate-spike', 'duration-regression', 'overdue']);
export type AlertKind = z.infer<typeof AlertKind>;

/** How an alert's group is formed: the statistics' `groupBy` (`type`, `fleet`, `cluster`), or `job` for `overdue`. */
export const AlertGroupBy = z.enum(['type', 'fleet', 'cluster', 'job']);
export type AlertGroupBy = z.infer<typeof AlertGroupBy>;

/** Figures as the alert keeps them: the `/stats/*` group figures that decided it (or an overdue job's). */
export const AlertFigures = z.record(z.string(), z.unknown());
export type AlertFigures = z.infer<typeof AlertFigures>;

/** One alert episode. */
export const Alert = z.object({
  /** Stable for the episode: the same in every answer and in both of its events' `alertId`. */
  alertId: z.string().min(1),
  kind: AlertKind,
  level: Level,
  groupBy: AlertGroupBy,
  /** The group key as `/stats/*` gives it (`<source>/<type>`, a fleet or cluster id), or `<source>/<jobId>`. */
  key: z.string(),
  openedAt: IsoMicros,
  closedAt: IsoMicros.optional(),
  /** The figures that opened it: the current window's (or the overdue job's age and status). */
  current: AlertFigures,
  /** The baseline window's figures it was compared with (the overdue limit for `overdue`). */
  baseline: AlertFigures,
  /** Why it opened, in a sentence. */
  reason: z.string(),
  /** Why it closed, in a sentence. */
  closedReason: z.string().optional(),
  /** The windows compared (absent for `overdue`). */
  windows: z.object({ current: z.object({ from: IsoMicros, to: IsoMicros }), baseline: z.object({ from: IsoMicros, to: IsoMicros }) }).optional(),
  /** A link to the dashboard view of the group, when the service knows its URL. */
  dashboardUrl: z.string().optional(),
});
export type Alert = z.infer<typeof Alert>;

/** What an alert is about: one subject has at most one open alert at a time. */
export const alertSubject = (a: Pick<Alert, 'kind' | 'level' | 'groupBy' | 'key'>) => `${a.kind}|${a.level}|${a.groupBy}|${a.key}`;

/**
 * The id of an alert opened for `subject` at `openedAt` (µs precision): evaluations racing to open the same
 * episode compute different ids, and the store's condition on the subject lets exactly one of them win.
 */
export const newAlertId = (subject: string, openedAt: string) => eventId('alert', subject, openedAt);

/** A one-line, human-readable account of an alert change: what the `alarmEmail` subscribers read. */
export function alertSummary(alert: Alert, change: 'opened' | 'closed'): string {
  const where = alert.kind === 'overdue' ? `job ${alert.key}` : `${alert.level} ${alert.groupBy} ${alert.key}`;
  const text = change === 'opened' ? alert.reason : (alert.closedReason ?? 'the rule no longer holds');
  const link = alert.dashboardUrl ? ` Dashboard: ${alert.dashboardUrl}` : '';
  return `[${change === 'opened' ? 'OPEN' : 'CLOSED'}] ${alert.kind} on ${where}: ${text}.${link}`;
}

/** `Alert Opened` / `Alert Closed`: `detail.id` is the event's own (one per change), `detail.alertId` the episode's. */
export function alertEvent(alert: Alert, change: 'opened' | 'closed'): ServiceEvent {
  const time = change === 'opened' ? alert.openedAt : (alert.closedAt ?? alert.openedAt);
  return {
    detailType: change === 'opened' ? 'Alert Opened' : 'Alert Closed',
    time,
    detail: {
      id: eventId(`alert-${change}`, alert.alertId),
      alertId: alert.alertId,
      kind: alert.kind,
      level: alert.level,
      groupBy: alert.groupBy,
      key: alert.key,
      openedAt: alert.openedAt,
      ...(alert.closedAt !== undefined && { closedAt: alert.closedAt }),
      current: alert.current,
      baseline: alert.baseline,
      reason: alert.reason,
      ...(alert.closedReason !== undefined && { closedReason: alert.closedReason }),
      ...(alert.windows && { windows: alert.windows }),
      ...(alert.dashboardUrl !== undefined && { dashboardUrl: alert.dashboardUrl }),
      summary: alertSummary(alert, change),
    },
  };
}
