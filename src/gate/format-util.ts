// The comparison's own wording, shared by its presentations (terminal table,
// Markdown, annotations): a metric's value and change, p-values, one metric
// in a line. Units are results/units.ts's, as in the reports.
import { formatBytes, formatChange, formatMiB, formatMs, MISSING } from '../results/units.ts';
import type { MetricResult } from './compare.ts';
import { METRIC_NAMES } from './thresholds.ts';

/** A value in its metric's unit: `105.06 MB`, `312 ms`, `2,048 MiB`. */
export function formatValue(m: Pick<MetricResult, 'unit'>, v: number | null): string {
  if (v == null) return MISSING;
  if (m.unit === 'B') return formatBytes(v);
  if (m.unit === 'MiB') return formatMiB(v);
  return formatMs(v);
}

/** A signed absolute difference: `+1.02 MB`, `−12.5 ms`, `±0`. */
export function formatDelta(m: MetricResult): string {
  if (m.delta == null) return MISSING;
  if (m.delta === 0) return '±0';
  const sign = m.delta > 0 ? '+' : '−';
  return `${sign}${formatValue(m, Math.abs(m.delta))}`;
}

export function formatP(p: number | undefined): string {
  if (p == null) return '';
  if (p < 0.0001) return 'p < 0.0001';
  return `p = ${p < 0.01 ? p.toPrecision(2) : p.toFixed(3)}`;
}

/** One metric in a sentence: `tensor peak 105.06 MB → 106.11 MB (+1.0 %, +1.05 MB)`. */
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
