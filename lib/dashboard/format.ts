// How figures are written on the page. The same rounding everywhere, so a tile and a table row agree.

/** A duration in ms as people read it: 850 ms, 12.3 s, 4.2 min, 1.5 h. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${ms.toFixed(0)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (abs < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** A fraction as a percentage with one decimal: 0.1234 → 12.3 %. */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)} %`;
}

export function formatInterval(ci: readonly [number, number] | null | undefined): string {
  return ci ? `${(ci[0] * 100).toFixed(1)}–${(ci[1] * 100).toFixed(1)} %` : '–';
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A signed change: "+12", "−3.1 pp", "+1.2 s"; "–" without one. */
export function formatChange(value: number | null | undefined, kind: 'count' | 'rate' | 'ms'): string {
  if (value === null || value === undefined) return '–';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  const abs = Math.abs(value);
  const text = kind === 'count' ? formatCount(abs) : kind === 'rate' ? `${(abs * 100).toFixed(1)} pp` : formatMs(abs);
  return `${sign}${text}`;
}

/** An ISO instant in UTC, to the second: 2025-11-10 07:24:03Z. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '–';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}
