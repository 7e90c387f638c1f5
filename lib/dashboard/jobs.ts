// The jobs explorer (recent jobs, filtered, paged with the API's cursor) and one job's page: its record, the
// history of its observed states as a timeline, and a Gantt chart of its steps.
import { api, type Job, type JobHistoryBody } from './api';
import { errorBox, h } from './dom';
import { formatMs, formatTime } from './format';
import type { Nav } from './overview';
import type { State } from './state';

const STATUSES = ['succeeded', 'failed', 'timed_out', 'running', 'pending', 'unknown'];
const PAGE = '25';

/** A status as text with a shape beside the colour, so colour never carries it alone. */
export function statusPill(status: string): HTMLElement {
  const mark: Record<string, string> = { succeeded: '✓', failed: '✗', timed_out: '⏱', running: '▶', pending: '…', unknown: '?' };
  return h('span', { class: `status s-${status}` }, `${mark[status] ?? '?'} ${status.replace('_', ' ')}`);
}

export function jobLink(state: State, job: { source: string; jobId: string; name?: string }, nav: Nav): HTMLElement {
  const next: State = { ...state, view: 'job', source: job.source, jobId: job.jobId, cursor: undefined };
  return h('a', { href: navHref(next), onclick: (e: Event) => (e.preventDefault(), nav.go(next)) }, job.name ?? job.jobId);
}

/** The href of a state (for links that also work opened in a new tab). */
export function navHref(state: State): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v) params.set(k, v);
  return `${location.pathname}?${params.toString()}`;
}

const sortTime = (j: Job) => j.startedAt ?? j.createdAt;

