// summary.md: GitHub-flavoured Markdown for a PR comment or
// $GITHUB_STEP_SUMMARY — the environment in one line, Mobius against the
// serial modes in each matched group (memory and time change, an interval
// for the time ratio), the suite's claims, the failed cells and the cells
// the planner skipped.
import { doesNotFitText, reasonText } from '../results/does-not-fit.ts';
import type { ClaimCheck } from '../results/analysis.ts';
import { claimVerdict, groupVerdict, memoryFigure, timeFigure } from '../results/claim-summary.ts';
import { mdCode, mdTable, mdText } from '../results/markdown.ts';
import { formatChange, formatMs, formatRatio, MB } from '../results/units.ts';
import { textExporter } from './exporter.ts';
import { SCALING_NOTE, scalingTable } from './scaling-table.ts';
import {
  comparisonTitle, countsLine, environmentLine, firstLine, formatInterval, formatMemory, formatRatioChange, memoryMetricName, nothingSucceeded, suiteName,
} from './format.ts';
import { REPORT_COMPARISONS, type ReportData } from './report-data.ts';

const STATUS_MARK: Record<ClaimCheck['status'], string> = { pass: '✅ pass', fail: '❌ fail', inconclusive: '🟡 inconclusive (too few steps to tell)', 'not-evaluated': '⚪ not evaluated' };

function worst(values: Array<number | null>): number | null {
  const xs = values.filter((v): v is number => v != null);
  return xs.length ? Math.max(...xs) : null;
}

const GROUP_MARK: Record<ReturnType<typeof groupVerdict>, string> = { pass: '✅ pass', fail: '❌ fail', inconclusive: '🟡 inconclusive' };

/** Under the table, each claim in a line (the group that decides it) and, folded, every group's verdict and ratios. */
function claimDetails(c: ClaimCheck): string[] {
  const lines = [`**${mdText(c.label)}**: ${mdText(claimVerdict(c))}`, ''];
  if (c.comparisons.length + c.skippedGroups.length < 2) return lines;
  const rows = [
    ...c.comparisons.map((g) => [mdText(g.group.label), GROUP_MARK[groupVerdict(g)], mdText(memoryFigure(g, c.claim)), mdText(timeFigure(g, c.claim))]),
    ...c.skippedGroups.map((label) => [mdText(label), STATUS_MARK['not-evaluated'], 'a cell is missing or failed', '–']),
  ];
  // A blank line after <summary>: GitHub renders the table inside only then.
  return [...lines, `<details><summary>each group (${rows.length})</summary>`, '', mdTable(['group', 'verdict', 'memory ratio', 'time ratio'], rows), '', '</details>', ''];
}

function claimsSection(data: ReportData): string[] {
  if (data.claims.length === 0) return [];
  const rows = data.claims.map((c) => [
    mdText(c.label),
    STATUS_MARK[c.status],
    c.claim.memory ? `≤ ${c.claim.memory.atMost}` : '–',
    c.claim.memory ? formatRatio(worst(c.comparisons.map((x) => x.memoryRatio))) : '–',
    c.claim.time ? `≤ ${c.claim.time.atMost}` : '–',
    c.claim.time ? formatRatio(worst(c.comparisons.map((x) => x.timeRatio))) : '–',
    `${c.comparisons.length}${c.skippedGroups.length ? ` (+${c.skippedGroups.length} not evaluated)` : ''}`,
  ]);
  return [
    '### Claims',
    '',
    'Ratios are candidate / baseline in each matched group; the worst group decides.',
    '',
    mdTable(['claim', 'status', 'memory limit', 'worst memory ratio', 'time limit', 'worst time ratio', 'groups'], rows),
    '',
    ...data.claims.flatMap(claimDetails),
  ];
}

