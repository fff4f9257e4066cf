// The comparison as Markdown for a pull-request comment or a job summary. The
// first line is a fixed HTML marker, so a workflow finds its own comment and
// updates it in place instead of adding one per push.
import { mdCode, mdInCell, mdTable, mdText, type MdColumn } from '../results/markdown.ts';
import { formatChange } from '../results/units.ts';
import type { CellComparison, Comparison, MetricResult } from './compare.ts';
import { describeMetric, formatDelta, formatP, formatValue, metricNotes, shownMetrics, thresholdsLine, verdictLine } from './format-util.ts';
import { historyLines, pColumnTitle } from './format-history.ts';
import { METRIC_NAMES } from './thresholds.ts';

export const COMMENT_MARKER = '<!-- mobius-bench-compare -->';

const right = (title: string): MdColumn => ({ title, align: 'right' });

const metricColumns = (c: Comparison): MdColumn[] => ['cell', 'id', 'metric', right('baseline'), right('current'), right('change'), pColumnTitle(c)];

function metricRow(label: string, id: string, m: MetricResult): string[] {
  return [mdText(label), mdCode(id), METRIC_NAMES[m.metric], formatValue(m, m.baseline), formatValue(m, m.current), `${formatChange(m.change)} (${formatDelta(m)})`, m.p != null ? formatP(m.p) : ''];
}

/**
 * The comparison in Markdown: the marker, a headline with the sides and
 * thresholds, then a section for each kind of finding the comparison has.
 */
export function formatMarkdown(c: Comparison): string {
  return [
    COMMENT_MARKER,
    ...headline(c),
    ...changes(c, 'regression'),
    ...changes(c, 'improvement'),
    ...failingOnBothSides(c),
    ...claims(c),
    ...oneSidedCells(c),
    ...warnings(c),
    ...allCells(c),
    '',
  ].join('\n');
}

/** The verdict as a heading and a line, where each side comes from, the thresholds. */
function headline(c: Comparison): string[] {
  const icon = c.counts.regressions > 0 ? '❌' : c.counts.warnings > 0 ? '⚠️' : '✅';
  const out = [
    `## ${icon} mobius-bench: ${c.counts.regressions > 0 ? `${c.counts.regressions} regression${c.counts.regressions === 1 ? '' : 's'}` : 'no regression'} in suite ${mdCode(c.suite)}`,
    '',
    verdictLine(c),
    '',
  ];
  const sides = ([['baseline', c.baseline], ['current', c.current]] as const).map(([name, side]) => [
    name, `${mdCode(side.source)} (${side.kind})`, side.commit ? mdCode(side.commit.slice(0, 7)) : '–', mdText(side.machine), String(side.cells),
  ]);
  out.push(mdTable(['', 'source', 'commit', 'machine', right('cells')], sides));
  out.push('', `Thresholds: ${thresholdsLine(c)}.`);
  for (const l of historyLines(c)) out.push('', `${mdText(l[0]!.toUpperCase() + l.slice(1))}.`);
  return out;
}

/** Cells compared as a whole because one side failed: their note says what happened. */
function wholeCells(c: Comparison, verdict: CellComparison['verdict']): CellComparison[] {
  return c.cells.filter((cell) => cell.metrics.length === 0 && cell.note && cell.verdict === verdict);
}

/** A section's heading, after a blank line. */
function section(title: string): string[] {
  return ['', `### ${title}`, ''];
}

/** Regressions or improvements: cells that fail now (or run now), then a row per metric that changed. */
function changes(c: Comparison, verdict: 'regression' | 'improvement'): string[] {
  const metrics = c.cells.flatMap((cell) => cell.metrics.filter((m) => m.verdict === verdict).map((m) => ({ cell, m })));
  const cells = wholeCells(c, verdict);
  if (metrics.length === 0 && cells.length === 0) return [];
  const out = section(verdict === 'regression' ? 'Regressions' : 'Improvements');
  for (const cell of cells) out.push(`- **${mdText(cell.label)}** ${mdCode(cell.id)}: ${mdText(cell.note!)}`);
  if (metrics.length) {
    // The blank line ends the list: right under an item, the table would be read as more of its text.
    if (cells.length) out.push('');
    // A report-only metric that regressed is shown, and marked as not failing the gate.
    out.push(mdTable(metricColumns(c), metrics.map(({ cell, m }) => metricRow(cell.label + (verdict === 'regression' && !m.gated ? ' (report only)' : ''), cell.id, m))));
  }
  return out;
}

