// The one definition of every chart, as plain Chart.js configurations (data
// only, no functions): report.html hands them to Chart.js in the page and
// png.ts to Chart.js on a @napi-rs/canvas, so both draw the same chart.
// Charts: the paper's Fig. 6 (memory and time bars per matched group), the
// memory-versus-time view of each group (which mode is both smaller and
// faster), sweeps against batch, each cell's memory timeline, loss curves,
// throughput against GPUs (data-parallel cells) with the ideal line.
import type { ChartConfiguration, ChartDataset, Point } from 'chart.js';
import { type CellResult } from '../results/cell-result.ts';
import { shapeLabel } from '../protocol/labels.ts';
import { trackedMemory } from '../protocol/worker-outcome.ts';
import { scalingChartLabel, scalingRows, scalingSeriesLabel } from '../results/scaling.ts';
import { MB } from '../results/units.ts';
import { MODE_SPECS, MODES, type Mode } from '../train/modes.ts';
import { comparisonTitle, formatRatioChange } from './format.ts';
import type { ModeComparison, ReportData } from './report-data.ts';

export type ChartSection = 'fig6' | 'pareto' | 'sweep' | 'timeline' | 'loss' | 'scaling';

export interface ChartSpec {
  /** File-name safe: charts/<id>.png. */
  id: string;
  section: ChartSection;
  title: string;
  /** Size in CSS pixels (the PNG is PNG_SCALE times larger). */
  width: number;
  height: number;
  config: ChartConfiguration;
  /** Lines under the tooltip of each x label, in the page only (a PNG has no tooltip): Fig. 6's changes per group. */
  tooltipFooters?: string[][];
}

const MODE_COLORS: Record<Mode, string> = {
  full: '#8c8c8c',
  'delta-serial': '#1f77b4',
  'delta-parallel': '#e8710a',
  'delta-serial-ckpt': '#17becf',
  'delta-parallel-ckpt': '#d62728',
};

const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif";

function safeId(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase();
}

/**
 * `lines`: legend entries drawn as line samples, dashed where the series is.
 * Not usePointStyle 'line': Chart.js then styles the entry from the first
 * point, which has no dash, so a dashed series got a solid sample. A box of
 * height 0 is stroked with the dataset's own borderDash and borderWidth.
 */
function baseOptions(title: string, x: Record<string, unknown>, y: Record<string, unknown>, lines = false): ChartConfiguration['options'] {
  const labels = lines ? { font: { family: FONT_FAMILY }, boxWidth: 28, boxHeight: 0 } : { font: { family: FONT_FAMILY } };
  return {
    animation: false,
    font: { family: FONT_FAMILY },
    plugins: {
      title: { display: true, text: title, font: { family: FONT_FAMILY, size: 13, weight: 'bold' }, color: '#222' },
      legend: { display: true, labels },
    },
    scales: { x, y },
  } as ChartConfiguration['options'];
}

function axis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { display: true, text: title, font: { family: FONT_FAMILY } }, ticks: { font: { family: FONT_FAMILY } }, ...extra };
}

/** A cell's memory in the chart's unit: GPU process MiB, or tensor peak MB. */
function memoryValue(r: CellResult | undefined, data: ReportData): number | null {
  if (!r || r.status !== 'ok') return null;
  if (data.chartMemory === 'gpu') return r.gpu?.processPeakMiB ?? null;
  const memory = trackedMemory(r.memory);
  return memory ? memory.peakBytes / MB : null;
}

function memoryAxisTitle(data: ReportData): string {
  return data.chartMemory === 'gpu' ? 'GPU process peak (MiB)' : 'tensor peak (MB, unique buffers)';
}

function timeValue(r: CellResult | undefined): number | null {
  return r?.status === 'ok' ? r.stats.medianMs : null;
}

/** Groups of a preset/frames/size, in first-seen order. */
function byKey<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    m.set(k, [...(m.get(k) ?? []), it]);
  }
  return m;
}

/** A point; y null is a gap (and stays null through JSON, unlike NaN). */
function pt(x: number, y: number | null): Point {
  return { x, y } as Point;
}

function shapeOf(r: CellResult): string {
  return shapeLabel(r.config);
}

/** `−39 % to −36 %`, or one change where every group rounds to it. */
function changeRange(ratios: number[]): string {
  const lo = formatRatioChange(Math.min(...ratios));
  const hi = formatRatioChange(Math.max(...ratios));
  return lo === hi ? lo : `${lo} to ${hi}`;
}

/**
 * Fig. 6: memory and time bars for each matched group of one preset and
 * shape. The axis says only the group (`b1 a2`): Mobius's changes, three
 * rotated lines under each bar group before, are a subtitle line per
 * comparison (their range over the groups) and, per group, the tooltip.
 */