function comparisonSections(data: ReportData): string[] {
  const out: string[] = [];
  for (const [candidate, baseline] of REPORT_COMPARISONS) {
    const cmps = data.comparisons.filter((c) => c.candidateMode === candidate && c.baselineMode === baseline);
    if (cmps.length === 0) continue;
    out.push(`### ${comparisonTitle({ candidateMode: candidate, baselineMode: baseline })}`, '');
    const rows = cmps.map((c) => [
      mdText(c.group.label),
      `${formatMemory(c.baseline, c.memoryMetric)} → ${formatMemory(c.candidate, c.memoryMetric)} (${memoryMetricName(c)})`,
      `**${formatRatioChange(c.memoryRatio)}**`,
      `${formatMs(c.baseline.stats.medianMs)} → ${formatMs(c.candidate.stats.medianMs)}`,
      `**${formatRatioChange(c.time?.ratio ?? c.timeRatio)}**`,
      formatInterval(c.time),
    ]);
    out.push(mdTable(['group', `memory: ${baseline} → ${candidate}`, 'memory', `median step: ${baseline} → ${candidate}`, 'time', 'time ratio [95 % CI]'], rows), '');
  }
  for (const skip of data.skippedComparisons) {
    out.push(`${comparisonTitle(skip)}: not compared in ${skip.groups.length} group${skip.groups.length === 1 ? '' : 's'} (a cell failed or is missing): ${skip.groups.map(mdText).join(', ')}`, '');
  }
  if (data.comparisons.length > 0) {
    const n = data.comparisons[0]!.time;
    out.push(`Time ratio: median step time of ${REPORT_COMPARISONS[0]![0]} / its baseline, with a percentile-bootstrap 95 % interval over the measured steps (${n ? `${n.resamples.toLocaleString('en-US')} resamples, seed ${n.seed}` : 'no samples'}); a few steps give a coarse interval.`, '');
  }
  return out;
}

/** Planned (shape-only) beside measured tensor peaks, where the run was planned. */
function plannedSection(data: ReportData): string[] {
  const both = data.cells.flatMap(({ result, planned }) => {
    const measured = result.status === 'ok' && result.memory.source === 'tensors' ? result.memory.peakBytes : null;
    return planned && measured != null ? [{ label: result.label, planned: planned.peakBytes, measured }] : [];
  });
  if (both.length === 0) return [];
  const rows = both.map(({ label, planned, measured }) => [
    mdText(label), (planned / MB).toFixed(1), (measured / MB).toFixed(1), planned === measured ? 'exact' : formatChange(planned / measured - 1, 2),
  ]);
  return ['### Planned vs measured tensor peak', '', mdTable(['cell', 'planned (MB)', 'measured (MB)', 'difference'], rows), ''];
}

function scalingSection(data: ReportData): string[] {
  const t = scalingTable(data);
  if (!t) return [];
  return ['### Data-parallel scaling', '', SCALING_NOTE, '', mdTable(t.header, t.rows.map((r) => [mdText(r[0]!), ...r.slice(1)])), ''];
}

function failedSection(data: ReportData): string[] {
  const failed = data.cells.flatMap(({ result }) => (result.status === 'failed' ? [result] : []));
  if (failed.length === 0) return [];
  const rows = failed.map((r) => [mdText(r.label), mdCode(r.id), reasonText(r.error.reason), mdText(r.error.reason === 'oom' ? doesNotFitText(r.error) : firstLine(r.error.message))]);
  return ['### Failed cells', '', 'A cell that does not fit ran out of memory: an answer, not a fault.', '', mdTable(['cell', 'id', 'reason', 'message'], rows), ''];
}

/** Cells the planner said cannot fit: never run, so apart from the failed ones. */
function skippedSection(data: ReportData): string[] {
  if (data.skipped.length === 0) return [];
  const rows = data.skipped.map((s) => [mdText(s.label), mdCode(s.id), mdText(s.reason)]);
  return ['### Skipped cells', '', 'Not run: the planner said they cannot fit (`--force` runs them).', '', mdTable(['cell', 'id', 'why it was not run'], rows), ''];
}

export function toMarkdown(data: ReportData): string {
  const lines: string[] = [
    `## mobius-bench: ${mdText(suiteName(data))} — ${countsLine(data)}`,
    '',
    mdText(environmentLine(data)),
    '',
  ];
  for (const note of data.notes) lines.push(`> ${mdText(note)}`, '');
  const comparisons = comparisonSections(data);
  if (data.comparisons.length === 0) lines.push(nothingSucceeded(data, 'compare') ?? 'No matched group has a parallel (Mobius) mode and its serial counterpart both measured.', '');
  lines.push(...comparisons, ...claimsSection(data), ...scalingSection(data), ...plannedSection(data), ...failedSection(data), ...skippedSection(data));
  return `${lines.join('\n').trimEnd()}\n`;
}

export const markdownExporter = textExporter('markdown', 'summary.md', toMarkdown);
