// What the history follows, and how each figure is read from a filed run:
// per cell its peak memory (the allocator's), the worker's GPU peak
// (nvidia-smi), the median step time with its interquartile range,
// throughput in clips per second and MFU; per matched group the ratios of
// Mobius's memory and time to its serial counterpart's. Each reading says
// whether it is exact (counted, the same on every run of unchanged code) or
// noisy (timed or sampled), which decides how change points are sought.
import { quantileSorted } from 'simple-statistics';
import { compareInGroup, matchedGroups, type MatchedGroup } from '../results/analysis.ts';
import { trackedMemory } from '../protocol/worker-outcome.ts';
import { formatBytes, formatMiB, formatMs, formatNumber, formatRatio } from '../results/units.ts';
import { REPORT_COMPARISONS } from '../report/report-data.ts';
import type { Mode } from '../train/modes.ts';
import type { FiledCell, FiledOkCell, FiledRun } from './history-file.ts';

export const CELL_METRICS = ['peak-memory', 'gpu-memory', 'step-time', 'throughput', 'mfu'] as const;
export const RATIO_METRICS = ['memory-ratio', 'time-ratio'] as const;
export type CellMetric = (typeof CELL_METRICS)[number];
export type RatioMetric = (typeof RATIO_METRICS)[number];
export type MetricId = CellMetric | RatioMetric;

export interface MetricSpec {
  id: MetricId;
  title: string;
  /** The unit of a value, for JSON: bytes, MiB, ms, clips/s, or a plain ratio / fraction. */
  unit: 'B' | 'MiB' | 'ms' | 'clips/s' | 'fraction' | 'ratio';
  /** A change upwards is a regression (memory, time, Mobius's ratios) or an improvement (throughput, MFU). */
  higherIsWorse: boolean;
  format: (value: number) => string;
}

export const METRICS: Record<MetricId, MetricSpec> = {
  'peak-memory': { id: 'peak-memory', title: 'peak memory (allocator)', unit: 'B', higherIsWorse: true, format: formatBytes },
  'gpu-memory': { id: 'gpu-memory', title: 'GPU process peak (nvidia-smi)', unit: 'MiB', higherIsWorse: true, format: formatMiB },
  'step-time': { id: 'step-time', title: 'median step time', unit: 'ms', higherIsWorse: true, format: formatMs },
  throughput: { id: 'throughput', title: 'throughput', unit: 'clips/s', higherIsWorse: false, format: (v) => `${formatNumber(v, v >= 100 ? 0 : v >= 10 ? 1 : 3)} clips/s` },
  mfu: { id: 'mfu', title: 'MFU', unit: 'fraction', higherIsWorse: false, format: (v) => `${formatNumber(v * 100, 1)} %` },
  'memory-ratio': { id: 'memory-ratio', title: 'memory, Mobius / serial', unit: 'ratio', higherIsWorse: true, format: formatRatio },
  'time-ratio': { id: 'time-ratio', title: 'step time, Mobius / serial', unit: 'ratio', higherIsWorse: true, format: formatRatio },
};

export interface Reading {
  value: number;
  /** The spread behind a step-time median: the interquartile range of the measured steps. */
  low?: number;
  high?: number;
  /** Counted, not timed or sampled: equal on every run of the same code. */
  exact: boolean;
  /** What the figure is, where metrics mix sources: `tensors`, `cuda-allocated`, `rss`. */
  source?: string;
}

/** Each figure of one finished cell. */
export function cellReadings(cell: FiledOkCell): Partial<Record<CellMetric, Reading>> {
  const out: Partial<Record<CellMetric, Reading>> = {};
  const memory = trackedMemory(cell.memory);
  // RSS includes the framework and is read from the kernel: it moves between identical runs.
  if (memory) out['peak-memory'] = { value: memory.peakBytes, exact: memory.source !== 'rss', source: memory.source };
  if (cell.gpu?.processPeakMiB != null) out['gpu-memory'] = { value: cell.gpu.processPeakMiB, exact: false };
  const sorted = [...cell.stepMs].sort((a, b) => a - b);
  out['step-time'] = { value: cell.stats.medianMs, low: quantileSorted(sorted, 0.25), high: quantileSorted(sorted, 0.75), exact: false };
  out.throughput = { value: cell.stats.samplesPerSecond, exact: false };
  if (cell.mfu != null) out.mfu = { value: cell.mfu, exact: false };
  return out;
}

export type ModePair = readonly [Mode, Mode];

export interface GroupReadings {
  group: MatchedGroup<FiledCell>;
  pair: ModePair;
  readings: Record<RatioMetric, Reading>;
}

/** Mobius against serial in every matched group of a run where both cells finished (the reports' pairs). */
export function ratioReadings(run: FiledRun): GroupReadings[] {
  const out: GroupReadings[] = [];
  for (const group of matchedGroups(run.cells)) {
    for (const pair of REPORT_COMPARISONS) {
      const c = compareInGroup(group, pair[0], pair[1]);
      if (!c) continue;
      const sources = [c.candidate.memory.source, c.baseline.memory.source];
      const exactMemory = c.memoryMetric === 'tensorPeakBytes' && !sources.includes('rss');
      out.push({
        group,
        pair,
        readings: {
          'memory-ratio': { value: c.memoryRatio, exact: exactMemory, source: c.memoryMetric === 'tensorPeakBytes' ? sources[0] : 'nvidia-smi' },
          'time-ratio': { value: c.timeRatio, exact: false },
        },
      });
    }
  }
  return out;
}