function failingOnBothSides(c: Comparison): string[] {
  const cells = wholeCells(c, 'warning');
  if (cells.length === 0) return [];
  return [...section('Failing on both sides'), ...cells.map((cell) => `- ${mdText(cell.label)} ${mdCode(cell.id)}: ${mdText(cell.note!)}`)];
}

function claims(c: Comparison): string[] {
  if (c.claims.length === 0) return [];
  const rows = c.claims.map((cl) => {
    const ratios = cl.groups.map((g) => `${mdText(g.label)}: ×${g.memoryRatio.toFixed(3)}${g.memoryOk === false ? ' ✗' : ''}, ×${g.timeRatio.toFixed(3)}${g.timeOk === false ? ' ✗' : ''}`);
    if (cl.skippedGroups.length) ratios.push(`not evaluated: ${mdText(cl.skippedGroups.join('; '))}`);
    const verdict = cl.verdict === 'regression' && !cl.gated ? 'regression (report only)' : cl.verdict;
    return [mdText(cl.label), cl.baseline, cl.current, verdict, ratios.join('<br>')];
  });
  return [...section('Claims (re-checked on the current run)'), mdTable(['claim', 'baseline', 'current', 'verdict', 'ratios now (memory, time)'], rows)];
}

function oneSidedCells(c: Comparison): string[] {
  if (c.onlyInBaseline.length === 0 && c.onlyInCurrent.length === 0) return [];
  return [
    ...section('Cells on one side only'),
    ...c.onlyInBaseline.map((x) => `- only in the baseline: ${mdText(x.label)} ${mdCode(x.id)}${x.skipped ? ` (skipped by the planner: ${mdText(x.skipped)})` : ''}`),
    ...c.onlyInCurrent.map((x) => `- only in the current run: ${mdText(x.label)} ${mdCode(x.id)}`),
  ];
}

function warnings(c: Comparison): string[] {
  const lines = [...c.warnings, ...metricNotes(c)];
  if (lines.length === 0) return [];
  return [...section('Warnings'), ...lines.map((w) => `- ${mdText(w)}`)];
}

/** Every matched cell with each metric's change, folded away: the details a reviewer may open. */
function allCells(c: Comparison): string[] {
  if (c.cells.length === 0) return [];
  const shown = shownMetrics(c);
  const rows = c.cells.map((cell) => {
    const by = new Map(cell.metrics.map((m) => [m.metric, m]));
    const cols = shown.map((k, i) => {
      const m = by.get(k);
      // A cell compared as a whole: its note in the first metric's column.
      if (!m) return cell.metrics.length === 0 && i === 0 ? mdText(cell.note ?? '') : '';
      if (m.verdict === 'not-compared') return 'n/a';
      // The whole sentence on hover; an HTML attribute, so quotes as entities and no Markdown escapes.
      return `<span title="${mdInCell(describeMetric(m)).replace(/"/g, '&quot;')}">${formatChange(m.change)}${m.p != null ? ` (${formatP(m.p)})` : ''}</span>`;
    });
    return [CELL_MARK[cell.verdict], mdText(cell.label), mdCode(cell.id), ...cols];
  });
  return [
    '',
    `<details><summary>All ${c.cells.length} matched cells</summary>`,
    '',
    mdTable(['', 'cell', 'id', ...shown.map((k) => right(METRIC_NAMES[k]))], rows),
    '',
    '</details>',
  ];
}

const CELL_MARK: Record<CellComparison['verdict'], string> = { regression: '❌', warning: '⚠️', improvement: '✅', unchanged: '' };
