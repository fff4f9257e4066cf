// results.csv: one row per cell, the columns and units documented in
// docs/results-format.md. Numbers are plain (no thousands separators), empty where a
// figure does not exist (a failed cell, a run without GPU).
import { stringify } from 'csv-stringify/sync';
import { trackedMemory } from '../protocol/worker-outcome.ts';
import { doesNotFit, doesNotFitText } from '../results/does-not-fit.ts';
import { gpusOf } from '../protocol/cell-config.ts';
import { scalingRows } from '../results/scaling.ts';
import { MB } from '../results/units.ts';
import { textExporter } from './exporter.ts';
import type { CellView, ReportData } from './report-data.ts';

export const CSV_COLUMNS = [
  'id', 'label', 'preset', 'mode', 'batch', 'accum', 'gpus', 'frames', 'size', 'backend', 'status', 'steps',
  'step_ms_median', 'step_ms_p95', 'step_ms_min', 'step_ms_max', 'step_ms_mad', 'samples_per_s', 'scaling_efficiency',
  'tensor_start_mb', 'tensor_peak_mb', 'tensor_peak_planned_mb', 'tflop_per_step_planned', 'mfu', 'hfu', 'rss_peak_mb',
  'gpu_process_peak_mib', 'gpu_process_matched', 'gpu_device_peak_mib', 'gpu_device_above_baseline_mib', 'gpu_energy_j_per_step',
  'params_trainable', 'params_frozen', 'loss_final', 'failure_reason', 'failure_message',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];
export type CsvValue = string | number | boolean | null;

const round = (x: number | null | undefined, digits: number): number | null => (x == null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));
const mb = (bytes: number | null | undefined): number | null => (bytes == null ? null : round(bytes / MB, 3));

/** `efficiency`: data-parallel cells' scaling efficiency by id (results/scaling.ts). */
export function csvRecord(cell: CellView, efficiency: ReadonlyMap<string, number | null> = new Map()): Record<CsvColumn, CsvValue> {
  const r = cell.result;
  const c = r.config;
  const ok = r.status === 'ok' ? r : null;
  const s = ok?.stats;
  const memory = ok ? trackedMemory(ok.memory) : null;
  const gpu = r.gpu;
  return {
    id: r.id,
    label: r.label,
    preset: c.preset,
    mode: c.mode,
    batch: c.batch,
    accum: c.accum,
    gpus: gpusOf(c),
    frames: c.frames,
    size: c.size,
    backend: ok?.backend.name ?? c.backend,
    // 'does-not-fit': ran out of memory (failure_reason 'oom'), an answer rather than a fault.
    status: doesNotFit(r) ? 'does-not-fit' : r.status,
    steps: ok ? ok.stepMs.length : 0,
    step_ms_median: round(s?.medianMs, 3),
    step_ms_p95: round(s?.p95Ms, 3),
    step_ms_min: round(s?.minMs, 3),
    step_ms_max: round(s?.maxMs, 3),
    step_ms_mad: round(s?.madMs, 3),
    samples_per_s: round(s?.samplesPerSecond, 4),
    scaling_efficiency: round(efficiency.get(r.id), 4),
    tensor_start_mb: mb(memory?.startBytes),
    tensor_peak_mb: mb(memory?.peakBytes),
    tensor_peak_planned_mb: mb(cell.planned?.peakBytes),
    tflop_per_step_planned: round(cell.planned == null ? null : cell.planned.flops / 1e12, 6),
    mfu: round(ok?.efficiency?.mfu, 5),
    hfu: round(ok?.efficiency?.hfu, 5),
    rss_peak_mb: mb(ok?.memory.rssPeakBytes),
    gpu_process_peak_mib: gpu?.processPeakMiB ?? null,
    gpu_process_matched: gpu ? gpu.processMatched : null,
    gpu_device_peak_mib: gpu?.devicePeakMiB ?? null,
    gpu_device_above_baseline_mib: gpu?.devicePeakAboveBaselineMiB ?? null,
    gpu_energy_j_per_step: round(gpu?.energyJoulesPerStep, 3),
    params_trainable: ok?.params.trainable ?? null,
    params_frozen: ok?.params.frozen ?? null,
    loss_final: round(ok?.loss.at(-1), 6),
    failure_reason: r.status === 'failed' ? r.error.reason : null,
    failure_message: r.status === 'failed' ? (doesNotFit(r) ? `${doesNotFitText(r.error)}; ${r.error.message}` : r.error.message) : null,
  };
}

export function toCsv(data: ReportData): string {
  const efficiency = new Map(scalingRows(data.cells.map((c) => c.result)).map((row) => [row.id, row.efficiency]));
  return stringify(data.cells.map((cell) => csvRecord(cell, efficiency)), {
    header: true,
    columns: [...CSV_COLUMNS],
    cast: { boolean: (v) => (v ? 'true' : 'false') },
  });
}

export const csvExporter = textExporter('csv', 'results.csv', toCsv);
