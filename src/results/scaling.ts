// Data-parallel cells against their one-GPU twin: throughput (clips per
// second over every rank: gpus × batch × accum / median step) and scaling
// efficiency — the throughput on N GPUs over N times the one-GPU
// throughput, 1 when the all-reduce and the ranks' waiting cost nothing.
import { cellId, gpusOf, type CellConfig } from '../protocol/cell-config.ts';
import { shapeLabel, groupLabel } from '../protocol/labels.ts';
import type { CellResult, OkCell } from './cell-result.ts';

export interface ScalingRow {
  id: string;
  config: CellConfig;
  /** Every rank's GPU: `gpus` on one machine, gpus × machines with --nnodes. */
  gpus: number;
  /** Clips per second over all ranks. */
  clipsPerSecond: number;
  /** The one-GPU twin's throughput × gpus; null without a twin in the run. */
  idealClipsPerSecond: number | null;
  efficiency: number | null;
  /** What a step all-reduces: DDP's buckets (null on one GPU, or where torch does not say). */
  allReducedBytes: number | null;
}

/** The same cell on one GPU: its config without `gpus`. */
function oneGpuTwinId(config: CellConfig): string {
  const { gpus: _gpus, ...single } = config;
  return cellId(single);
}

/** The ranks a cell ran on: across machines (--nnodes) more than its `gpus`. */
function ranksOf(r: OkCell): number {
  return r.distributed?.worldSize ?? gpusOf(r.config);
}

/** Every ok cell of a configuration that the run has on more than one GPU count (a data-parallel sweep), with its scaling. */
export function scalingRows(results: readonly CellResult[]): ScalingRow[] {
  const ok = results.filter((r): r is OkCell => r.status === 'ok');
  const byId = new Map(ok.map((r) => [r.id, r]));
  const swept = new Set(ok.filter((r) => gpusOf(r.config) > 1).map((r) => oneGpuTwinId(r.config)));
  const rows: ScalingRow[] = [];
  for (const r of ok) {
    if (gpusOf(r.config) === 1 && !swept.has(r.id)) continue;
    const twin = gpusOf(r.config) > 1 ? byId.get(oneGpuTwinId(r.config)) : r;
    const gpus = ranksOf(r);
    // The twin's throughput per rank, on every rank of this cell.
    const ideal = twin ? (twin.stats.samplesPerSecond / ranksOf(twin)) * gpus : null;
    const buckets = r.distributed?.bucketSizes;
    rows.push({
      id: r.id, config: r.config, gpus, clipsPerSecond: r.stats.samplesPerSecond,
      idealClipsPerSecond: ideal, efficiency: ideal ? r.stats.samplesPerSecond / ideal : null,
      allReducedBytes: buckets ? buckets.reduce((a, b) => a + b, 0) : null,
    });
  }
  return rows;
}

/** One series per configuration and mode (a chart line): `sd21 b2 a2 8f 256px delta-parallel`. */
export function scalingSeriesLabel(config: CellConfig): string {
  return `${groupLabel({ ...config, gpus: undefined })} ${config.mode}`;
}

/** The charts' grouping: one chart per shape. */
export function scalingChartLabel(config: CellConfig): string {
  return shapeLabel({ ...config, gpus: undefined });
}