function fig6Charts(data: ReportData): ChartSpec[] {
  const specs: ChartSpec[] = [];
  // A group with no cell that succeeded would draw empty axes.
  const drawn = data.groups.filter((g) => Object.values(g.cells).some((r) => r?.status === 'ok'));
  const shapes = byKey(drawn, (g) => shapeOf(Object.values(g.cells)[0]!));
  for (const [shape, groups] of shapes) {
    const labels = groups.map((g) => {
      const c = Object.values(g.cells)[0]!.config;
      return `b${c.batch} a${c.accum}`;
    });
    const comparisons = data.comparisons.filter((x) => groups.includes(x.group));
    const pairs = [...new Set(comparisons.map(comparisonTitle))];
    for (const metric of ['memory', 'time'] as const) {
      const ratioOf = (cmp: ModeComparison) => (metric === 'memory' ? cmp.memoryRatio : cmp.time?.ratio ?? cmp.timeRatio);
      const subtitle = pairs.map((pair) => `${pair}: ${changeRange(comparisons.filter((x) => comparisonTitle(x) === pair).map(ratioOf))}`);
      const tooltipFooters = groups.map((g) => comparisons.filter((x) => x.group === g).map((x) => `${comparisonTitle(x)}: ${formatRatioChange(ratioOf(x))}`));
      const datasets: ChartDataset<'bar'>[] = data.modes.map((mode) => ({
        label: mode,
        data: groups.map((g) => (metric === 'memory' ? memoryValue(g.cells[mode], data) : timeValue(g.cells[mode]))) as number[],
        backgroundColor: MODE_COLORS[mode],
        borderColor: MODE_COLORS[mode],
      }));
      const title = `${shape}: ${metric === 'memory' ? 'peak memory per step' : 'median step time'} (Fig. 6)`;
      const options = baseOptions(title, axis('batch, accum', { ticks: { font: { family: FONT_FAMILY }, maxRotation: 0, autoSkip: false } }), axis(metric === 'memory' ? memoryAxisTitle(data) : 'step time (ms)', { beginAtZero: true }));
      if (subtitle.length) options!.plugins!.subtitle = { display: true, text: subtitle, font: { family: FONT_FAMILY, size: 12 }, color: '#444', padding: { bottom: 6 } };
      specs.push({
        id: safeId(`fig6-${metric}-${shape}`),
        section: 'fig6',
        title,
        width: Math.max(420, 90 * groups.length + 120),
        height: 340 + 16 * subtitle.length,
        config: { type: 'bar', data: { labels, datasets }, options },
        tooltipFooters,
      });
    }
  }
  return specs;
}

/**
 * Memory against step time, one point per mode, one chart per matched group:
 * the Pareto view — a mode below and left of another is both smaller and
 * faster (Mobius against checkpointing, checkpointing against the plain net).
 */
function paretoCharts(data: ReportData): ChartSpec[] {
  const specs: ChartSpec[] = [];
  for (const group of data.groups) {
    const cells = data.modes.map((mode) => [mode, group.cells[mode]] as const).filter(([, r]) => memoryValue(r, data) != null && timeValue(r) != null);
    if (cells.length < 2) continue;
    const first = cells[0]![1]!;
    const c = first.config;
    const shape = `${shapeOf(first)} b${c.batch} a${c.accum}`;
    const datasets: ChartDataset<'scatter'>[] = cells.map(([mode, r]) => ({
      label: mode,
      data: [pt(timeValue(r)!, memoryValue(r, data))],
      backgroundColor: MODE_COLORS[mode],
      borderColor: MODE_COLORS[mode],
      pointRadius: 7,
      pointHoverRadius: 9,
    }));
    const title = `${shape}: memory against step time, one point per mode`;
    specs.push({
      id: safeId(`pareto-${shape}`),
      section: 'pareto',
      title,
      width: 520,
      height: 380,
      config: {
        type: 'scatter',
        data: { datasets },
        options: baseOptions(title, axis('median step time (ms)', { type: 'linear', beginAtZero: true }), axis(memoryAxisTitle(data), { beginAtZero: true })),
      },
    });
  }
  return specs;
}

/** The preset/shape/accum series of `results` that hold two batch sizes or more. */
function batchSeries(results: CellResult[]): Array<[string, CellResult[]]> {
  return [...byKey(results, (r) => `${shapeOf(r)} a${r.config.accum}`)].filter(([, cells]) => new Set(cells.map((r) => r.config.batch)).size >= 2);
}

/** Why a run has no sweep chart: the suite sweeps no batch, or too few of its batch sizes succeeded. */
export function noSweepReason(data: ReportData): string {
  return batchSeries(data.cells.map((c) => c.result)).length > 0
    ? 'No sweep to draw: fewer than two batch sizes succeeded in each configuration.'
    : 'No sweep: the run has one batch size per configuration.';
}

