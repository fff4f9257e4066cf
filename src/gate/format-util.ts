// Number formatting shared by the comparison's presentations (terminal table,
// Markdown, annotations): sizes, signed changes, p-values, one metric in a line.
import type { MetricResult } from './compare.ts';
import { METRIC_NAMES } from './thresholds.ts';

export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** A value in its metric's unit: `105.06 MiB`, `312.4 ms`, `2048 MiB`. */
export function formatValue(m: Pick<MetricResult, 'unit'>, v: number | null): string {
  if (v == null) return '–';
  if (m.unit === 'B') return formatBytes(v);
  if (m.unit === 'MiB') return `${Math.round(v)} MiB`;
  return `${v.toFixed(1)} ms`;
}

/** A signed absolute difference: `+1.02 MiB`, `−12.5 ms`, `±0`. */
export function formatDelta(m: MetricResult): string {
  if (m.delta == null) return '–';
  if (m.delta === 0) return '±0';
  const sign = m.delta > 0 ? '+' : '−';
  return `${sign}${formatValue(m, Math.abs(m.delta))}`;
}

/** A signed relative change: `+1.0 %`, `−20.3 %`, `±0.0 %`. */
export function formatChange(change: number | null): string {
  if (change == null) return '–';
  if (!Number.isFinite(change)) return change > 0 ? '+∞' : '−∞';
  const pct = change * 100;
  const digits = Math.abs(pct) < 0.1 && pct !== 0 ? 2 : 1;
  const text = Math.abs(pct).toFixed(digits);
  if (Number(text) === 0) return pct === 0 ? '±0.0 %' : `${pct > 0 ? '+' : '−'}<0.01 %`;
  return `${pct > 0 ? '+' : '−'}${text} %`;
}

export function formatP(p: number | undefined): string {
  if (p == null) return '';
  if (p < 0.0001) return 'p < 0.0001';
  return `p = ${p < 0.01 ? p.toPrecision(2) : p.toFixed(3)}`;
}

/** One metric in a sentence: `tensor peak 105.06 MiB → 106.11 MiB (+1.0 %, +1.05 MiB)`. */
export function describeMetric(m: MetricResult): string {
  const p = m.p != null ? `, ${formatP(m.p)}` : '';
  const what = m.metric === 'time' ? 'median step time' : METRIC_NAMES[m.metric];
  return `${what} ${formatValue(m, m.baseline)} → ${formatValue(m, m.current)} (${formatChange(m.change)}, ${formatDelta(m)}${p})`;
}

/** Pads to a width in characters (not bytes). */
export function pad(text: string, width: number): string {
  const len = [...text].length;
  return len >= width ? text : text + ' '.repeat(width - len);
}
