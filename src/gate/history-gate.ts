// `compare --history DIR RUN`: the current run against the history instead of
// one baseline. Per cell and metric, the series of that cell's figure over the
// runs of the same suite on the same machine (history/machine.ts's identity),
// in commit order; its change points (history/change-points.ts, the settings
// the trend site uses); and the window: the last K runs since the last change
// point. Then:
//
// - exact figures (allocator peaks: tensors, CUDA-allocated) do not move
//   between runs of the same code, so the window has no spread to learn: the
//   current figure is compared with the newest run's, at the usual threshold
//   (0 bytes). The newest, not the window's median: a change that landed on
//   main one run ago is the new normal for a pull request, even before two
//   runs make it a change point.
// - noisy figures (step time, nvidia-smi's GPU peak, RSS) are judged against
//   the window's band (window-band.ts): a regression is beyond the threshold
//   (5 % on GPU cells' time, as with one baseline) and outside the band
//   (p < alpha), so that a noisy runner's own spread never fails a pull
//   request, and a quiet one's catches smaller changes than a fixed limit.
//
// Verdicts, formats and exit codes are compare.ts's: the result is a
// Comparison whose baseline side is the history.
import { existsSync, statSync } from 'node:fs';
import { median } from 'simple-statistics';
import { join } from 'node:path';
import type { BaselineCell, OkBaselineCell } from '../results/baseline-file.ts';
import { readResults } from '../results/jsonl.ts';
import { readRunRecord } from '../results/run-record.ts';
import { formatChange } from '../results/units.ts';
import { trackedMemory } from '../protocol/worker-outcome.ts';
import { runIdOf } from '../history/add-run.ts';
import { findChanges } from '../history/change-points.ts';
import type { FiledCell, FiledOkCell, FiledRun, Machine } from '../history/history-file.ts';
import type { History } from '../history/history-folder.ts';
import { machineOf } from '../history/machine.ts';
import { inCommitOrder } from '../history/series.ts';
import { UserError } from '../user-error.ts';
import { snapshotFromRun, type Snapshot } from './baseline.ts';
import { recheckClaims, type CellComparison, type CellVerdict, type Comparison, type MetricResult, type SideInfo, type Verdict } from './compare.ts';
import { formatValue } from './format-util.ts';
import type { WindowInfo } from './history-types.ts';
import { CPU_TIME_LIMIT, type Limit, type Metric, type Thresholds } from './thresholds.ts';
import { bandTest, newestAside } from './window-band.ts';
import { commandToType } from '../user-command.ts';

/** Runs per window by default: enough for a stable band, recent enough to follow a drift. */
export const DEFAULT_WINDOW = 10;
/** The fewest runs a noisy figure's band is drawn from (and the fewest runs the history must have). */
export const MIN_WINDOW = 5;

/** The current run: its compact form, its machine as the history names machines, and its id if it were filed. */
export interface CurrentRun {
  snapshot: Snapshot;
  machine: Machine;
  runId: string | null;
}

/** Reads the current run's folder (a baseline file has no machine to match). */
export function readCurrentRun(runDir: string): CurrentRun {
  if (!existsSync(runDir)) throw new UserError(`${runDir}: no such run folder`);
  if (!statSync(runDir).isDirectory()) {
    throw new UserError(`${runDir}: compare --history takes the current run's folder (run.json names its machine), not a baseline file`);
  }
  const snapshot = snapshotFromRun(runDir);
  const record = readRunRecord(runDir);
  const machine = machineOf(record, readResults(join(runDir, 'results.jsonl')).results);
  const commit = record.environment.git.commit;
  return { snapshot, machine, runId: commit ? runIdOf(record.suite.sha256, record.startedAt, commit, machine.id) : null };
}

interface Entry {
  run: FiledRun;
  cell: FiledCell;
}

interface Point {
  value: number;
  run: FiledRun;
}

const short = (sha: string) => sha.slice(0, 7);
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** Is |change| beyond the limit (bytes for byte limits)? As compare.ts judges one baseline. */
function beyond(limit: Limit, delta: number, change: number, bytesPerUnit: number): boolean {
  if (limit.kind === 'bytes') return Math.abs(delta) * bytesPerUnit > limit.value;
  return Math.abs(change) * 100 > limit.value;
}

interface MetricSpec {
  metric: Metric;
  unit: MetricResult['unit'];
  /** The figure of a current cell and of a filed one, null where it has none. */
  current: number | null;
  of: (c: FiledOkCell) => number | null;
  exact: boolean;
  limit: Limit;
  /** Why the metric is not compared at all, if it is not. */
  skip?: string;
}

