import { alertEvent, alertSubject, newAlertId, type Alert, type AlertKind } from '../jobs/alert';
import type { ServiceEvent } from '../jobs/events';
import type { JobRecord } from '../jobs/record';
import { formatIsoMicros } from '../jobs/time';
import { deliverEvents, type EventPublisher } from '../events/publisher';
import { floorTo, MICROS_PER_HOUR } from '../rollup/buckets';
import { groupFigures, type GroupFigures } from '../stats/query';
import type { OverdueJudge } from '../stats/overdue';
import type { JobStore } from '../store/port';
import type { AlertConfig } from './config';
import { ALERT_GROUPS, GROUP_RULES, transition } from './rules';

/**
 * One alert evaluation (DESIGN.md "Alerts"). At `t` = the start of the current UTC hour it compares, per group of
 * ALERT_GROUPS, the figures of `current = [t − window, t)` with `baseline = [t − window − baseline, t − window)`,
 * read through the statistics engine (so exactly what `/stats/*` answers for those windows, and, both windows
 * being whole hours, from rollups only), applies the rules of ./rules.ts, and judges the jobs in flight for
 * `overdue`. Only changes are written: an open or a close is one conditional transaction with its event
 * (lib/store), so racing or retried evaluations open and close each episode once, and a steady evaluation
 * with nothing open writes nothing.
 */

/** What an evaluation needs from the outside world. */
export interface EvaluationDeps {
  store: JobStore;
  /** Where the alert events go; without it they wait in the outbox. */
  events?: EventPublisher;
  /** Judges which in-flight jobs are overdue; without it no `overdue` alert opens (open ones still close). */
  judge?: OverdueJudge;
  now: () => Date;
}

/** The structured summary of one evaluation. */
export interface EvaluationSummary {
  evaluatedAt: string;
  /** The windows compared. */
  current: { from: string; to: string };
  baseline: { from: string; to: string };
  /** Groups judged (with at least one run in the current window), over every grouping. */
  groups: number;
  /** In-flight jobs judged for `overdue`. */
  inFlight: number;
  opened: number;
  closed: number;
  /** Opens and closes another evaluation made first (its transaction won; this one wrote nothing). */
  raced: number;
  /** Alerts open after this evaluation. */
  open: number;
  eventsPublished: number;
  eventsPending: number;
}

/** In-flight listing pages read per evaluation at most (100 jobs each). */
const MAX_IN_FLIGHT_PAGES = 50;

/** A change the evaluation wants to make. */
type Change = { change: 'opened'; alert: Alert } | { change: 'closed'; alert: Alert };

/**
 * The dashboard view of an alert's subject, in the page's own URL state (lib/dashboard/state.ts; the page may not
 * be imported here, test/unit/alerts/dashboard-link.test.ts reads these links with it): a type group opens the
 * overview of that source and type over both windows (`range=custom&from&to&level&source&type`); a fleet or a
 * cluster opens the jobs explorer filtered to it (the stats routes do not filter by them); an overdue job opens
 * its job page.
 */
export function dashboardUrl(apiUrl: string | undefined, view: { level: string; groupBy: string; from: string; to: string; key: string }): string | undefined {
  if (!apiUrl) return undefined;
  const split = (key: string, at: string) => {
    const i = key.indexOf(at);
    return i < 0 ? [key, ''] : [key.slice(0, i), key.slice(i + at.length)];
  };
  let state: Record<string, string>;
  if (view.groupBy === 'type') {
    const [source, type] = split(view.key, '/');
    state = { range: 'custom', from: view.from, to: view.to, level: view.level, source: source!, type: type! };
  } else if (view.groupBy === 'fleet') state = { view: 'jobs', fleetId: view.key };
  else if (view.groupBy === 'cluster') state = { view: 'jobs', clusterId: view.key };
  else {
    // An overdue job: `<source>/<jobId>#<attempt>`.
    const [source, rest] = split(view.key, '/');
    state = { view: 'job', source: source!, jobId: split(rest!, '#')[0]! };
  }
  return `${apiUrl}/dashboard/?${new URLSearchParams(state).toString()}`;
}

