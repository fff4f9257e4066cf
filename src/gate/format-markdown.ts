// The comparison as Markdown for a pull-request comment or a job summary. The
// first line is a fixed HTML marker, so a workflow finds its own comment and
// updates it in place instead of adding one per push.
import { formatChange } from '../results/units.ts';
import { OTHER_MACHINE, type Comparison, type MetricResult } from './compare.ts';
import { verdictLine } from './format-table.ts';
import { describeMetric, formatDelta, formatP, formatValue } from './format-util.ts';
import { describeThreshold, METRIC_NAMES, METRICS } from './thresholds.ts';

export const COMMENT_MARKER = '<!-- mobius-bench-compare -->';

/** Table cells may not hold pipes or line breaks. */
function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function metricRow(label: string, id: string, m: MetricResult): string {
  const p = m.p != null ? formatP(m.p) : '';
  return `| ${md(label)} | ${code(id)} | ${METRIC_NAMES[m.metric]} | ${formatValue(m, m.baseline)} | ${formatValue(m, m.current)} | ${formatChange(m.change)} (${formatDelta(m)}) | ${p} |`;
}

const METRIC_HEADER = ['| cell | id | metric | baseline | current | change | Mann-Whitney |', '|---|---|---|---:|---:|---:|---|'];

export function formatMarkdown(c: Comparison): string {
  const out: string[] = [COMMENT_MARKER];
  const icon = c.counts.regressions > 0 ? '❌' : c.counts.warnings > 0 ? '⚠️' : '✅';
  out.push(`## ${icon} mobius-bench: ${c.counts.regressions > 0 ? `${c.counts.regressions} regression${c.counts.regressions === 1 ? '' : 's'}` : 'no regression'} in suite ${code(c.suite)}`);
  out.push('');
  out.push(verdictLine(c));
  out.push('');
  out.push('| | source | commit | machine | cells |');
  out.push('|---|---|---|---|---:|');
  for (const [name, side] of [['baseline', c.baseline], ['current', c.current]] as const) {
    out.push(`| ${name} | ${code(side.source)} (${side.kind}) | ${side.commit ? code(side.commit.slice(0, 7)) : '–'} | ${md(side.machine)} | ${side.cells} |`);
  }
  out.push('');
  out.push(`Thresholds: ${METRICS.map((k) => `${METRIC_NAMES[k]} ${describeThreshold(k, c.thresholds)}`).join(' · ')}.`);

  const regressions = c.cells.flatMap((cell) => cell.metrics.filter((m) => m.verdict === 'regression').map((m) => ({ cell, m })));
  const cellFailures = c.cells.filter((cell) => cell.metrics.length === 0 && cell.note);
  if (regressions.length || cellFailures.some((x) => x.verdict === 'regression')) {
    out.push('');
    out.push('### Regressions');
    out.push('');
    for (const cell of cellFailures.filter((x) => x.verdict === 'regression')) out.push(`- **${md(cell.label)}** ${code(cell.id)}: ${md(cell.note!)}`);
    if (regressions.length) {
      out.push(...METRIC_HEADER);
      for (const { cell, m } of regressions) out.push(metricRow(cell.label + (m.gated ? '' : ' (report only)'), cell.id, m));
    }
  }
  const improvements = c.cells.flatMap((cell) => cell.metrics.filter((m) => m.verdict === 'improvement').map((m) => ({ cell, m })));
  if (improvements.length || cellFailures.some((x) => x.verdict === 'improvement')) {
    out.push('');
    out.push('### Improvements');
    out.push('');
    for (const cell of cellFailures.filter((x) => x.verdict === 'improvement')) out.push(`- **${md(cell.label)}** ${code(cell.id)}: ${md(cell.note!)}`);
    if (improvements.length) {
      out.push(...METRIC_HEADER);
      for (const { cell, m } of improvements) out.push(metricRow(cell.label, cell.id, m));
    }
  }
  const bothFailed = cellFailures.filter((x) => x.verdict === 'warning');
  if (bothFailed.length) {
    out.push('');
    out.push('### Failing on both sides');
    out.push('');
    for (const cell of bothFailed) out.push(`- ${md(cell.label)} ${code(cell.id)}: ${md(cell.note!)}`);
  }

  if (c.claims.length) {
    out.push('');
    out.push('### Claims (re-checked on the current run)');
    out.push('');
    out.push('| claim | baseline | current | verdict | ratios now (memory, time) |');
    out.push('|---|---|---|---|---|');
    for (const cl of c.claims) {
      const ratios = cl.groups.map((g) => `${md(g.label)}: ×${g.memoryRatio.toFixed(3)}${g.memoryOk === false ? ' ✗' : ''}, ×${g.timeRatio.toFixed(3)}${g.timeOk === false ? ' ✗' : ''}`);
      if (cl.skippedGroups.length) ratios.push(`not evaluated: ${md(cl.skippedGroups.join('; '))}`);
      const verdict = cl.verdict === 'regression' && !cl.gated ? 'regression (report only)' : cl.verdict;
      out.push(`| ${md(cl.label)} | ${cl.baseline} | ${cl.current} | ${verdict} | ${ratios.join('<br>')} |`);
    }
  }

  if (c.onlyInBaseline.length || c.onlyInCurrent.length) {
    out.push('');
    out.push('### Cells on one side only');
    out.push('');
    for (const x of c.onlyInBaseline) out.push(`- only in the baseline: ${md(x.label)} ${code(x.id)}${x.skipped ? ` (skipped by the planner: ${md(x.skipped)})` : ''}`);
    for (const x of c.onlyInCurrent) out.push(`- only in the current run: ${md(x.label)} ${code(x.id)}`);
  }

  const notes = c.cells.flatMap((cell) => cell.metrics.filter((m) => m.note && m.verdict !== 'unchanged' && m.note !== OTHER_MACHINE).map((m) => `${cell.label}: ${METRIC_NAMES[m.metric]}: ${m.note}`));
  if (c.warnings.length || notes.length) {
    out.push('');
    out.push('### Warnings');
    out.push('');
    for (const w of c.warnings) out.push(`- ${md(w)}`);
    for (const n of notes) out.push(`- ${md(n)}`);
  }

  if (c.cells.length) {
    out.push('');
    out.push(`<details><summary>All ${c.cells.length} matched cells</summary>`);
    out.push('');
    const shown = METRICS.filter((k) => c.cells.some((cell) => cell.metrics.some((m) => m.metric === k)));
    if (shown.length === 0) shown.push('tensor');
    out.push('| | cell | id | ' + shown.map((k) => METRIC_NAMES[k]).join(' | ') + ' |');
    out.push('|---|---|---|' + shown.map(() => '---:|').join(''));
    for (const cell of c.cells) {
      const by = new Map(cell.metrics.map((m) => [m.metric, m]));
      const mark = { regression: '❌', warning: '⚠️', improvement: '✅', unchanged: '' }[cell.verdict];
      const cols = shown.map((k, i) => {
        const m = by.get(k);
        if (!m) return cell.metrics.length === 0 && i === 0 ? md(cell.note ?? '') : '';
        if (m.verdict === 'not-compared') return 'n/a';
        return `<span title="${md(describeMetric(m)).replace(/"/g, '&quot;')}">${formatChange(m.change)}${m.p != null ? ` (${formatP(m.p)})` : ''}</span>`;
      });
      out.push(`| ${mark} | ${md(cell.label)} | ${code(cell.id)} | ${cols.join(' | ')} |`);
    }
    out.push('');
    out.push('</details>');
  }
  out.push('');
  return out.join('\n');
}
