// The overview: KPI tiles, charts over time, the calendar heatmap and the four group tables. Ten API calls in
// all, whatever the number of groups: each table is one durations and one failure-rates call (the failure rate's
// sparkline comes from the same call's `series`), never one call per row.
import { api, type DurationGroup, type DurationStatsBody, type FailureGroup, type FailureRateStatsBody, type StatsParams } from './api';
import { countsChart, durationChart, failureRateChart } from './charts';
import { errorBox, h, svg } from './dom';
import { formatChange, formatCount, formatInterval, formatMs, formatRate } from './format';
import { sortOf, withSort, type State, type Window } from './state';

export interface Nav {
  /** Goes to a new state (pushState + render). */
  go(next: State): void;
  /** An API error for the page's header (token prompt, signing hint). */
  reportAuth(error: unknown): void;
}

/** One group table: which level and grouping it asks for, and what a click on a row does. */
interface TableSpec {
  id: string;
  title: string;
  level: 'job' | 'step';
  groupBy: 'type' | 'fleet' | 'cluster';
  /** The state a click on the row with this key goes to. */
  click(key: string, state: State): State;
}

const splitTypeKey = (key: string) => {
  const i = key.indexOf('/');
  return i < 0 ? { type: key } : { source: key.slice(0, i), type: key.slice(i + 1) };
};

export const TABLES: readonly TableSpec[] = [
  { id: 'types', title: 'Job types', level: 'job', groupBy: 'type', click: (key, s) => ({ ...s, ...splitTypeKey(key), level: 'job', cursor: undefined }) },
  { id: 'step-types', title: 'Step types', level: 'step', groupBy: 'type', click: (key, s) => ({ ...s, ...splitTypeKey(key), level: 'step', cursor: undefined }) },
  // The stats routes do not filter by fleet or cluster: a click opens that fleet's or cluster's jobs.
  { id: 'fleets', title: 'Fleets', level: 'job', groupBy: 'fleet', click: (key, s) => ({ ...windowPart(s), view: 'jobs', fleetId: key }) },
  { id: 'clusters', title: 'Clusters', level: 'step', groupBy: 'cluster', click: (key, s) => ({ ...windowPart(s), view: 'jobs', clusterId: key }) },
];

const windowPart = (s: State): State => ({ range: s.range, from: s.from, to: s.to, source: s.source });

