// Baseline vs current: cells matched by id, each metric's change and verdict
// (tensor memory exact, GPU and RSS memory by a relative threshold, step time
// by threshold AND a Mann-Whitney test), the suite's claims re-checked on both
// sides, and the cells found on one side only. Presentation is in format-*.ts.
import { checkClaims, type ClaimStatus, type ComparableCell } from '../results/analysis.ts';
import type { BaselineCell, OkBaselineCell } from '../results/baseline-file.ts';
import { trackedMemory } from '../protocol/worker-outcome.ts';
import { MiB } from '../results/units.ts';
import { DOES_NOT_FIT, doesNotFit, doesNotFitText } from '../results/does-not-fit.ts';
import type { CellConfig } from '../protocol/cell-config.ts';
import type { Claim } from '../suite/schema.ts';
import { UserError } from '../user-error.ts';
import type { Snapshot } from './baseline.ts';
import type { HistoryGateInfo, WindowInfo } from './history-types.ts';
import { mannWhitney, minimumP } from './mann-whitney.ts';
import { CPU_TIME_LIMIT, type Limit, type Metric, type Thresholds } from './thresholds.ts';
import { commandToType } from '../user-command.ts';

export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'not-significant' | 'not-compared';

export interface MetricResult {
  metric: Metric;
  unit: 'B' | 'MiB' | 'ms';
  /** Tensor/RSS/GPU: the peak; step time: the median of the samples. */
  baseline: number | null;
  current: number | null;
  /** current − baseline. */
  delta: number | null;
  /** current / baseline − 1. */
  change: number | null;
  /** Step time: two-sided Mann-Whitney p and the sample counts. */
  p?: number;
  samples?: { baseline: number; current: number };
  verdict: Verdict;
  /** A regression of an ungated metric warns instead of failing. */
  gated: boolean;
  note?: string;
  /** Against the history (compare --history): the runs this metric was judged against. */
  window?: WindowInfo;
}

export type CellVerdict = 'regression' | 'warning' | 'improvement' | 'unchanged';

export interface CellComparison {
  id: string;
  label: string;
  config: CellConfig;
  baselineStatus: 'ok' | 'failed';
  currentStatus: 'ok' | 'failed';
  verdict: CellVerdict;
  /** Why, when the verdict is about the cell rather than a metric (it fails now, it failed before). */
  note?: string;
  metrics: MetricResult[];
}

export interface ClaimRecheck {
  label: string;
  claim: Claim;
  current: ClaimStatus;
  baseline: ClaimStatus;
  /** regression: held on the baseline, fails now. warning: fails on both (or had no baseline figures). */
  verdict: 'regression' | 'warning' | 'ok' | 'not-evaluated';
  gated: boolean;
  /** The current run's ratios per matched group (candidate / baseline mode). */
  groups: Array<{ label: string; memoryRatio: number; timeRatio: number; memoryOk: boolean | null; timeOk: boolean | null }>;
  skippedGroups: string[];
}

export interface SideInfo {
  source: string;
  kind: 'baseline' | 'run' | 'history';
  startedAt: string;
  commit: string | null;
  machine: string;
  cells: number;
}

export interface Comparison {
  suite: string;
  baseline: SideInfo;
  current: SideInfo;
  thresholds: Thresholds;
  cells: CellComparison[];
  /** `skipped`: the current run's planner skipped it as unfit for that machine, and why. */
  onlyInBaseline: Array<{ id: string; label: string; skipped?: string }>;
  onlyInCurrent: Array<{ id: string; label: string }>;
  claims: ClaimRecheck[];
  warnings: string[];
  counts: { regressions: number; warnings: number; improvements: number; unchanged: number };
  exitCode: 0 | 1;
  /** Present when the baseline is the history (compare --history). */
  history?: HistoryGateInfo;
}

function machineOf(s: Snapshot): string {
  const e = s.measurements.environment;
  const gpu = e.gpus.length ? `, ${[...new Set(e.gpus)].join(' + ')}` : '';
  const driver = e.driver ? `, driver ${e.driver}` : '';
  return `${e.cpu.model} ×${e.cpu.cores}${gpu}${driver}`;
}

function sideInfo(s: Snapshot): SideInfo {
  return {
    source: s.source,
    kind: s.kind,
    startedAt: s.measurements.run.startedAt,
    commit: s.measurements.environment.commit,
    machine: machineOf(s),
    cells: s.measurements.cells.length,
  };
}