/** The window of a series: the last `k` points since its last change point, and that change point. */
export function windowOf<P extends { value: number }>(points: readonly P[], exact: boolean, k: number): { window: P[]; since: { index: number; change: number } | null } {
  const { levels, changes } = findChanges(points.map((p) => p.value), exact);
  const last = changes[changes.length - 1];
  const start = Math.max(levels[levels.length - 1]?.start ?? 0, points.length - k);
  // The change point is named where it cut the window short.
  return { window: points.slice(start), since: last && last.index >= points.length - k ? { index: last.index, change: last.change } : null };
}

function judge(spec: MetricSpec, points: Point[], t: Thresholds, k: number, restarted: string[]): MetricResult {
  const gated = t.metrics[spec.metric].gated;
  const empty = { metric: spec.metric, unit: spec.unit, delta: null, change: null, verdict: 'not-compared' as const, gated };
  if (spec.skip) return { ...empty, baseline: null, current: spec.current, note: spec.skip };
  if (points.length === 0) return { ...empty, baseline: null, current: spec.current, note: 'no figure in the history' };
  if (spec.current == null) return { ...empty, baseline: points[points.length - 1]!.value, current: null, note: 'no current figure' };
  const x = spec.current;
  const { window, since } = windowOf(points, spec.exact, k);
  const sinceInfo = since
    ? { commit: points[since.index]!.run.commit.sha, previousCommit: points[since.index - 1]!.run.commit.sha, change: since.change, confirmed: true }
    : null;
  const info: WindowInfo = { runs: window.length, firstCommit: window[0]!.run.commit.sha, lastCommit: window[window.length - 1]!.run.commit.sha, since: sinceInfo, exact: spec.exact };
  const bytesPerUnit = spec.unit === 'MiB' ? 1024 * 1024 : 1;
  if (spec.exact) {
    const ref = window[window.length - 1]!.value;
    const constant = window.every((p) => p.value === ref);
    const delta = x - ref;
    const change = ref === 0 ? (x === 0 ? 0 : Infinity) : x / ref - 1;
    const verdict: Verdict = !beyond(spec.limit, delta, change, bytesPerUnit) ? 'unchanged' : delta > 0 ? 'regression' : 'improvement';
    const note = constant ? undefined : `against the newest run (${short(info.lastCommit)}); the window's ${window.length} runs are not all equal`;
    return { metric: spec.metric, unit: spec.unit, baseline: ref, current: x, delta, change, verdict, gated, window: { ...info, constant }, ...(note ? { note } : {}) };
  }
  // The newest runs in a row at another level: a change the test cannot confirm yet; the window starts there.
  const aside = newestAside(window.map((p) => p.value));
  if (aside >= 2) {
    const first = window.length - aside;
    const before = median(window.slice(0, first).map((p) => p.value));
    const after = median(window.slice(first).map((p) => p.value));
    info.since = { commit: window[first]!.run.commit.sha, previousCommit: window[first - 1]!.run.commit.sha, change: after / before - 1, confirmed: false };
    window.splice(0, first);
    Object.assign(info, { runs: window.length, firstCommit: window[0]!.run.commit.sha });
  }
  if (window.length < MIN_WINDOW) {
    const s = info.since;
    const why = s
      ? `${s.confirmed ? 'the series changed level' : `the newest ${plural(window.length, 'run')} sit at a new level, not yet a change point,`} at ${short(s.commit)} (${formatChange(s.change)})${s.confirmed ? ` and has ${plural(window.length, 'run')} since` : ''}; the band needs ${MIN_WINDOW}`
      : `the series has ${plural(window.length, 'run')}; the band needs ${MIN_WINDOW}`;
    restarted.push(why);
    return { ...empty, baseline: median(window.map((p) => p.value)), current: x, note: `not judged: ${why}`, window: info };
  }
  const band = bandTest(window.map((p) => p.value), x, t.alpha);
  const delta = x - band.level;
  const change = band.level === 0 ? (x === 0 ? 0 : Infinity) : x / band.level - 1;
  const base = { metric: spec.metric, unit: spec.unit, baseline: band.level, current: x, delta, change, p: band.p, gated, window: { ...info, low: band.low, high: band.high, outliers: band.outliers } };
  if (!beyond(spec.limit, delta, change, bytesPerUnit)) return { ...base, verdict: 'unchanged' };
  if (band.p >= t.alpha) {
    const range = `${formatValue(spec, band.low)} – ${formatValue(spec, band.high)}`;
    return { ...base, verdict: 'not-significant', note: `within the noise of the last ${plural(window.length, 'run')} (band ${range} at p < ${t.alpha})` };
  }
  return { ...base, verdict: delta > 0 ? 'regression' : 'improvement' };
}

