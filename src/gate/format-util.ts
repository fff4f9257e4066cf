// The comparison's own wording, shared by its presentations (terminal table,
// Markdown, annotations): a metric's value and change, p-values, one metric
// in a line, the verdict and the thresholds in a line, which metric columns a
// table of the cells shows and the notes under it. Units are
// results/units.ts's, as in the reports.
import { formatBytes, formatChange, formatMiB, formatMs, MISSING } from '../results/units.ts';
import { OTHER_MACHINE, type Comparison, type MetricResult } from './compare.ts';
import { describeThreshold, METRIC_NAMES, METRICS, type Metric } from './thresholds.ts';

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

/** `FAIL: 1 regression · 0 improvements · 2 warnings · 21 unchanged`. */
export function verdictLine(c: Comparison): string {
  const { regressions, warnings, improvements, unchanged } = c.counts;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const head = regressions > 0 ? `FAIL: ${plural(regressions, 'regression')}` : 'OK: no regression';
  return `${head} · ${plural(improvements, 'improvement')} · ${plural(warnings, 'warning')} · ${unchanged} unchanged`;
}

/** Each metric's threshold: `tensor peak > 0 B · … · step time median > 5 % and p < 0.01`. */
export function thresholdsLine(c: Comparison): string {
  return METRICS.map((k) => `${METRIC_NAMES[k]} ${describeThreshold(k, c.thresholds)}`).join(' · ');
}

/** The metrics some cell was compared on, in METRICS order: the columns of a table of the cells (tensor where none was). */
export function shownMetrics(c: Comparison): Metric[] {
  const shown = METRICS.filter((k) => c.cells.some((cell) => cell.metrics.some((m) => m.metric === k)));
  return shown.length > 0 ? shown : ['tensor'];
}

/** Why a metric that moved was not judged as usual (too few steps, another backend), one line per metric. */
export function metricNotes(c: Comparison): string[] {
  // The other-machine notice is one of the comparison's warnings already.
  return c.cells.flatMap((cell) => cell.metrics.filter((m) => m.note && m.verdict !== 'unchanged' && m.note !== OTHER_MACHINE).map((m) => `${cell.label}: ${METRIC_NAMES[m.metric]}: ${m.note}`));
}