/** Is |change| beyond the limit? `amount` is in bytes for byte limits. */
function beyond(limit: Limit, delta: number, change: number, bytesPerUnit: number): boolean {
  if (limit.kind === 'bytes') return Math.abs(delta) * bytesPerUnit > limit.value;
  return Math.abs(change) * 100 > limit.value;
}

function memoryMetric(metric: Metric, unit: 'B' | 'MiB', a: number | null, b: number | null, t: Thresholds, note?: string): MetricResult {
  const gated = t.metrics[metric].gated;
  if (a == null || b == null || note) {
    return { metric, unit, baseline: a, current: b, delta: null, change: null, verdict: 'not-compared', gated, note: note ?? (a == null ? 'no baseline figure' : 'no current figure') };
  }
  const delta = b - a;
  const change = a === 0 ? (b === 0 ? 0 : Infinity) : b / a - 1;
  const out = beyond(t.metrics[metric].limit, delta, change, unit === 'MiB' ? MiB : 1);
  const verdict: Verdict = !out ? 'unchanged' : delta > 0 ? 'regression' : 'improvement';
  return { metric, unit, baseline: a, current: b, delta, change, verdict, gated };
}

/** The smallest number of steps per side whose exact test can reach p < alpha. */
export function stepsNeeded(alpha: number): number {
  let k = 1;
  while (minimumP(k, k) >= alpha && k < 100) k++;
  return k;
}

/**
 * CPU step time moved by up to 45 % between two back-to-back runs of one build
 * on a 2-core machine (whatever else runs there shares the cores), so by
 * default a CPU cell's time fails only when it doubles; GPU cells' time is
 * device-synchronised and gated at the time limit. `--threshold time=…`
 * applies to every cell.
 */
function timeLimit(a: OkBaselineCell, b: OkBaselineCell, t: Thresholds): Limit {
  if (t.explicit.includes('time') || (a.backend.gpu && b.backend.gpu)) return t.metrics.time.limit;
  return CPU_TIME_LIMIT;
}

export const OTHER_MACHINE = 'the baseline is from another machine: not gated';

function timeMetric(a: OkBaselineCell, b: OkBaselineCell, t: Thresholds, sameMachine: boolean): MetricResult {
  const gated = t.metrics.time.gated;
  const x = a.stepMs;
  const y = b.stepMs;
  const ma = a.stats.medianMs;
  const mb = b.stats.medianMs;
  const delta = mb - ma;
  const change = mb / ma - 1;
  const test = mannWhitney(x, y);
  const samples = { baseline: x.length, current: y.length };
  // Another CPU or GPU changes step time by more than the limit: that is no regression of the build.
  if (!sameMachine && !t.explicit.includes('time')) {
    return { metric: 'time', unit: 'ms', baseline: ma, current: mb, delta, change, p: test.p, samples, verdict: 'not-compared', gated: false, note: OTHER_MACHINE };
  }
  const base = { metric: 'time' as const, unit: 'ms' as const, baseline: ma, current: mb, delta, change, p: test.p, samples, gated };
  if (!beyond(timeLimit(a, b, t), delta, change, 1)) return { ...base, verdict: 'unchanged' };
  if (test.p >= t.alpha) {
    const note = test.minP >= t.alpha
      ? `${x.length} vs ${y.length} steps cannot give p < ${t.alpha} (at best ${test.minP.toPrecision(2)}): measure ≥ ${stepsNeeded(t.alpha)} steps`
      : `p = ${test.p.toPrecision(2)} ≥ ${t.alpha}: within noise`;
    return { ...base, verdict: 'not-significant', note };
  }
  return { ...base, verdict: delta > 0 ? 'regression' : 'improvement' };
}

/** Why two cells' allocator peaks cannot be compared, if they cannot: another backend, another allocator, or one not tracked. */
function tensorsNotComparable(a: OkBaselineCell, b: OkBaselineCell): string | undefined {
  if (a.backend.name !== b.backend.name) return `backend ${a.backend.name} → ${b.backend.name}: not comparable`;
  if (a.memory.source !== b.memory.source) return `memory counted as ${a.memory.source} → ${b.memory.source}: not comparable`;
  if (a.memory.source === 'untracked') return 'memory not tracked (MOBIUS_BENCH_TRACKER=0)';
  return undefined;
}