function metricSpecs(current: OkBaselineCell, t: Thresholds): MetricSpec[] {
  const memory = trackedMemory(current.memory);
  const source = current.memory.source;
  const sameSource = (c: FiledOkCell) => (c.memory.source === source ? trackedMemory(c.memory)?.peakBytes ?? null : null);
  const specs: MetricSpec[] = [{
    metric: 'tensor',
    unit: 'B',
    current: memory?.peakBytes ?? null,
    of: sameSource,
    // RSS-sourced peaks (torch on a CPU) are read from the kernel and move between runs.
    exact: source !== 'rss',
    limit: t.metrics.tensor.limit,
    ...(source === 'untracked' ? { skip: 'memory not tracked (MOBIUS_BENCH_TRACKER=0)' } : {}),
  }];
  specs.push({ metric: 'gpu', unit: 'MiB', current: current.gpu?.processPeakMiB ?? null, of: (c) => c.gpu?.processPeakMiB ?? null, exact: false, limit: t.metrics.gpu.limit });
  specs.push({ metric: 'rss', unit: 'B', current: current.memory.rssPeakBytes, of: (c) => c.memory.rssPeakBytes, exact: false, limit: t.metrics.rss.limit });
  // CPU cells' time has its own default limit, as with one baseline (thresholds.ts).
  const timeLimit = t.explicit.includes('time') || current.backend.gpu ? t.metrics.time.limit : CPU_TIME_LIMIT;
  specs.push({ metric: 'time', unit: 'ms', current: current.stats.medianMs, of: (c) => c.stats.medianMs, exact: false, limit: timeLimit });
  return specs;
}

function compareCell(current: BaselineCell, entries: Entry[], t: Thresholds, k: number, restarted: string[]): CellComparison {
  const newest = entries[entries.length - 1]!;
  const base = { id: current.id, label: current.label, config: current.config, baselineStatus: newest.cell.status, currentStatus: current.status };
  if (current.status === 'failed' || newest.cell.status === 'failed') {
    const where = `the history's newest run of it (${short(newest.run.commit.sha)})`;
    const reason = current.status === 'failed' ? `${current.error.reason}: ${current.error.message.split('\n')[0]}` : '';
    if (newest.cell.status === 'ok') return { ...base, verdict: 'regression', note: `fails now (${reason}); it ran in ${where}`, metrics: [] };
    if (current.status === 'ok') return { ...base, verdict: 'improvement', note: `failed in ${where} (${newest.cell.reason}), runs now`, metrics: [] };
    return { ...base, verdict: 'warning', note: `fails now (${reason}) and in ${where} (${newest.cell.reason})`, metrics: [] };
  }
  const ok = entries.flatMap((e) => (e.cell.status === 'ok' ? [{ run: e.run, cell: e.cell }] : []));
  const metrics: MetricResult[] = [];
  for (const spec of metricSpecs(current, t)) {
    const points = ok.flatMap(({ run, cell }) => {
      const value = spec.of(cell);
      return value == null ? [] : [{ value, run }];
    });
    // GPU memory only where a sampler ran on either side, as with one baseline.
    if (spec.metric === 'gpu' && spec.current == null && points.length === 0) continue;
    metrics.push(judge(spec, points, t, k, restarted));
  }
  const regressions = metrics.filter((m) => m.verdict === 'regression');
  const verdict: CellVerdict = regressions.some((m) => m.gated)
    ? 'regression'
    : regressions.length > 0
      ? 'warning'
      : metrics.some((m) => m.verdict === 'improvement')
        ? 'improvement'
        : 'unchanged';
  return { ...base, verdict, metrics };
}

/** The machines a history has runs on, for an error that says which ones there are. */
function machinesLine(runs: readonly FiledRun[]): string {
  const counts = new Map<string, { label: string; n: number }>();
  for (const r of runs) {
    const m = counts.get(r.machine.id) ?? { label: r.machine.label, n: 0 };
    m.n++;
    counts.set(r.machine.id, m);
  }
  return [...counts].map(([id, m]) => `${m.label} [${id}] (${plural(m.n, 'run')})`).join('; ');
}