/** The filters every stats call of the overview sends; `type` only to the level it names. */
function baseParams(state: State, win: Window, level: 'job' | 'step'): StatsParams {
  const stateLevel = state.level ?? 'job';
  return { from: win.from, to: win.to, source: state.source, level: level === stateLevel ? state.level : level, ...(level === stateLevel && { type: state.type }) };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Renders the overview into `root`; resolves when every section is drawn. */
export async function renderOverview(root: HTMLElement, state: State, win: Window, nav: Nav): Promise<void> {
  const level = state.level === 'step' ? 'step' : 'job';
  const kpiParams: StatsParams = { ...baseParams(state, win, level), level: state.level, groupBy: 'none', interval: win.interval, compare: 'previous' };
  const calls = {
    durations: settle(api.durations(kpiParams)),
    failures: settle(api.failureRates(kpiParams)),
    tables: TABLES.map((t) => {
      const p: StatsParams = { ...baseParams(state, win, t.level), groupBy: t.groupBy };
      return { spec: t, durations: settle(api.durations(p)), failures: settle(api.failureRates({ ...p, interval: win.interval })) };
    }),
  };

  const kpis = h('section', { class: 'kpis', 'aria-label': 'Key figures of the window' });
  const chartsBox = h('section', { class: 'charts', 'aria-label': 'Charts over time' });
  const heat = h('section', { class: 'panel heatmap-panel', 'aria-labelledby': 'heatmap-title' });
  const tables = h('section', { class: 'tables', 'aria-label': 'Groups' });
  root.append(kpis, chartsBox, heat, tables);

  const [dur, fail] = await Promise.all([calls.durations, calls.failures]);
  for (const r of [dur, fail]) if (!r.ok) nav.reportAuth(r.error);
  renderKpis(kpis, dur, fail, win);
  renderCharts(chartsBox, dur, fail);
  renderHeatmap(heat, fail, win);

  await Promise.all(
    calls.tables.map(async ({ spec, durations, failures }) => {
      const box = h('div', { class: 'panel table-panel', id: `table-${spec.id}` });
      tables.appendChild(box);
      const [d, f] = await Promise.all([durations, failures]);
      renderTable(box, spec, d, f, state, nav);
    }),
  );
}

function tile(testid: string, label: string, value: string, raw: number | null | undefined, extra: (Node | string)[], change: string): HTMLElement {
  return h(
    'div',
    { class: 'kpi', 'data-testid': testid, 'data-value': raw === null || raw === undefined ? '' : String(raw) },
    h('div', { class: 'kpi-label' }, label),
    h('div', { class: 'kpi-value' }, value),
    ...extra,
    h('div', { class: 'kpi-change' }, change),
  );
}

function renderKpis(box: HTMLElement, dur: Settled<DurationStatsBody>, fail: Settled<FailureRateStatsBody>, win: Window): void {
  box.dataset.from = win.from;
  box.dataset.to = win.to;
  const previous = fail.ok ? fail.value.previous : undefined;
  if (previous) box.title = `Changes are against the previous window [${previous.from}, ${previous.to})`;
  if (!fail.ok || !dur.ok) {
    box.appendChild(errorBox(messageOf(!fail.ok ? fail.error : !dur.ok ? dur.error : '')));
    return;
  }
  const f = fail.value.groups[0];
  const d = dur.value.groups[0];
  const vs = (s: string) => `${s} vs the previous window`;
  box.append(
    tile('kpi-runs', 'Runs', formatCount(f?.total ?? 0), f?.total ?? 0, [], vs(formatChange(f?.change?.total ?? null, 'count'))),
    tile(
      'kpi-failure-rate',
      'Failure rate',
      formatRate(f?.failureRate),
      f?.failureRate,
      [h('div', { class: 'kpi-sub', 'data-ci': f?.ci95 ? f.ci95.join(',') : '' }, `95 % interval ${formatInterval(f?.ci95)}`)],
      vs(formatChange(f?.change?.failureRate ?? null, 'rate')),
    ),
    tile('kpi-p50', 'p50 duration', formatMs(d?.p50Ms), d?.p50Ms, [], vs(formatChange(d?.change?.p50Ms ?? null, 'ms'))),
    tile('kpi-p95', 'p95 duration', formatMs(d?.p95Ms), d?.p95Ms, [], vs(formatChange(d?.change?.p95Ms ?? null, 'ms'))),
  );
}

function renderCharts(box: HTMLElement, dur: Settled<DurationStatsBody>, fail: Settled<FailureRateStatsBody>): void {
  const panel = (id: string, title: string) => {
    const p = h('div', { class: 'panel chart', id, role: 'figure', 'aria-label': title }, h('h2', {}, title));
    box.appendChild(p);
    return p;
  };
  const d = panel('chart-durations', 'Durations (p50, p90, p95)');
  const r = panel('chart-failure-rate', 'Failure rate and 95 % interval');
  const c = panel('chart-counts', 'Succeeded, failed and timed-out runs');
  if (dur.ok) durationChart(d, dur.value.groups[0]);
  else d.appendChild(errorBox(messageOf(dur.error)));
  if (fail.ok) {
    failureRateChart(r, fail.value.groups[0]);
    countsChart(c, fail.value.groups[0]);
  } else {
    r.appendChild(errorBox(messageOf(fail.error)));
    c.appendChild(errorBox(messageOf(fail.error)));
  }
}

/** Failures per day (rows = weekdays, columns = weeks), or per hour for short windows (rows = days). */
function renderHeatmap(box: HTMLElement, fail: Settled<FailureRateStatsBody>, win: Window): void {
  box.appendChild(h('h2', { id: 'heatmap-title' }, win.interval === 'hour' ? 'Failures per hour' : 'Failures per day'));
  if (!fail.ok) return void box.appendChild(errorBox(messageOf(fail.error)));
  const series = fail.value.groups[0]?.series ?? [];
  if (series.length === 0 || series.every((s) => s.total === 0)) return void box.appendChild(h('p', { class: 'empty' }, 'No runs in this window: no failures to map.'));
  const max = Math.max(1, ...series.map((s) => s.failed + s.timedOut));
  const level = (n: number) => (n === 0 ? 0 : Math.min(4, 1 + Math.floor((3 * n) / max)));
  const cell = (s: (typeof series)[number]) => {
    const n = s.failed + s.timedOut;
    const label = `${win.interval === 'hour' ? `${s.from.slice(0, 13)}:00Z` : s.from.slice(0, 10)}: ${n} failed of ${s.total} runs`;
    return h('div', { class: `cell l${level(n)}`, title: label, 'aria-label': label, role: 'gridcell', 'data-from': s.from }, n ? String(n) : '');
  };
  const grid = h('div', { class: `heatmap ${win.interval}`, role: 'grid', 'aria-labelledby': 'heatmap-title' });
  if (win.interval === 'hour') {
    // One row per UTC day, 24 columns.
    grid.appendChild(h('div', { class: 'row head', role: 'row' }, h('span', { class: 'rowlabel' }, ''), ...Array.from({ length: 24 }, (_, i) => h('span', { class: 'colhead' }, String(i)))));
    const byDay = new Map<string, (typeof series)[number][]>();
    for (const s of series) byDay.set(s.from.slice(0, 10), [...(byDay.get(s.from.slice(0, 10)) ?? []), s]);
    for (const [day, hours] of byDay) {
      const cells: HTMLElement[] = Array.from({ length: 24 }, () => h('div', { class: 'cell none', 'aria-hidden': 'true' }));
      for (const s of hours) cells[Number(s.from.slice(11, 13))] = cell(s);
      grid.appendChild(h('div', { class: 'row', role: 'row' }, h('span', { class: 'rowlabel', role: 'rowheader' }, day), ...cells));
    }
  } else {
    // Columns are ISO weeks (Monday first), rows weekdays.
    const weekday = (iso: string) => (new Date(iso).getUTCDay() + 6) % 7;
    const columns: HTMLElement[][] = [];
    let col: HTMLElement[] = Array.from({ length: 7 }, () => h('div', { class: 'cell none', 'aria-hidden': 'true' }));
    let started = false;
    for (const s of series) {
      const wd = weekday(s.from);
      if (wd === 0 && started) {
        columns.push(col);
        col = Array.from({ length: 7 }, () => h('div', { class: 'cell none', 'aria-hidden': 'true' }));
      }
      started = true;
      col[wd] = cell(s);
    }
    columns.push(col);
    const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    for (let r = 0; r < 7; r++) grid.appendChild(h('div', { class: 'row', role: 'row' }, h('span', { class: 'rowlabel', role: 'rowheader' }, days[r]), ...columns.map((c) => c[r]!)));
  }
  box.append(grid, h('p', { class: 'legend' }, 'Number in each cell = failed + timed-out runs; darker = more. Hover a cell for its runs.'));
}

interface Row {
  key: string;
  runs: number;
  rate: number | null;
  ci: [number, number] | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
  spark: (number | null)[];
}

const COLUMNS: { id: Exclude<keyof Row, 'spark'>; label: string; numeric: boolean }[] = [
  { id: 'key', label: 'Key', numeric: false },
  { id: 'runs', label: 'Runs', numeric: true },
  { id: 'rate', label: 'Failure rate', numeric: true },
  { id: 'ci', label: '95 % interval', numeric: true },
  { id: 'p50', label: 'p50', numeric: true },
  { id: 'p95', label: 'p95', numeric: true },
  { id: 'max', label: 'max', numeric: true },
];

function rowsOf(durations: DurationGroup[], failures: FailureGroup[]): Row[] {
  const byKey = new Map<string, Row>();
  const row = (key: string) => {
    let r = byKey.get(key);
    if (!r) byKey.set(key, (r = { key, runs: 0, rate: null, ci: null, p50: null, p95: null, max: null, spark: [] }));
    return r;
  };
  for (const f of failures) Object.assign(row(f.key), { runs: f.total, rate: f.failureRate, ci: f.ci95, spark: (f.series ?? []).map((s) => s.failureRate) });
  for (const d of durations) Object.assign(row(d.key), { p50: d.p50Ms, p95: d.p95Ms, max: d.maxMs });
  return [...byKey.values()];
}

function sparkline(values: (number | null)[], key: string): SVGElement {
  const w = 80;
  const hgt = 20;
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const known = values.filter((v): v is number => v !== null);
  const top = Math.max(0.01, ...known);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) return void (pen = false);
    d += `${pen ? 'L' : 'M'}${(i * step).toFixed(1)},${(hgt - 1 - (v / top) * (hgt - 2)).toFixed(1)}`;
    pen = true;
  });
  const text = known.length ? `failure rate per bucket of ${key}: ${formatRate(Math.min(...known))} to ${formatRate(Math.max(...known))}` : `no runs of ${key} to draw`;
  return svg('svg', { class: 'spark', width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': text }, svg('title', {}, document.createTextNode(text)), svg('path', { d, fill: 'none', stroke: '#d62728', 'stroke-width': 1.5 }));
}

function compare(a: Row, b: Row, column: keyof Row): number {
  const va = column === 'ci' ? (a.ci?.[1] ?? null) : a[column];
  const vb = column === 'ci' ? (b.ci?.[1] ?? null) : b[column];
  if (va === vb) return 0;
  if (va === null) return 1;
  if (vb === null) return -1;
  return typeof va === 'string' && typeof vb === 'string' ? va.localeCompare(vb) : (va as number) - (vb as number);
}

function renderTable(box: HTMLElement, spec: TableSpec, d: Settled<DurationStatsBody>, f: Settled<FailureRateStatsBody>, state: State, nav: Nav): void {
  const titleId = `table-${spec.id}-title`;
  box.appendChild(h('h2', { id: titleId }, spec.title));
  if (!d.ok || !f.ok) return void box.appendChild(errorBox(messageOf(!d.ok ? d.error : !f.ok ? f.error : '')));
  const sort = sortOf(state, spec.id) ?? { column: 'runs', dir: 'desc' as const };
  const column = (COLUMNS.find((c) => c.id === sort.column)?.id ?? 'runs');
  const rows = rowsOf(d.value.groups, f.value.groups).sort((a, b) => (sort.dir === 'asc' ? 1 : -1) * compare(a, b, column) || a.key.localeCompare(b.key));
  if (rows.length === 0) return void box.appendChild(h('p', { class: 'empty' }, 'No runs in this window.'));
  const action = spec.groupBy === 'type' ? 'Show only' : 'Jobs of';
  const head = h(
    'tr',
    {},
    ...COLUMNS.map((c) => {
      const active = c.id === column;
      const next = active && sort.dir === 'desc' ? 'asc' : 'desc';
      return h(
        'th',
        { scope: 'col', 'aria-sort': active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none', class: c.numeric ? 'num' : '' },
        h('button', { type: 'button', class: 'sort', 'aria-label': `Sort ${spec.title} by ${c.label}, ${next === 'asc' ? 'ascending' : 'descending'}`, onclick: () => nav.go({ ...state, sort: withSort(state, spec.id, c.id, next) }) }, c.label, active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''),
      );
    }),
    h('th', { scope: 'col' }, 'Failure rate over time'),
  );
  const body = h('tbody', {});
  for (const r of rows) {
    const go = () => nav.go(spec.click(r.key, state));
    body.appendChild(
      h(
        'tr',
        { 'data-key': r.key, class: 'clickable', onclick: go },
        h('th', { scope: 'row', 'data-col': 'key' }, h('button', { type: 'button', class: 'rowlink', 'aria-label': `${action} ${r.key}`, onclick: (e: Event) => (e.stopPropagation(), go()) }, r.key)),
        h('td', { class: 'num', 'data-col': 'runs', 'data-value': r.runs }, formatCount(r.runs)),
        h('td', { class: 'num', 'data-col': 'rate', 'data-value': r.rate ?? '' }, formatRate(r.rate)),
        h('td', { class: 'num', 'data-col': 'ci', 'data-value': r.ci ? r.ci.join(',') : '' }, formatInterval(r.ci)),
        h('td', { class: 'num', 'data-col': 'p50', 'data-value': r.p50 ?? '' }, formatMs(r.p50)),
        h('td', { class: 'num', 'data-col': 'p95', 'data-value': r.p95 ?? '' }, formatMs(r.p95)),
        h('td', { class: 'num', 'data-col': 'max', 'data-value': r.max ?? '' }, formatMs(r.max)),
        h('td', {}, sparkline(r.spark, r.key)),
      ),
    );
  }
  box.appendChild(h('div', { class: 'scroll' }, h('table', { 'aria-labelledby': titleId, 'data-table': spec.id }, h('thead', {}, head), body)));
}