/** Memory and step time against batch, one chart per accum (and preset/shape), one line per mode; only where batch varies. */
function sweepCharts(data: ReportData): ChartSpec[] {
  const specs: ChartSpec[] = [];
  const ok = data.cells.map((c) => c.result).filter((r) => r.status === 'ok');
  for (const [key, cells] of batchSeries(ok)) {
    for (const metric of ['memory', 'time'] as const) {
      const datasets: ChartDataset<'line'>[] = data.modes.map((mode) => ({
        label: mode,
        data: cells
          .filter((r) => r.config.mode === mode)
          .sort((a, b) => a.config.batch - b.config.batch)
          .map((r) => pt(r.config.batch, metric === 'memory' ? memoryValue(r, data) : timeValue(r))),
        borderColor: MODE_COLORS[mode],
        backgroundColor: MODE_COLORS[mode],
        pointRadius: 4,
      }));
      const title = `${key.replace(/ a(\d+)$/, ', accum $1')}: ${metric === 'memory' ? 'peak memory' : 'median step time'} vs batch`;
      specs.push({
        id: safeId(`sweep-${metric}-${key}`),
        section: 'sweep',
        title,
        width: 560,
        height: 340,
        config: {
          type: 'line',
          data: { datasets },
          options: baseOptions(title, axis('batch (clips per micro-batch)', { type: 'linear', ticks: { stepSize: 1, precision: 0 } }), axis(metric === 'memory' ? memoryAxisTitle(data) : 'step time (ms)', { beginAtZero: true })),
        },
      });
    }
  }
  return specs;
}

/**
 * Fewer nvidia-smi samples than this show no course worth a chart (a cell
 * shorter than a few sampling intervals). Without a sampler (a CPU run) there
 * is no timeline at all: the per-step peaks of a few steps are flat lines
 * that say no more than the cells table.
 */
export const MIN_TIMELINE_SAMPLES = 3;

export function hasTimeline(r: CellResult): boolean {
  return (r.gpu?.timeline.length ?? 0) >= MIN_TIMELINE_SAMPLES;
}

/** Each cell's GPU memory over time, where nvidia-smi sampled it. */
function timelineCharts(data: ReportData): ChartSpec[] {
  const specs: ChartSpec[] = [];
  for (const { result: r } of data.cells) {
    if (!r.gpu || !hasTimeline(r)) continue;
    const tl = r.gpu.timeline;
    const t0 = tl[0]!.t;
    const end = (tl[tl.length - 1]!.t - t0) / 1000;
    const datasets: ChartDataset<'line'>[] = [{
      label: 'device (all GPUs)',
      data: tl.map((s) => ({ x: (s.t - t0) / 1000, y: s.deviceMiB })),
      borderColor: '#2a9d4b', backgroundColor: '#2a9d4b', pointRadius: 0, borderWidth: 2,
    }];
    if (tl.some((s) => s.processMiB != null)) {
      datasets.push({
        label: 'worker process',
        data: tl.map((s) => pt((s.t - t0) / 1000, s.processMiB)),
        borderColor: '#c0392b', backgroundColor: '#c0392b', pointRadius: 0, borderWidth: 2,
      });
    }
    // What other processes held before the worker started: the device line's floor.
    datasets.push({
      label: 'device before the cell',
      data: [pt(0, r.gpu.baselineMiB), pt(end, r.gpu.baselineMiB)],
      borderColor: '#555', backgroundColor: '#555', borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5,
    });
    const title = `${r.label}${r.status === 'failed' ? ' (failed)' : ''}`;
    const config: ChartConfiguration = { type: 'line', data: { datasets }, options: baseOptions(title, axis('time since the first sample (s)', { type: 'linear' }), axis('GPU memory (MiB)', { beginAtZero: true }), true) };
    specs.push({ id: safeId(`timeline-${r.label}-${r.id}`), section: 'timeline', title, width: 370, height: 250, config });
  }
  return specs;
}

/** The mode a checkpointed mode recomputes: the same network training the same weights, without checkpointing. */
function uncheckpointed(mode: Mode): Mode | null {
  const spec = MODE_SPECS[mode];
  if (!spec.checkpointed) return null;
  return MODES.find((m) => !MODE_SPECS[m].checkpointed && MODE_SPECS[m].network === spec.network && MODE_SPECS[m].trainable.join() === spec.trainable.join()) ?? null;
}

/**
 * Recomputing a layer runs the same kernels on the same inputs: the losses
 * agree to float32 rounding (a few 1e-7 apart on wasm), so "the same" allows
 * that and no more.
 */
const SAME_LOSS = 1e-5;

function sameLosses(a: ReadonlyArray<number | null>, b: ReadonlyArray<number | null>): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i]!;
    return x == null || y == null ? x === y : Math.abs(x - y) <= SAME_LOSS * Math.max(1, Math.abs(y));
  });
}