/** Out of memory on either side: whether the cell fits is the comparison (a cell that stopped fitting is a regression). */
function fitChange(a: BaselineCell, b: BaselineCell): { verdict: CellVerdict; note: string } | null {
  const before = doesNotFit(a);
  const now = doesNotFit(b);
  if (a.status === 'ok' && now) return { verdict: 'regression', note: `${b.status === 'failed' ? doesNotFitText(b.error) : DOES_NOT_FIT} now; it fit on the baseline` };
  if (before && b.status === 'ok') return { verdict: 'improvement', note: `fits now; it did not fit on the baseline` };
  if (before && now) return { verdict: 'unchanged', note: `${DOES_NOT_FIT} on either side` };
  return null;
}

function compareCell(a: BaselineCell, b: BaselineCell, t: Thresholds, sameMachine: boolean): CellComparison {
  const base = { id: b.id, label: b.label, config: b.config, baselineStatus: a.status, currentStatus: b.status };
  if (b.status === 'failed' || a.status === 'failed') {
    const fit = fitChange(a, b);
    if (fit) return { ...base, ...fit, metrics: [] };
    const reason = (c: BaselineCell) => (c.status === 'failed' ? `${c.error.reason}: ${c.error.message.split('\n')[0]}` : 'ok');
    if (a.status === 'ok') return { ...base, verdict: 'regression', note: `fails now (${reason(b)})`, metrics: [] };
    if (b.status === 'ok') return { ...base, verdict: 'improvement', note: `failed on the baseline (${reason(a)}), runs now`, metrics: [] };
    return { ...base, verdict: 'warning', note: `fails on both sides (${reason(b)})`, metrics: [] };
  }
  const metrics: MetricResult[] = [];
  metrics.push(memoryMetric('tensor', 'B', trackedMemory(a.memory)?.peakBytes ?? null, trackedMemory(b.memory)?.peakBytes ?? null, t, tensorsNotComparable(a, b)));
  if (a.gpu?.processPeakMiB != null || b.gpu?.processPeakMiB != null) {
    metrics.push(memoryMetric('gpu', 'MiB', a.gpu?.processPeakMiB ?? null, b.gpu?.processPeakMiB ?? null, t));
  }
  metrics.push(memoryMetric('rss', 'B', a.memory.rssPeakBytes, b.memory.rssPeakBytes, t));
  metrics.push(timeMetric(a, b, t, sameMachine));
  const regressions = metrics.filter((m) => m.verdict === 'regression');
  const improved = metrics.filter((m) => m.verdict === 'improvement');
  // A mark accounts for every metric: a row improves only where nothing got worse past its threshold, significant or not.
  const worse = metrics.filter((m) => m.verdict !== 'regression' && worsePastThreshold(m, t));
  const verdict: CellVerdict = regressions.some((m) => m.gated)
    ? 'regression'
    : regressions.length > 0
      ? 'warning'
      : improved.length > 0 && worse.length === 0
        ? 'improvement'
        : 'unchanged';
  if (verdict === 'unchanged' && improved.length > 0) {
    const said = worse.map((m) => `${m.metric} ${signedPercent(m.change!)}${m.verdict === 'not-significant' ? ' (not significant)' : ' (within the gate\'s limit here)'}`);
    return { ...base, verdict, metrics, note: `${improved.map((m) => m.metric).join(' and ')} improved, but ${said.join(', ')}: not an improvement` };
  }
  return { ...base, verdict, metrics };
}

/** Worse than the baseline past the metric's own threshold (the nominal one: for time also on a CPU), whatever the test said. */
function worsePastThreshold(m: MetricResult, t: Thresholds): boolean {
  if (m.delta == null || m.change == null || m.delta <= 0) return false;
  if (m.verdict === 'not-compared') return false;
  return beyond(t.metrics[m.metric].limit, m.delta, m.change, m.unit === 'MiB' ? MiB : 1);
}

function signedPercent(change: number): string {
  return `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)} %`;
}

