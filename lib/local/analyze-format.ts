import type { AnalysisResult } from './analyze';

/** How `analyze` prints its result without `--json`: one table of durations and one of failure rates. */

const fmt = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The readable form of an analysis (what `analyze` prints without `--json`). */
export function formatAnalysis(result: AnalysisResult): string {
  const { durations: d, failureRates: f } = result;
  const title = `level ${d.level}, by ${d.groupBy}, [${d.from}, ${d.to})`;
  const durationRows = d.groups.map((g) => [g.key, String(g.count), fmt(g.minMs), fmt(g.p50Ms), fmt(g.p90Ms), fmt(g.p95Ms), fmt(g.p99Ms), fmt(g.maxMs), fmt(g.meanMs)]);
  const failureRows = f.groups.map((g) => [
    g.key,
    String(g.total),
    String(g.succeeded),
    String(g.failed),
    String(g.timedOut),
    g.failureRate === null ? '-' : `${(g.failureRate * 100).toFixed(1)}%`,
    g.ci95 === null ? '-' : `${(g.ci95[0] * 100).toFixed(1)}–${(g.ci95[1] * 100).toFixed(1)}%`,
  ]);
  return [
    `Durations (ms), ${title}`,
    durationRows.length ? table(['group', 'count', 'min', 'p50', 'p90', 'p95', 'p99', 'max', 'mean'], durationRows) : '(no terminal runs)',
    '',
    `Failure rates, ${title}`,
    failureRows.length ? table(['group', 'total', 'succeeded', 'failed', 'timed out', 'rate', '95% CI'], failureRows) : '(no terminal runs)',
    '',
  ].join('\n');
}
