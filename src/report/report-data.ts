// What every report format shows, computed once from a run folder: the
// cells with their step statistics, the matched groups and their
// comparisons (with a bootstrap interval on the time ratio), the suite's
// claims and the run record. Exporters only present this; none re-measures.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkClaims, compareInGroup, matchedGroups, type ClaimCheck, type GroupComparison, type MatchedGroup } from '../results/analysis.ts';
import type { CellResult } from '../results/cell-result.ts';
import { readResults } from '../results/jsonl.ts';
import { readPlanFile } from '../results/plan-file.ts';
import { readRunRecord, runJsonPath, type RunRecord } from '../results/run-record.ts';
import { bootstrapMedianRatio, type RatioInterval } from '../results/stats.ts';
import { MODE_SPECS, MODES, type Mode } from '../train/modes.ts';
import { UserError } from '../user-error.ts';

export interface CellView {
  result: CellResult;
  /** The planner's prediction for this cell (plan.json from `run --plan`), if there is one. */
  planned: { peakBytes: number; flops: number; fits: boolean } | null;
}

/** candidate vs baseline in one matched group, with the time ratio's interval. */
export interface ModeComparison extends GroupComparison<CellResult> {
  candidateMode: Mode;
  baselineMode: Mode;
  /** Bootstrap interval for median(candidate stepMs) / median(baseline stepMs). */
  time: RatioInterval | null;
}

/**
 * Which comparisons the reports show, [candidate, baseline]: each parallel
 * (Mobius) mode against each serial mode that checkpoints as it does —
 * delta-tuning before full — in the order of MODES.
 */
export const REPORT_COMPARISONS: ReadonlyArray<readonly [Mode, Mode]> = MODES.filter((m) => MODE_SPECS[m].network === 'parallel').flatMap((candidate) =>
  MODES.filter((m) => MODE_SPECS[m].network === 'serial' && MODE_SPECS[m].checkpointed === MODE_SPECS[candidate].checkpointed)
    .sort((a, b) => Number(a === 'full') - Number(b === 'full'))
    .map((baseline) => [candidate, baseline] as const));

/** GPU process MiB when every ok cell has it, else tensor MB (unique buffers). */
export type ChartMemory = 'gpu' | 'tensor';

/** A comparison the run has both modes for, that some groups could not make (a cell failed or is missing). */
export interface SkippedComparison {
  candidateMode: Mode;
  baselineMode: Mode;
  groups: string[];
}

export type SkippedCell = NonNullable<RunRecord['skipped']>[number];

export interface ReportData {
  runDir: string;
  resultsPath: string;
  /** null when results.jsonl has no run.json beside it. */
  run: RunRecord | null;
  cells: CellView[];
  groups: MatchedGroup<CellResult>[];
  comparisons: ModeComparison[];
  skippedComparisons: SkippedComparison[];
  claims: ClaimCheck<CellResult>[];
  chartMemory: ChartMemory;
  /** The modes present in the results, in the canonical order. */
  modes: Mode[];
  /** Cells the planner said cannot fit, never run (run.json's `skipped`): neither ok nor failed. */
  skipped: SkippedCell[];
  /** Things a reader must know (run.json notes, a cut-off line, a missing run.json). */
  notes: string[];
}

/** Locates results.jsonl and run.json for a run folder or a results.jsonl path. */
export function locateRun(input: string): { runDir: string; resultsPath: string } {
  const path = resolve(input);
  if (!existsSync(path)) throw new UserError(`${input}: no such run folder or results file`);
  if (statSync(path).isDirectory()) {
    const resultsPath = join(path, 'results.jsonl');
    if (!existsSync(resultsPath)) throw new UserError(`${input}: no results.jsonl — not a mobius-bench run folder`);
    return { runDir: path, resultsPath };
  }
  return { runDir: dirname(path), resultsPath: path };
}

/** Matched-group comparisons for the pairs in REPORT_COMPARISONS, each with its time interval. */
function comparisonsOf(groups: MatchedGroup<CellResult>[]): ModeComparison[] {
  const out: ModeComparison[] = [];
  for (const [candidateMode, baselineMode] of REPORT_COMPARISONS) {
    for (const group of groups) {
      const c = compareInGroup(group, candidateMode, baselineMode);
      if (!c) continue;
      out.push({
        ...c,
        candidateMode,
        baselineMode,
        time: bootstrapMedianRatio(c.candidate.stepMs, c.baseline.stepMs),
      });
    }
  }
  return out;
}

function skippedComparisonsOf(groups: MatchedGroup<CellResult>[], comparisons: ModeComparison[], modes: Mode[]): SkippedComparison[] {
  const out: SkippedComparison[] = [];
  for (const [candidateMode, baselineMode] of REPORT_COMPARISONS) {
    if (!modes.includes(candidateMode) || !modes.includes(baselineMode)) continue;
    const made = new Set(comparisons.filter((c) => c.candidateMode === candidateMode && c.baselineMode === baselineMode).map((c) => c.group));
    const missing = groups.filter((g) => !made.has(g) && (g.cells[candidateMode] || g.cells[baselineMode])).map((g) => g.label);
    if (missing.length > 0) out.push({ candidateMode, baselineMode, groups: missing });
  }
  return out;
}

export function loadReportData(input: string): ReportData {
  const { runDir, resultsPath } = locateRun(input);
  const read = readResults(resultsPath);
  const notes: string[] = [];
  let run: RunRecord | null = null;
  if (existsSync(runJsonPath(runDir))) {
    run = readRunRecord(runDir);
    notes.push(...run.notes);
    if (run.interrupted) notes.push('the run was interrupted: cells missing from it were not measured');
  } else {
    notes.push(`no run.json beside ${basename(resultsPath)}: environment and claims unknown`);
  }
  if (read.truncatedLine != null) notes.push(`${resultsPath}:${read.truncatedLine}: a cut-off last line (a crash mid-write) was skipped`);

  const results = read.results;
  const plans = new Map((readPlanFile(runDir)?.cells ?? []).map((p) => [p.id, { peakBytes: p.memory.peakBytes, flops: p.flops, fits: p.fits }]));
  const groups = matchedGroups(results);
  const ok = results.filter((r) => r.status === 'ok');
  const chartMemory: ChartMemory = ok.length > 0 && ok.every((r) => r.gpu?.processPeakMiB != null) ? 'gpu' : 'tensor';
  const present = new Set(results.map((r) => r.config.mode));
  const modes = MODES.filter((m) => present.has(m));
  const comparisons = comparisonsOf(groups);
  // A skipped cell that a later run measured after all (--force) is in the results instead.
  const measured = new Set(results.map((r) => r.id));
  return {
    runDir,
    resultsPath,
    run,
    cells: results.map((result) => ({ result, planned: plans.get(result.id) ?? null })),
    groups,
    comparisons,
    skippedComparisons: skippedComparisonsOf(groups, comparisons, modes),
    claims: checkClaims(run?.suite.definition.claims ?? [], results),
    chartMemory,
    modes,
    skipped: (run?.skipped ?? []).filter((s) => !measured.has(s.id)),
    notes,
  };
}