/** Runs one evaluation at `deps.now()`. */
export async function evaluateAlerts(deps: EvaluationDeps, config: AlertConfig): Promise<EvaluationSummary> {
  const { store } = deps;
  const nowUs = deps.now().getTime() * 1000;
  const evaluatedAt = formatIsoMicros(nowUs);
  const t = floorTo(nowUs, MICROS_PER_HOUR);
  const current = { from: formatIsoMicros(t - config.windowUs), to: formatIsoMicros(t) };
  const baseline = { from: formatIsoMicros(t - config.windowUs - config.baselineUs), to: current.from };

  const [openNow, figures] = await Promise.all([
    store.openAlerts(),
    Promise.all(
      ALERT_GROUPS.map(async (g) => {
        const q = { level: g.level, groupBy: g.groupBy, attempt: 'all' as const };
        const [now, before] = await Promise.all([groupFigures(store, { ...q, ...current }), groupFigures(store, { ...q, ...baseline })]);
        return { ...g, now, before: new Map(before.map((b) => [b.key, b])) };
      }),
    ),
  ]);
  const open = new Map(openNow.map((a) => [alertSubject(a), a]));
  const changes: Change[] = [];
  const judged = new Set<string>();
  let groups = 0;

  for (const { level, groupBy, now, before } of figures) {
    groups += now.length;
    for (const group of now) {
      for (const kind of Object.keys(GROUP_RULES) as (keyof typeof GROUP_RULES)[]) {
        const base: GroupFigures | undefined = before.get(group.key);
        const verdict = GROUP_RULES[kind](group, base, config.minRuns);
        const subject = { kind, level, groupBy, key: group.key };
        const id = alertSubject(subject);
        judged.add(id);
        const existing = open.get(id);
        const step = transition(existing !== undefined, verdict.holds);
        if (step === 'open') {
          const pick = (f: GroupFigures | undefined) => (f === undefined ? {} : kind === 'failure-rate-spike' ? f.failures : f.durations);
          changes.push({
            change: 'opened',
            alert: {
              ...subject,
              alertId: newAlertId(id, evaluatedAt),
              openedAt: evaluatedAt,
              current: pick(group),
              baseline: pick(base),
              reason: verdict.reason,
              windows: { current, baseline },
              ...definedUrl(dashboardUrl(config.apiUrl, { level, groupBy, from: baseline.from, to: current.to, key: group.key })),
            },
          });
        } else if (step === 'close' && existing) {
          changes.push({ change: 'closed', alert: { ...existing, closedAt: evaluatedAt, closedReason: verdict.reason } });
        }
      }
    }
  }
  // A group with no run left in the current window: its rule cannot hold any more.
  for (const [id, alert] of open) {
    if (alert.kind !== 'overdue' && !judged.has(id)) changes.push({ change: 'closed', alert: { ...alert, closedAt: evaluatedAt, closedReason: 'no runs in the current window' } });
  }

  const inFlight = await overdueChanges(deps, open, nowUs, evaluatedAt, changes);

  const events: ServiceEvent[] = [];
  let opened = 0;
  let closed = 0;
  let raced = 0;
  // Closes first: a subject may close one episode and open the next in one evaluation.
  for (const c of [...changes.filter((x) => x.change === 'closed'), ...changes.filter((x) => x.change === 'opened')]) {
    const event = alertEvent(c.alert, c.change);
    const won = c.change === 'opened' ? await store.openAlert(c.alert, event) : await store.closeAlert(c.alert, event);
    if (!won) raced += 1;
    else {
      events.push(event);
      if (c.change === 'opened') opened += 1;
      else closed += 1;
    }
  }
  const delivery = deps.events ? await deliverEvents(store, deps.events, events) : { published: 0, pending: events.length };
  return {
    evaluatedAt,
    current,
    baseline,
    groups,
    inFlight,
    opened,
    closed,
    raced,
    open: open.size + opened - closed,
    eventsPublished: delivery.published,
    eventsPending: delivery.pending,
  };
}