export function recheckClaims(claims: Claim[], baseline: { measurements: { cells: readonly ComparableCell[] } }, current: Snapshot, t: Thresholds): ClaimRecheck[] {
  const now = checkClaims(claims, current.measurements.cells);
  const before = checkClaims(claims, baseline.measurements.cells);
  return now.map((c, i) => {
    const was = before[i]!.status;
    const verdict: ClaimRecheck['verdict'] = c.status === 'pass' ? 'ok' : c.status === 'not-evaluated' ? 'not-evaluated' : c.status === 'inconclusive' ? 'warning' : was === 'pass' ? 'regression' : 'warning';
    return {
      label: c.label,
      claim: c.claim,
      current: c.status,
      baseline: was,
      verdict,
      gated: t.claimsGated,
      groups: c.comparisons.map((g) => ({ label: g.group.label, memoryRatio: g.memoryRatio, timeRatio: g.timeRatio, memoryOk: g.memoryOk, timeOk: g.timeOk })),
      skippedGroups: c.skippedGroups,
    };
  });
}

/** Compares two snapshots of one suite. Throws UserError for another suite. */
export function compareSnapshots(baseline: Snapshot, current: Snapshot, thresholds: Thresholds): Comparison {
  const bs = baseline.measurements.suite.name;
  const cs = current.measurements.suite.name;
  if (bs !== cs) {
    throw new UserError(`${baseline.source} is of suite '${bs}', ${current.source} of suite '${cs}': compare runs of one suite (or save a baseline of '${cs}')`);
  }
  const warnings = [...baseline.warnings, ...current.warnings];
  const bi = sideInfo(baseline);
  const ci = sideInfo(current);
  const sameMachine = bi.machine === ci.machine;
  const before = new Map(baseline.measurements.cells.map((c) => [c.id, c]));
  const nowIds = new Set(current.measurements.cells.map((c) => c.id));
  const cells: CellComparison[] = [];
  const onlyInCurrent: Comparison['onlyInCurrent'] = [];
  for (const c of current.measurements.cells) {
    const a = before.get(c.id);
    if (a) cells.push(compareCell(a, c, thresholds, sameMachine));
    else onlyInCurrent.push({ id: c.id, label: c.label });
  }
  const onlyInBaseline = baseline.measurements.cells.filter((c) => !nowIds.has(c.id)).map((c) => {
    const skipped = current.skipped.get(c.id);
    return skipped ? { id: c.id, label: c.label, skipped } : { id: c.id, label: c.label };
  });

  if (!sameMachine) {
    const timeGated = thresholds.explicit.includes('time') && thresholds.metrics.time.gated;
    warnings.push(`the baseline was measured on ${bi.machine}, the current run on ${ci.machine}: ${timeGated ? 'step time is gated across machines as --threshold asks' : 'step time is not gated (give --threshold time=… to gate it anyway)'}; RSS compares different machines`);
  }
  const cantGate = cells.flatMap((c) => c.metrics).find((m) => m.metric === 'time' && m.gated && m.samples && minimumP(m.samples.baseline, m.samples.current) >= thresholds.alpha);
  if (cantGate?.samples) {
    warnings.push(`${cantGate.samples.baseline} vs ${cantGate.samples.current} step samples cannot reach p < ${thresholds.alpha}: the step-time gate cannot fire; measure ≥ ${stepsNeeded(thresholds.alpha)} steps (--steps)`);
  }

  const tensorGains = cells.filter((c) => c.metrics.some((m) => m.metric === 'tensor' && m.verdict === 'improvement' && m.gated));
  if (tensorGains.length) {
    warnings.push(`tensor memory fell in ${tensorGains.length} cell${tensorGains.length === 1 ? '' : 's'}: save a new baseline (${commandToType('baseline save <run dir>')}) so that the gate keeps the gain`);
  }

  const claims = recheckClaims(current.measurements.suite.definition.claims ?? [], baseline, current, thresholds);
  const claimRegressions = claims.filter((c) => c.verdict === 'regression' && c.gated).length;
  const claimWarnings = claims.filter((c) => c.verdict === 'warning' || (c.verdict === 'regression' && !c.gated)).length;
  const count = (v: CellVerdict) => cells.filter((c) => c.verdict === v).length;
  const counts = {
    regressions: count('regression') + claimRegressions + (thresholds.missingGated ? onlyInBaseline.length : 0),
    warnings: count('warning') + claimWarnings + (thresholds.missingGated ? 0 : onlyInBaseline.length) + onlyInCurrent.length,
    improvements: count('improvement'),
    unchanged: count('unchanged'),
  };
  return {
    suite: cs,
    baseline: bi,
    current: ci,
    thresholds,
    cells,
    onlyInBaseline,
    onlyInCurrent,
    claims,
    warnings,
    counts,
    exitCode: counts.regressions > 0 ? 1 : 0,
  };
}
