// The data-parallel table of the reports (summary.md and report.html share
// it): per cell of a GPU sweep, its throughput over every rank, what N GPUs
// would give at no cost, the scaling efficiency and what a step all-reduces.
import { cellLabel } from '../protocol/labels.ts';
import { scalingRows } from '../results/scaling.ts';
import { formatBytes } from '../results/units.ts';
import type { ReportData } from './report-data.ts';

export const SCALING_NOTE = 'Throughput: clips per second over every rank (GPUs × batch × accum / median step, all-reduce included). '
  + 'Ideal: GPUs × the one-GPU cell\'s throughput; efficiency: throughput / ideal. All-reduced: DistributedDataParallel\'s gradient buckets, per step.';

export function scalingTable(data: ReportData): { header: string[]; rows: string[][] } | null {
  const rows = scalingRows(data.cells.map((c) => c.result));
  if (rows.length === 0) return null;
  return {
    header: ['cell', 'GPUs', 'clips/s', 'ideal clips/s', 'efficiency', 'all-reduced / step'],
    rows: rows.map((r) => [
      cellLabel(r.config), String(r.gpus), r.clipsPerSecond.toFixed(2),
      r.idealClipsPerSecond === null ? '–' : r.idealClipsPerSecond.toFixed(2),
      r.efficiency === null ? '– (no one-GPU cell)' : `${(100 * r.efficiency).toFixed(1)} %`,
      r.gpus === 1 ? '–' : formatBytes(r.allReducedBytes),
    ]),
  };
}
