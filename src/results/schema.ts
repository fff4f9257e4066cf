// What one cell's result is: one line of results.jsonl. Measurement stays
// raw (per-step samples); summaries are computed from it, never instead of it.
import type { BackendInfo } from '../backend/select.ts';
import type { NetworkParams } from '../model/params-report.ts';
import type { GpuCellReport } from '../measure/gpu-sampler.ts';
import type { TensorMemory } from '../measure/measure-steps.ts';
import type { CellConfig } from '../suite/expand.ts';

export const RESULT_SCHEMA = 1 as const;

export interface StepTimeStats {
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  sdMs: number;
  /** batch × accum / median step time. */
  samplesPerSecond: number;
}

export interface CellMemory extends TensorMemory {
  /** The worker process's peak resident set (VmHWM). */
  rssPeakBytes: number;
}

export type FailureReason = 'timeout' | 'crashed' | 'error' | 'killed' | 'interrupted';

export interface CellResult {
  schema: typeof RESULT_SCHEMA;
  id: string;
  status: 'ok' | 'failed';
  label: string;
  config: CellConfig;
  /** The run's environment is in run.json beside results.jsonl. */
  env: 'run.json';
  startedAt: string;
  endedAt: string;
  backend: BackendInfo | null;
  params: NetworkParams | null;
  /** Wall time of each measured step, in order (ms). */
  stepMs: number[];
  /** Loss of each measured step, in order. */
  loss: number[];
  /** Peak unique-buffer bytes during each measured step. */
  stepPeakBytes: number[];
  stats: StepTimeStats | null;
  memory: CellMemory | null;
  gpu: GpuCellReport | null;
  error?: { reason: FailureReason; message: string; stderrTail: string };
}
