// Charts over time, drawn by uPlot (README "Dashboard": why uPlot). Each chart carries its meaning in text as
// well as colour: a legend with labels and values, dashes that differ per line, hatching on failed bars.
import uPlot from 'uplot';
import type { DurationGroup, FailureGroup } from './api';
import { h } from './dom';
import { formatCount, formatMs, formatRate } from './format';

const HEIGHT = 220;
const sec = (iso: string) => Date.parse(iso) / 1000;

/** Resolves once every chart drawn since the last reset has drawn once: the page's "charts drawn" moment. */
export const drawn = {
  pending: 0,
  waiters: [] as (() => void)[],
  reset() {
    // A replaced view's render stops waiting (its result is dropped).
    this.pending = 0;
    for (const w of this.waiters.splice(0)) w();
  },
  add() {
    this.pending++;
  },
  done() {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) for (const w of this.waiters.splice(0)) w();
  },
  whenAll(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  },
};

const charts = new Set<uPlot>();
let resizeBound = false;

/** Width of the chart's box (the grid column it sits in), at least 280 px. */
const widthOf = (el: HTMLElement) => Math.max(280, Math.floor(el.getBoundingClientRect().width) - 16);

function hatch(colour: string, background: string): CanvasPattern | string {
  const c = document.createElement('canvas');
  c.width = c.height = 8;
  const g = c.getContext('2d');
  if (!g) return colour;
  g.fillStyle = background;
  g.fillRect(0, 0, 8, 8);
  g.strokeStyle = colour;
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(0, 8);
  g.lineTo(8, 0);
  g.stroke();
  return g.createPattern(c, 'repeat') ?? colour;
}

function mount(box: HTMLElement, opts: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData): void {
  drawn.add();
  let first = true;
  const plot = new uPlot(
    {
      ...opts,
      width: widthOf(box),
      height: HEIGHT,
      // Buckets are UTC hours and days: the axis says UTC too, whatever the browser's zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      hooks: {
        draw: [
          () => {
            if (first) {
              first = false;
              drawn.done();
            }
          },
        ],
      },
    },
    data,
    box,
  );
  charts.add(plot);
  if (!resizeBound) {
    resizeBound = true;
    addEventListener('resize', () => {
      for (const c of charts) if (c.root.isConnected) c.setSize({ width: widthOf(c.root.parentElement ?? c.root), height: HEIGHT });
    });
  }
}

/** Forgets the charts of a view that was replaced. */
export function disposeCharts(): void {
  for (const c of charts) c.destroy();
  charts.clear();
  drawn.reset();
}

/** The "no runs" box a chart shows instead of an empty axis. */
function empty(box: HTMLElement, what: string): void {
  box.appendChild(h('p', { class: 'empty' }, `No runs in this window: no ${what} to draw.`));
}

const timeAxis: uPlot.Axis = { stroke: '#444', grid: { stroke: '#eee' } };
/** A dot on every bucket with a value: a bucket between two empty ones has no line to show it otherwise. */
const dots: uPlot.Series.Points = { show: true, size: 6 };

/** p50, p90 and p95 duration per bucket (the `series` of the one `none` group). */
export function durationChart(box: HTMLElement, group: DurationGroup | undefined): void {
  const series = group?.series ?? [];
  if (!group || group.count === 0 || series.every((s) => s.count === 0)) return empty(box, 'durations');
  const xs = series.map((s) => sec(s.from));
  const pick = (k: 'p50Ms' | 'p90Ms' | 'p95Ms') => series.map((s) => s[k]);
  mount(
    box,
    {
      title: 'Duration percentiles',
      scales: { x: { time: true } },
      series: [
        {},
        { label: 'p50', stroke: '#1f77b4', width: 2, points: dots, value: (_u, v) => formatMs(v), spanGaps: false },
        { label: 'p90', stroke: '#9467bd', width: 2, dash: [6, 4], points: dots, value: (_u, v) => formatMs(v) },
        { label: 'p95', stroke: '#d62728', width: 2, dash: [2, 3], points: dots, value: (_u, v) => formatMs(v) },
      ],
      axes: [timeAxis, { ...timeAxis, size: 70, values: (_u, ticks) => ticks.map((t) => formatMs(t)) }],
    },
    [xs, pick('p50Ms'), pick('p90Ms'), pick('p95Ms')],
  );
}

/** The failure rate per bucket with its Wilson 95 % band. */
export function failureRateChart(box: HTMLElement, group: FailureGroup | undefined): void {
  const series = group?.series ?? [];
  if (!group || group.total === 0 || series.every((s) => s.total === 0)) return empty(box, 'failure rate');
  const xs = series.map((s) => sec(s.from));
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : v * 100);
  mount(
    box,
    {
      title: 'Failure rate with its 95 % interval',
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, Math.min(100, Math.ceil(max * 1.1)))] } },
      series: [
        {},
        { label: 'failure rate', stroke: '#d62728', width: 2, points: dots, value: (_u, v) => (v === null ? '–' : formatRate(v / 100)) },
        { label: '95 % low', stroke: '#f4a3a3', width: 1, dash: [3, 3], value: (_u, v) => (v === null ? '–' : formatRate(v / 100)) },
        { label: '95 % high', stroke: '#f4a3a3', width: 1, dash: [3, 3], value: (_u, v) => (v === null ? '–' : formatRate(v / 100)) },
      ],
      bands: [{ series: [3, 2], fill: 'rgba(214, 39, 40, 0.12)' }],
      axes: [timeAxis, { ...timeAxis, size: 56, values: (_u, ticks) => ticks.map((t) => `${t} %`) }],
    },
    [xs, series.map((s) => pct(s.failureRate)), series.map((s) => pct(s.ci95?.[0])), series.map((s) => pct(s.ci95?.[1]))],
  );
}

/** Succeeded, failed and timed-out runs per bucket, stacked (drawn as cumulative bars, the legend shows each count). */
export function countsChart(box: HTMLElement, group: FailureGroup | undefined): void {
  const series = group?.series ?? [];
  if (!group || group.total === 0 || series.every((s) => s.total === 0)) return empty(box, 'runs');
  const xs = series.map((s) => sec(s.from));
  const raw = [series.map((s) => s.timedOut), series.map((s) => s.failed), series.map((s) => s.succeeded)];
  const bars = uPlot.paths.bars!({ size: [0.8, 40], align: 0 });
  const shown = (i: number) => (_u: uPlot, _v: number | null, _si: number, idx: number | null) => (idx === null ? '–' : formatCount(raw[i]![idx] ?? 0));
  mount(
    box,
    {
      title: 'Runs per bucket',
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.05))] } },
      series: [
        {},
        // Drawn tallest first: each later series covers the part of the bar below it.
        { label: 'timed out', stroke: '#8c564b', fill: hatch('#8c564b', '#e8d3cf'), paths: bars, points: { show: false }, width: 1, value: shown(0) },
        { label: 'failed', stroke: '#d62728', fill: hatch('#d62728', '#f7cccc'), paths: bars, points: { show: false }, width: 1, value: shown(1) },
        { label: 'succeeded', stroke: '#2c7a2c', fill: '#9fd49f', paths: bars, points: { show: false }, width: 1, value: shown(2) },
      ],
      axes: [timeAxis, { ...timeAxis, size: 56 }],
    },
    [xs, series.map((s) => s.succeeded + s.failed + s.timedOut), series.map((s) => s.succeeded + s.failed), series.map((s) => s.succeeded)],
  );
}