/** Running or pending: the statuses an overdue alert stays open in. */
const isInFlight = (status: string) => status === 'running' || status === 'pending';

const definedUrl = (url: string | undefined) => (url === undefined ? {} : { dashboardUrl: url });

/** The subject key of an overdue job's attempt: `<source>/<jobId>#<attempt>` (a retry is a new episode). */
const overdueKeyOf = (job: Pick<JobRecord, 'source' | 'jobId' | 'attempt'>) => `${job.source}/${job.jobId}#${job.attempt}`;

/**
 * The `overdue` changes: one alert per overdue job (and attempt), from the in-flight index only; an open one
 * closes once its job's attempt is no longer running or pending (checked on the job itself, strongly
 * consistent, since the index lags). Returns the number of in-flight jobs judged.
 */
async function overdueChanges(deps: EvaluationDeps, open: Map<string, Alert>, nowUs: number, evaluatedAt: string, changes: Change[]): Promise<number> {
  const openOverdue = [...open.values()].filter((a) => a.kind === 'overdue');
  if (!deps.judge && openOverdue.length === 0) return 0;
  const inFlight = new Map<string, JobRecord>();
  let startKey: Record<string, string> | undefined;
  for (let page = 0; page < MAX_IN_FLIGHT_PAGES; page++) {
    const out = await deps.store.listJobs({ inFlight: true }, 100, startKey);
    for (const job of out.items) inFlight.set(overdueKeyOf(job), job);
    startKey = out.nextKey;
    if (!startKey) break;
  }
  if (deps.judge) {
    const judge = deps.judge;
    const views = await Promise.all([...inFlight.values()].map((job) => judge.judge(job, nowUs)));
    for (const view of views) {
      if (!view.overdue) continue;
      const key = overdueKeyOf(view);
      const subject = { kind: 'overdue' as AlertKind, level: 'job' as const, groupBy: 'job' as const, key };
      const id = alertSubject(subject);
      if (open.has(id)) continue;
      const startedAt = view.startedAt ?? view.createdAt;
      const runningSec = startedAt === undefined ? undefined : Math.round((nowUs - Date.parse(startedAt) * 1000) / 1e6);
      changes.push({
        change: 'opened',
        alert: {
          ...subject,
          alertId: newAlertId(id, evaluatedAt),
          openedAt: evaluatedAt,
          current: {
            source: view.source,
            jobId: view.jobId,
            attempt: view.attempt,
            type: view.type,
            status: view.status,
            ...(view.name !== undefined && { name: view.name }),
            ...(startedAt !== undefined && { startedAt }),
            ...(runningSec !== undefined && { runningSec }),
          },
          baseline: { ...view.overdue },
          reason: `job ${view.name ?? view.jobId} (${view.source}/${view.type}, attempt ${view.attempt}) is ${view.status}${runningSec === undefined ? '' : ` after ${runningSec} s`}, past its ${view.overdue.basis} limit of ${view.overdue.limitSec} s`,
        },
      });
    }
  }
  for (const alert of openOverdue) {
    if (inFlight.has(alert.key)) continue;
    const { source, jobId, attempt } = alert.current as { source?: JobRecord['source']; jobId?: string; attempt?: number };
    const found = source && jobId ? await deps.store.getJob(source, jobId) : undefined;
    const job = found?.job;
    if (job && job.attempt === attempt && isInFlight(job.status)) continue;
    const why = !job ? 'the job is no longer known' : job.attempt !== attempt ? `attempt ${attempt} ended (the job is on attempt ${job.attempt})` : `the job is now ${job.status}`;
    changes.push({ change: 'closed', alert: { ...alert, closedAt: evaluatedAt, closedReason: why } });
  }
  return inFlight.size;
}