/** The current run against the history `h`: the last `window` runs per series on its machine since the last change point. */
export function compareWithHistory(h: History, current: CurrentRun, t: Thresholds, window = DEFAULT_WINDOW): Comparison {
  if (!Number.isInteger(window) || window < MIN_WINDOW) {
    throw new UserError(`--window ${window}: a window needs at least ${MIN_WINDOW} runs to draw a band from`);
  }
  const { snapshot, machine } = current;
  const suite = snapshot.measurements.suite.name;
  const { runs: all } = inCommitOrder(h.runs);
  const here = all.filter((r) => r.machine.id === machine.id);
  if (all.length === 0) throw new UserError(`${h.dir}: the history has no runs yet; file main-branch runs with \`${commandToType(`history add <run dir> --history ${h.dir}`)}\``);
  if (here.length === 0) {
    throw new UserError(`${h.dir} has no run on this machine (${machine.label} [${machine.id}]); it has runs on: ${machinesLine(all)}. Compare with a baseline from this machine, or file runs made here first`);
  }
  const warnings = [...snapshot.warnings];
  let ofSuite = here.filter((r) => r.suite.name === suite);
  if (current.runId && ofSuite.some((r) => r.runId === current.runId)) {
    ofSuite = ofSuite.filter((r) => r.runId !== current.runId);
    warnings.push(`${snapshot.source} is filed in the history already: it was left out of the windows`);
  }
  if (ofSuite.length === 0) {
    const suites = [...new Set(here.map((r) => r.suite.name))].map((s) => `'${s}'`).join(', ');
    throw new UserError(`${h.dir} has no run of suite '${suite}' on this machine (${machine.label}), only of ${suites || 'this run itself'}`);
  }
  if (ofSuite.length < MIN_WINDOW) {
    throw new UserError(`${h.dir} has ${plural(ofSuite.length, 'run')} of suite '${suite}' on this machine (${machine.label}); comparing with the history needs at least ${MIN_WINDOW}: file ${MIN_WINDOW - ofSuite.length} more with \`${commandToType('history add')}\`, or compare with one baseline until then`);
  }
  const entries = new Map<string, Entry[]>();
  for (const run of ofSuite) {
    for (const cell of run.cells) {
      let list = entries.get(cell.id);
      if (!list) entries.set(cell.id, (list = []));
      list.push({ run, cell });
    }
  }
  const cells: CellComparison[] = [];
  const onlyInCurrent: Comparison['onlyInCurrent'] = [];
  const restarted: string[] = [];
  for (const c of snapshot.measurements.cells) {
    const list = entries.get(c.id);
    if (list) cells.push(compareCell(c, list, t, window, restarted));
    else onlyInCurrent.push({ id: c.id, label: c.label });
  }
  if (cells.length === 0) {
    throw new UserError(`none of the ${plural(snapshot.measurements.cells.length, 'cell')} of ${snapshot.source} is in ${h.dir}'s ${plural(ofSuite.length, 'run')} of suite '${suite}' on this machine (cell ids hash the configuration: did the suite's cells change?); compare with a baseline of the new cells until the history has them`);
  }
  const newest = ofSuite[ofSuite.length - 1]!;
  const nowIds = new Set(snapshot.measurements.cells.map((c) => c.id));
  const onlyInBaseline = newest.cells.filter((c) => !nowIds.has(c.id)).map((c) => {
    const skipped = snapshot.skipped.get(c.id);
    return skipped ? { id: c.id, label: c.label, skipped } : { id: c.id, label: c.label };
  });
  if (restarted.length) {
    warnings.push(`${plural(restarted.length, 'figure')} not judged: the window has fewer than ${MIN_WINDOW} runs (e.g. ${restarted[0]}); they are gated again once ${MIN_WINDOW} runs have been filed`);
  }
  const claims = recheckClaims(snapshot.measurements.suite.definition.claims ?? [], { measurements: { cells: newest.cells } }, snapshot, t);
  const claimRegressions = claims.filter((c) => c.verdict === 'regression' && c.gated).length;
  const claimWarnings = claims.filter((c) => c.verdict === 'warning' || (c.verdict === 'regression' && !c.gated)).length;
  const count = (v: CellVerdict) => cells.filter((c) => c.verdict === v).length;
  const counts = {
    regressions: count('regression') + claimRegressions + (t.missingGated ? onlyInBaseline.length : 0),
    warnings: count('warning') + claimWarnings + (t.missingGated ? 0 : onlyInBaseline.length) + onlyInCurrent.length,
    improvements: count('improvement'),
    unchanged: count('unchanged'),
  };
  const baseline: SideInfo = { source: h.dir, kind: 'history', startedAt: newest.run.startedAt, commit: newest.commit.sha, machine: machine.label, cells: newest.cells.length };
  const run = snapshot.measurements;
  const currentSide: SideInfo = { source: snapshot.source, kind: 'run', startedAt: run.run.startedAt, commit: run.environment.commit, machine: machine.label, cells: run.cells.length };
  return {
    suite,
    baseline,
    current: currentSide,
    thresholds: t,
    cells,
    onlyInBaseline,
    onlyInCurrent,
    claims,
    warnings,
    counts,
    exitCode: counts.regressions > 0 ? 1 : 0,
    history: { dir: h.dir, machine: { id: machine.id, label: machine.label }, window, minRuns: MIN_WINDOW, runs: ofSuite.length },
  };
}
