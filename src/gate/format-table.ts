// The comparison as a terminal table: one row per matched cell, one column
// per metric, then claims, one-sided cells, warnings and the verdict line.
import { formatChange } from '../results/units.ts';
import { OTHER_MACHINE, type CellComparison, type Comparison, type MetricResult } from './compare.ts';
import { formatP, metricNotes, pad, shownMetrics, thresholdsLine, verdictLine } from './format-util.ts';
import { historyLines } from './format-history.ts';
import { METRIC_NAMES } from './thresholds.ts';

const MARK: Record<CellComparison['verdict'], string> = { regression: '✗', warning: '!', improvement: '✓', unchanged: ' ' };

function metricCell(m: MetricResult | undefined): string {
  if (!m) return '';
  if (m.note === OTHER_MACHINE) return `${formatChange(m.change)} (not gated)`;
  if (m.verdict === 'not-compared') return 'n/a';
  let text = formatChange(m.change);
  if (m.metric === 'time' && m.p != null) text += ` (${formatP(m.p)})`;
  const tag =
    m.verdict === 'regression' ? (m.gated ? ' ✗' : ' !')
    : m.verdict === 'improvement' ? ' ✓'
    : m.verdict === 'not-significant' ? ' ~'
    : '';
  return text + tag;
}

export function formatTable(c: Comparison): string {
  const lines: string[] = [];
  lines.push(`mobius-bench compare — suite ${c.suite}`);
  lines.push(`  baseline: ${c.baseline.source} (${c.baseline.kind}, commit ${c.baseline.commit?.slice(0, 7) ?? '?'}, ${c.baseline.machine})`);
  lines.push(`  current:  ${c.current.source} (${c.current.kind}, commit ${c.current.commit?.slice(0, 7) ?? '?'}, ${c.current.machine})`);
  for (const l of historyLines(c)) lines.push(`  ${l}`);
  lines.push('');
  const shown = shownMetrics(c);
  const header = ['', 'cell', 'id', ...shown.map((k) => METRIC_NAMES[k])];
  const rows = c.cells.map((cell) => {
    const byMetric = new Map(cell.metrics.map((m) => [m.metric, m]));
    const metricCols = cell.note && cell.metrics.length === 0 ? [cell.note, ...shown.slice(1).map(() => '')] : shown.map((k) => metricCell(byMetric.get(k)));
    return [MARK[cell.verdict], cell.label, cell.id, ...metricCols];
  });
  if (rows.length > 0) {
    const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
    const render = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : pad(v, widths[i]!))).join('  ').trimEnd();
    lines.push(render(header));
    for (const r of rows) lines.push(render(r));
    lines.push('');
    lines.push('  ✗ regression  ! regression of a report-only metric  ✓ improvement  ~ beyond the threshold but not significant');
    lines.push(`  thresholds: ${thresholdsLine(c)}`);
  } else {
    lines.push('no cell is on both sides');
  }
  if (c.claims.length > 0) {
    lines.push('');
    lines.push('claims (re-checked on the current run):');
    for (const cl of c.claims) {
      const mark = cl.verdict === 'regression' ? (cl.gated ? '✗' : '!') : cl.verdict === 'warning' ? '!' : cl.verdict === 'ok' ? '✓' : '-';
      lines.push(`  ${mark} ${cl.label}: ${cl.current} (baseline: ${cl.baseline})`);
      for (const g of cl.groups) {
        lines.push(`      ${g.label}: memory ×${g.memoryRatio.toFixed(3)}${g.memoryOk === false ? ' ✗' : ''}, time ×${g.timeRatio.toFixed(3)}${g.timeOk === false ? ' ✗' : ''}`);
      }
      if (cl.skippedGroups.length) lines.push(`      not evaluated: ${cl.skippedGroups.join('; ')}`);
    }
  }
  if (c.onlyInBaseline.length) {
    lines.push('');
    lines.push(`only in the baseline (${c.onlyInBaseline.length})${c.thresholds.missingGated ? ', a regression (--allow-missing for a partial run)' : ''}:`);
    for (const x of c.onlyInBaseline) lines.push(`  ${x.label} (${x.id})${x.skipped ? ` — skipped by the planner: ${x.skipped}` : ''}`);
  }
  if (c.onlyInCurrent.length) {
    lines.push('');
    lines.push(`only in the current run (${c.onlyInCurrent.length}):`);
    for (const x of c.onlyInCurrent) lines.push(`  ${x.label} (${x.id})`);
  }
  const notes = metricNotes(c);
  if (c.warnings.length || notes.length) {
    lines.push('');
    for (const w of c.warnings) lines.push(`warning: ${w}`);
    for (const n of notes) lines.push(`note: ${n}`);
  }
  lines.push('');
  lines.push(verdictLine(c));
  return lines.join('\n');
}
