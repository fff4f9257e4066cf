// What every report format shows, computed once from a run folder: the
// cells with their step statistics, the matched groups and their
// comparisons (with a bootstrap interval on the time ratio), the suite's
// claims and the run record. Exporters only present this; none re-measures.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkClaims, compareInGroup, matchedGroups, type ClaimCheck, type GroupComparison, type MatchedGroup } from '../results/analysis.ts';
import { readResults } from '../results/jsonl.ts';
import type { CellResult } from '../results/schema.ts';
import { bootstrapMedianRatio, summarize, type RatioInterval, type SampleSummary } from '../results/stats.ts';
import { readRunRecord, runJsonPath, type RunRecord } from '../runner/run-record.ts';
import { MODES, type Mode } from '../train/modes.ts';
import { UserError } from '../user-error.ts';

export interface CellView {
  result: CellResult;
  /** From the per-step samples (stepMs); null for a failed cell. */
  steps: SampleSummary | null;
  /** batch × accum / median step time. */
  samplesPerSecond: number | null;
  trainableParams: number | null;
  frozenParams: number | null;
  finalLoss: number | null;
  /** The planner's prediction for this cell (plan.json from `run --plan`), if there is one. */
  planned: { peakBytes: number; flops: number; fits: boolean } | null;
}

/** candidate vs baseline in one matched group, with the time ratio's interval. */
export interface ModeComparison extends GroupComparison {
  candidateMode: Mode;
  baselineMode: Mode;
  /** Medians of the per-step samples (stepMs). */
  candidateMedianMs: number;
  baselineMedianMs: number;
  /** Bootstrap interval for median(candidate stepMs) / median(baseline stepMs). */
  time: RatioInterval | null;
}

/** Which comparisons the reports show, [candidate, baseline]: Mobius against each serial mode. */
export const REPORT_COMPARISONS: ReadonlyArray<readonly [Mode, Mode]> = [
  ['delta-parallel', 'delta-serial'],
  ['delta-parallel', 'full'],
];

/** GPU process MiB when every ok cell has it, else tensor MB (unique buffers). */
export type ChartMemory = 'gpu' | 'tensor';

/** A comparison the run has both modes for, that some groups could not make (a cell failed or is missing). */
export interface SkippedComparison {
  candidateMode: Mode;
  baselineMode: Mode;
  groups: string[];
}

