// The one step loop: a trainer's warm-up steps, then its measured steps, each
// with its wall time (a step ends when its loss is read back: Trainer.step
// synchronises), its loss and, when a tracker counts buffers, its peak; and
// the cell's tensor memory — bytes resident at step start (weights, optimizer
// state, anything else alive), the peak during the steps, and their split.
// `mobius-bench step`, the runner's worker and the tests all measure here.
import type { Trainer } from '../train/trainer.ts';
import { BufferTracker, uniqueBytes } from './tensor-memory.ts';

export interface TensorMemory {
  /** Unique-buffer bytes alive when a measured step starts. */
  startBytes: number;
  /** Highest unique-buffer bytes during the measured steps. */
  peakBytes: number;
  /** The network's weights (trainable and frozen). */
  weightsBytes: number;
  /** The optimizer's moments. */
  optimizerBytes: number;
  /** peakBytes − startBytes: what one step adds (activations, gradients, temporaries). */
  peakAboveStartBytes: number;
}

export interface StepMeasurements {
  /** Wall time of each measured step (ms), in order. */
  stepMs: number[];
  /** Loss of each measured step, in order. */
  loss: number[];
  /** Peak unique-buffer bytes during each measured step; empty without a tracker. */
  stepPeakBytes: number[];
  /** null without a tracker. */
  memory: TensorMemory | null;
}

export interface MeasureOptions {
  warmup: number;
  steps: number;
  /** Called (and awaited) right before the first measured step and right after the last: the runner's GPU sampler marks its window. */
  onMeasureStart?: () => void | Promise<void>;
  onMeasureEnd?: () => void | Promise<void>;
}

/** Bytes of the optimizer's state (AdamW's moments). */
export function optimizerStateBytes(trainer: Trainer): number {
  return uniqueBytes(trainer.optimizer.stateTensors());
}

/** `tracker`: installed before the trainer's first tensor, or null to measure time and loss only. */
export async function measureSteps(trainer: Trainer, tracker: BufferTracker, opts: MeasureOptions): Promise<StepMeasurements & { memory: TensorMemory }>;
export async function measureSteps(trainer: Trainer, tracker: BufferTracker | null, opts: MeasureOptions): Promise<StepMeasurements>;
export async function measureSteps(trainer: Trainer, tracker: BufferTracker | null, opts: MeasureOptions): Promise<StepMeasurements> {
  for (let i = 0; i < opts.warmup; i++) trainer.step();
  const stepMs: number[] = [];
  const loss: number[] = [];
  const stepPeakBytes: number[] = [];
  const startBytes = tracker?.current ?? 0;
  await opts.onMeasureStart?.();
  for (let i = 0; i < opts.steps; i++) {
    tracker?.resetPeak();
    const t0 = performance.now();
    const outcome = trainer.step();
    stepMs.push(performance.now() - t0);
    loss.push(outcome.loss);
    if (tracker) stepPeakBytes.push(tracker.peak);
  }
  await opts.onMeasureEnd?.();
  if (!tracker) return { stepMs, loss, stepPeakBytes, memory: null };
  const peakBytes = Math.max(...stepPeakBytes);
  return {
    stepMs,
    loss,
    stepPeakBytes,
    memory: {
      startBytes,
      peakBytes,
      weightsBytes: uniqueBytes(trainer.net.variables()),
      optimizerBytes: optimizerStateBytes(trainer),
      peakAboveStartBytes: peakBytes - startBytes,
    },
  };
}