export async function renderJobs(root: HTMLElement, state: State, nav: Nav): Promise<void> {
  const form = h('form', { class: 'panel filters', 'aria-label': 'Job filters' });
  const status = h('select', { id: 'f-status', name: 'status' }, h('option', { value: '' }, 'any'), ...STATUSES.map((s) => h('option', { value: s, selected: state.status === s }, s)));
  if (state.status && !STATUSES.includes(state.status)) status.appendChild(h('option', { value: state.status, selected: true }, state.status));
  const type = h('input', { id: 'f-jobtype', name: 'jobType', type: 'text', value: state.jobType ?? '', placeholder: 'any type' });
  const fleet = h('input', { id: 'f-fleet', name: 'fleetId', type: 'text', value: state.fleetId ?? '', placeholder: 'any fleet' });
  const cluster = h('input', { id: 'f-cluster', name: 'clusterId', type: 'text', value: state.clusterId ?? '', placeholder: 'any cluster' });
  form.append(
    h('label', { for: 'f-status' }, 'Status '), status,
    h('label', { for: 'f-jobtype' }, 'Type '), type,
    h('label', { for: 'f-fleet' }, 'Fleet '), fleet,
    h('label', { for: 'f-cluster' }, 'Cluster '), cluster,
    h('button', { type: 'submit' }, 'Apply'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    nav.go({ ...state, status: status.value || undefined, jobType: type.value.trim() || undefined, fleetId: fleet.value.trim() || undefined, clusterId: cluster.value.trim() || undefined, cursor: undefined });
  });
  const list = h('section', { class: 'panel', 'aria-labelledby': 'jobs-title' }, h('h2', { id: 'jobs-title' }, 'Recent jobs'));
  root.append(form, list);
  try {
    const page = await api.jobs({ source: state.source, type: state.jobType, status: state.status, fleetId: state.fleetId, clusterId: state.clusterId, limit: PAGE, cursor: state.cursor });
    if (page.items.length === 0) list.appendChild(h('p', { class: 'empty' }, 'No jobs match these filters.'));
    else {
      const rows = page.items.map((j) =>
        h(
          'tr',
          { 'data-key': `${j.source}/${j.jobId}` },
          h('td', {}, jobLink(state, j, nav)),
          h('td', {}, j.source),
          h('td', {}, j.type),
          h('td', {}, statusPill(j.status), j.overdue ? h('span', { class: 'tag overdue' }, ' overdue') : null),
          h('td', { class: 'num' }, String(j.attempt)),
          h('td', {}, formatTime(sortTime(j))),
          h('td', { class: 'num' }, formatMs(j.durationMs)),
          h('td', {}, j.fleetId ?? '–'),
          h('td', { class: 'num' }, String(j.steps.length)),
        ),
      );
      const heads = ['Job', 'Source', 'Type', 'Status', 'Attempt', 'Started', 'Duration', 'Fleet', 'Steps'];
      list.appendChild(h('div', { class: 'scroll' }, h('table', { 'aria-labelledby': 'jobs-title', 'data-table': 'jobs' }, h('thead', {}, h('tr', {}, ...heads.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, ...rows))));
    }
    const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
    if (state.cursor) pager.appendChild(h('button', { type: 'button', onclick: () => nav.go({ ...state, cursor: undefined }) }, '« First page'));
    if (page.nextCursor) {
      const next = page.nextCursor;
      pager.appendChild(h('button', { type: 'button', 'data-testid': 'next-page', onclick: () => nav.go({ ...state, cursor: next }) }, 'Next page »'));
    }
    list.appendChild(pager);
  } catch (error) {
    nav.reportAuth(error);
    list.appendChild(errorBox((error as Error).message));
  }
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);

export async function renderJob(root: HTMLElement, state: State, nav: Nav): Promise<void> {
  if (!state.source || !state.jobId) {
    root.appendChild(errorBox('a job page needs source and jobId in the URL'));
    return;
  }
  const source = state.source;
  // p95 per step type over the 30 days up to the next hour: one call for every step of the job.
  const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  const from = new Date(to.getTime() - 30 * 86_400_000);
  const [jobAnswer, p95s] = await Promise.allSettled([
    api.job(source, state.jobId),
    api.durations({ level: 'step', groupBy: 'type', source, from: from.toISOString(), to: to.toISOString() }),
  ]);
  if (jobAnswer.status === 'rejected') {
    nav.reportAuth(jobAnswer.reason);
    root.appendChild(errorBox((jobAnswer.reason as Error).message));
    return;
  }
  const { job, history } = jobAnswer.value;
  const p95 = new Map<string, number>();
  if (p95s.status === 'fulfilled') for (const g of p95s.value.groups) if (g.p95Ms !== null) p95.set(g.key, g.p95Ms);
  root.append(
    h('h2', { class: 'job-title' }, `${job.name ?? job.jobId}`, ' ', statusPill(job.status)),
    record(job),
    gantt(job, p95, p95s.status === 'rejected' ? (p95s.reason as Error).message : undefined),
    timeline(history),
  );
}

function record(job: JobHistoryBody['job']): HTMLElement {
  const fields: [string, string | undefined][] = [
    ['Source', job.source],
    ['Job id', job.jobId],
    ['Type', job.type],
    ['Status', `${job.status}${job.rawStatus ? ` (${job.rawStatus})` : ''}`],
    ['Reason', job.reason],
    ['Attempt', String(job.attempt)],
    ['Fleet', job.fleetId],
    ['Clusters', job.clusterIds?.join(', ')],
    ['Created', formatTime(job.createdAt)],
    ['Started', formatTime(job.startedAt)],
    ['Finished', formatTime(job.finishedAt)],
    ['Duration', formatMs(job.durationMs)],
    ['Timeout', job.waitTimeoutSec !== undefined ? `${job.waitTimeoutSec} s` : undefined],
    ['Overdue', job.overdue ? `since ${formatTime(job.overdue.since)} (limit ${job.overdue.limitSec} s, ${job.overdue.basis})` : undefined],
    ['Last observed', formatTime(job.observedAt)],
  ];
  return h('section', { class: 'panel', 'aria-labelledby': 'record-title' }, h('h2', { id: 'record-title' }, 'Record'), h('dl', { class: 'record' }, ...fields.filter(([, v]) => v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
}

function gantt(job: JobHistoryBody['job'], p95: Map<string, number>, p95Error: string | undefined): HTMLElement {
  const box = h('section', { class: 'panel', 'aria-labelledby': 'gantt-title' }, h('h2', { id: 'gantt-title' }, `Steps (${job.steps.length})`));
  if (p95Error) box.appendChild(errorBox(`step p95s unavailable: ${p95Error}`));
  if (job.steps.length === 0) return (box.appendChild(h('p', { class: 'empty' }, 'This job has no steps.')), box);
  const now = Date.now();
  const starts = job.steps.map((s) => ms(s.startedAt)).filter((x): x is number => x !== undefined);
  const ends = job.steps.map((s) => ms(s.finishedAt) ?? (s.startedAt ? now : undefined)).filter((x): x is number => x !== undefined);
  const t0 = Math.min(...starts, ms(job.startedAt) ?? Infinity);
  const t1 = Math.max(...ends, ms(job.finishedAt) ?? -Infinity);
  const span = Number.isFinite(t0) && Number.isFinite(t1) && t1 > t0 ? t1 - t0 : 1;
  const lastFinish = Math.max(...job.steps.map((s) => ms(s.finishedAt) ?? -Infinity));
  const rows = job.steps.map((s) => {
    const a = ms(s.startedAt);
    const b = ms(s.finishedAt) ?? (a !== undefined ? now : undefined);
    const limit = p95.get(`${job.source}/${s.type}`);
    const slow = limit !== undefined && s.durationMs !== undefined && s.durationMs > limit;
    const last = Number.isFinite(lastFinish) && ms(s.finishedAt) === lastFinish;
    const notes = [last ? 'finished last' : '', slow ? `longer than its type's p95 (${formatMs(limit)})` : ''].filter(Boolean);
    const bar = h('div', { class: `gantt-bar s-${s.status}${last ? ' last' : ''}${slow ? ' slow' : ''}`, 'data-step-id': s.stepId, title: `${s.type}: ${formatTime(s.startedAt)} → ${formatTime(s.finishedAt)} (${formatMs(s.durationMs)})` });
    if (a !== undefined && b !== undefined && Number.isFinite(t0)) {
      bar.style.left = `${(((a - t0) / span) * 100).toFixed(2)}%`;
      bar.style.width = `${Math.max(0.5, ((b - a) / span) * 100).toFixed(2)}%`;
    } else bar.classList.add('unstarted');
    return h(
      'div',
      { class: 'gantt-row', role: 'listitem' },
      h('div', { class: 'gantt-label', title: `${s.stepId}${s.target ? ` → ${s.target}` : ''}` }, h('span', { class: 'step-name' }, s.type), h('span', { class: 'step-type' }, ` ${s.name ?? s.target ?? s.stepId}`)),
      h('div', { class: 'gantt-track' }, bar),
      h('div', { class: 'gantt-info' }, statusPill(s.status), ` ${formatMs(s.durationMs)}`, ...notes.map((n) => h('span', { class: `tag ${n.startsWith('finished') ? 'last' : 'slow'}` }, n))),
    );
  });
  const axis = Number.isFinite(t0) ? h('div', { class: 'gantt-axis' }, h('span', {}, formatTime(new Date(t0).toISOString())), h('span', {}, formatTime(new Date(t0 + span).toISOString()))) : null;
  box.append(h('div', { class: 'gantt', role: 'list' }, ...rows), axis ?? '');
  return box;
}

function timeline(history: JobHistoryBody['history']): HTMLElement {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, `Observed states (${history.length})`),
    h(
      'ol',
      { class: 'timeline' },
      ...history.map((r) =>
        h(
          'li',
          {},
          h('time', { datetime: r.observedAt }, formatTime(r.observedAt)),
          ' ',
          statusPill(r.status),
          ` attempt ${r.attempt}`,
          r.reason ? ` — ${r.reason}` : '',
          ` · steps: ${r.steps.map((s) => s.status.replace('_', ' ')).join(', ') || 'none'}`,
        ),
      ),
    ),
  );
}