/**
 * Loss per measured step, one chart per matched group, one line per mode. A
 * checkpointed mode whose losses are its twin's would hide under it: it is
 * drawn as a wide band around its twin's line, its legend entry says
 * `= twin`, and the subtitle why.
 */
function lossCharts(data: ReportData): ChartSpec[] {
  const specs: ChartSpec[] = [];
  for (const g of data.groups) {
    const losses = new Map<Mode, ReadonlyArray<number | null>>();
    for (const mode of data.modes) {
      const cell = g.cells[mode];
      if (cell?.status === 'ok' && cell.loss.length > 0) losses.set(mode, cell.loss);
    }
    if (losses.size === 0) continue;
    const twins = new Map<Mode, Mode>();
    for (const [mode, loss] of losses) {
      const twin = uncheckpointed(mode);
      const twinLoss = twin && losses.get(twin);
      if (twin && twinLoss && sameLosses(loss, twinLoss)) twins.set(mode, twin);
    }
    const datasets: ChartDataset<'line'>[] = [...losses].map(([mode, loss]) => {
      const twin = twins.get(mode);
      return {
        label: twin ? `${mode} (= ${twin})` : mode,
        data: loss.map((y, i) => ({ x: i + 1, y })),
        borderColor: MODE_COLORS[mode],
        backgroundColor: MODE_COLORS[mode],
        pointRadius: twin ? 0 : 3,
        // A wide pale band under the line it equals (not `order`, which would also reorder the legend).
        ...(twin ? { borderColor: `${MODE_COLORS[mode]}80`, borderWidth: 8 } : {}),
      };
    });
    const title = `${g.label}: loss`;
    const subtitle = [...twins].map(([mode, twin]) => `${mode}: same losses as ${twin}`);
    if (subtitle.length) subtitle.push('(checkpointing recomputes; it does not change the maths)');
    const options = baseOptions(title, axis('measured step', { type: 'linear', ticks: { stepSize: 1, precision: 0 } }), axis('loss (ε-MSE)'), true);
    if (subtitle.length) options!.plugins!.subtitle = { display: true, text: subtitle, font: { family: FONT_FAMILY, size: 11 }, color: '#444', padding: { bottom: 4 } };
    specs.push({
      id: safeId(`loss-${g.label}`),
      section: 'loss',
      title,
      width: 370,
      // The subtitle's lines and the longer legend's extra row.
      height: 250 + (subtitle.length ? 14 * subtitle.length + 40 : 0),
      config: { type: 'line', data: { datasets }, options },
    });
  }
  return specs;
}

/** Clips per second against GPUs, per configuration and mode, and dashed, what N GPUs would give with no cost (N × one GPU's). */
function scalingCharts(data: ReportData): ChartSpec[] {
  const rows = scalingRows(data.cells.map((c) => c.result));
  const specs: ChartSpec[] = [];
  for (const [chart, inChart] of byKey(rows, (r) => scalingChartLabel(r.config))) {
    const datasets: ChartDataset<'line'>[] = [];
    for (const [series, points] of byKey(inChart, (r) => scalingSeriesLabel(r.config))) {
      const sorted = [...points].sort((a, b) => a.gpus - b.gpus);
      const color = MODE_COLORS[sorted[0]!.config.mode];
      datasets.push({ label: series, data: sorted.map((r) => pt(r.gpus, r.clipsPerSecond)), borderColor: color, backgroundColor: color, pointRadius: 3 });
      const ideal = sorted.filter((r) => r.idealClipsPerSecond !== null);
      if (ideal.length > 1) datasets.push({ label: `${series}: ideal`, data: ideal.map((r) => pt(r.gpus, r.idealClipsPerSecond)), borderColor: color, backgroundColor: color, borderDash: [6, 4], pointRadius: 0 });
    }
    const title = `${chart}: throughput against GPUs`;
    specs.push({
      id: safeId(`scaling-${chart}`), section: 'scaling', title, width: 420, height: 280,
      config: { type: 'line', data: { datasets }, options: baseOptions(title, axis('GPUs (data-parallel ranks)', { type: 'linear', ticks: { stepSize: 1, precision: 0 } }), axis('clips / s (all ranks)', { beginAtZero: true }), true) },
    });
  }
  return specs;
}

export function buildCharts(data: ReportData): ChartSpec[] {
  const specs = [...fig6Charts(data), ...paretoCharts(data), ...sweepCharts(data), ...timelineCharts(data), ...lossCharts(data), ...scalingCharts(data)];
  // Ids become file names: make any repeat unique.
  const seen = new Map<string, number>();
  for (const s of specs) {
    const k = seen.get(s.id) ?? 0;
    seen.set(s.id, k + 1);
    if (k > 0) s.id = `${s.id}-${k + 1}`;
  }
  return specs;
}