export interface ReportData {
  runDir: string;
  resultsPath: string;
  /** null when results.jsonl has no run.json beside it. */
  run: RunRecord | null;
  cells: CellView[];
  groups: MatchedGroup[];
  comparisons: ModeComparison[];
  skippedComparisons: SkippedComparison[];
  claims: ClaimCheck[];
  chartMemory: ChartMemory;
  /** The modes present in the results, in the canonical order. */
  modes: Mode[];
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

function fail(where: string, what: string): never {
  throw new UserError(`${where}: ${what}; the file is damaged or not written by mobius-bench`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/** The fields reports read, checked so that a hand-edited line fails with its place, not a TypeError. */
function checkResult(r: CellResult, where: string): void {
  const c = r.config as unknown;
  if (!isObject(c)) fail(where, 'no config');
  for (const k of ['batch', 'accum', 'frames', 'size'] as const) if (typeof c[k] !== 'number') fail(where, `config.${k} is not a number`);
  if (!(MODES as readonly unknown[]).includes(c['mode'])) fail(where, `config.mode ${JSON.stringify(c['mode'])} is not a mode`);
  if (typeof c['preset'] !== 'string') fail(where, 'config.preset is not a string');
  if (r.status !== 'ok' && r.status !== 'failed') fail(where, `status ${JSON.stringify(r.status)}`);
  if (typeof r.label !== 'string') fail(where, 'label is not a string');
  for (const k of ['stepMs', 'loss', 'stepPeakBytes'] as const) if (!isNumberArray(r[k])) fail(where, `${k} is not a list of numbers`);
  if (r.status === 'ok' && (!isObject(r.stats) || r.stepMs.length === 0)) fail(where, 'an ok cell without step times');
  if (r.memory != null && !isObject(r.memory)) fail(where, 'memory is not an object');
  if (r.gpu != null && (!isObject(r.gpu) || !Array.isArray(r.gpu.timeline))) fail(where, 'gpu has no timeline');
  if (r.error != null && (!isObject(r.error) || typeof r.error.message !== 'string')) fail(where, 'error has no message');
}

function checkRunRecord(run: RunRecord, where: string): void {
  const r = run as unknown as Record<string, unknown>;
  if (!isObject(r['suite']) || typeof (r['suite'] as Record<string, unknown>)['name'] !== 'string') fail(where, 'no suite name');
  if (!isObject(r['environment'])) fail(where, 'no environment');
  if (!Array.isArray(r['notes'])) fail(where, 'no notes');
  const claims = (run.suite.definition as unknown as Record<string, unknown> | undefined)?.['claims'];
  if (claims != null && !Array.isArray(claims)) fail(where, 'suite.definition.claims is not a list');
}

interface PlanFile {
  device: string;
  cells: Array<{ id: string; memory: { peakBytes: number }; flops: number; fits: boolean }>;
}

/** plan.json beside results.jsonl (written by `run --plan` / `--skip-unfit`), by cell id. */
function readPlans(runDir: string): Map<string, CellView['planned'] & object> {
  const path = join(runDir, 'plan.json');
  const plans = new Map<string, CellView['planned'] & object>();
  if (!existsSync(path)) return plans;
  let file: PlanFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as PlanFile;
  } catch {
    throw new UserError(`${path}: not valid JSON`);
  }
  for (const c of file.cells ?? []) plans.set(c.id, { peakBytes: c.memory.peakBytes, flops: c.flops, fits: c.fits });
  return plans;
}

function cellView(r: CellResult, plans: Map<string, CellView['planned'] & object> = new Map()): CellView {
  const steps = r.status === 'ok' ? summarize(r.stepMs) : null;
  const trainable = r.params == null ? null : r.config.mode === 'full' ? r.params.trainable.full : r.params.trainable.delta;
  return {
    result: r,
    steps,
    samplesPerSecond: steps ? (r.config.batch * r.config.accum * 1000) / steps.median : null,
    trainableParams: trainable,
    frozenParams: trainable == null || r.params == null ? null : r.params.total - trainable,
    finalLoss: r.loss.length > 0 ? r.loss[r.loss.length - 1]! : null,
    planned: plans.get(r.id) ?? null,
  };
}

/** Matched-group comparisons for the pairs in REPORT_COMPARISONS, each with its time interval. */
export function comparisonsOf(groups: MatchedGroup[]): ModeComparison[] {
  const out: ModeComparison[] = [];
  for (const [candidateMode, baselineMode] of REPORT_COMPARISONS) {
    for (const group of groups) {
      const c = compareInGroup(group, candidateMode, baselineMode);
      if (!c) continue;
      out.push({
        ...c,
        candidateMode,
        baselineMode,
        candidateMedianMs: summarize(c.candidate.stepMs)?.median ?? c.candidate.stats!.medianMs,
        baselineMedianMs: summarize(c.baseline.stepMs)?.median ?? c.baseline.stats!.medianMs,
        time: bootstrapMedianRatio(c.candidate.stepMs, c.baseline.stepMs),
      });
    }
  }
  return out;
}

export function skippedComparisonsOf(groups: MatchedGroup[], comparisons: ModeComparison[], modes: Mode[]): SkippedComparison[] {
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
  read.results.forEach((r, i) => checkResult(r, `${resultsPath}:${i + 1}`));
  const notes: string[] = [];
  let run: RunRecord | null = null;
  if (existsSync(runJsonPath(runDir))) {
    run = readRunRecord(runDir);
    checkRunRecord(run, runJsonPath(runDir));
    notes.push(...run.notes.map(String));
    if (run.interrupted) notes.push('the run was interrupted: cells missing from it were not measured');
  } else {
    notes.push(`no run.json beside ${basename(resultsPath)}: environment and claims unknown`);
  }
  if (read.truncatedLine != null) notes.push(`${resultsPath}:${read.truncatedLine}: a cut-off last line (a crash mid-write) was skipped`);

  const results = read.results;
  const plans = readPlans(runDir);
  const groups = matchedGroups(results);
  const ok = results.filter((r) => r.status === 'ok');
  const chartMemory: ChartMemory = ok.length > 0 && ok.every((r) => r.gpu?.processPeakMiB != null) ? 'gpu' : 'tensor';
  const present = new Set(results.map((r) => r.config.mode));
  const modes = MODES.filter((m) => present.has(m));
  const comparisons = comparisonsOf(groups);
  return {
    runDir,
    resultsPath,
    run,
    cells: results.map((r) => cellView(r, plans)),
    groups,
    comparisons,
    skippedComparisons: skippedComparisonsOf(groups, comparisons, modes),
    claims: checkClaims(run?.suite.definition.claims ?? [], results),
    chartMemory,
    modes,
    notes,
  };
}

