// Runs a trainer's warm-up and measured steps and records, per measured step,
// its wall time and loss, and for the cell the tensor memory: bytes resident
// at step start (weights + optimizer state + anything else alive), the peak
// during the steps, and their split. Step time ends when the loss has been
// read back (Trainer.step synchronises).
import type { Trainer } from '../train/trainer.ts';
import { BufferTracker, uniqueBytes } from './tensor-memory.ts';

export interface TensorMemory {
  /** Unique-buffer bytes alive when a measured step starts. */
  startBytes: number;
  /** Highest unique-buffer bytes during the measured steps. */
  peakBytes: number;
  /** The network's weights (trainable and frozen). */
  weightsBytes: number;
  /** Adam's moments. */
  optimizerBytes: number;
  /** peakBytes − startBytes: activations, gradients and temporaries of one step. */
  workingBytes: number;
}

export interface StepMeasurements {
  stepMs: number[];
  loss: number[];
  memory: TensorMemory;
}

/** Bytes of the optimizer's state (Adam's moments). */
export function optimizerStateBytes(trainer: Trainer): number {
  return uniqueBytes(trainer.optimizer.stateTensors());
}

/** The split of a cell's tensor memory, from the bytes at step start and the step peak. */
export function tensorMemory(trainer: Trainer, startBytes: number, peakBytes: number): TensorMemory {
  return {
    startBytes,
    peakBytes,
    weightsBytes: uniqueBytes(trainer.net.variables()),
    optimizerBytes: optimizerStateBytes(trainer),
    workingBytes: peakBytes - startBytes,
  };
}

export async function measureSteps(trainer: Trainer, tracker: BufferTracker, opts: { warmup: number; steps: number }): Promise<StepMeasurements> {
  for (let i = 0; i < opts.warmup; i++) trainer.step();
  const stepMs: number[] = [];
  const loss: number[] = [];
  let startBytes = tracker.current;
  let peakBytes = 0;
  for (let i = 0; i < opts.steps; i++) {
    if (i === 0) startBytes = tracker.current;
    tracker.resetPeak();
    const t0 = performance.now();
    const outcome = trainer.step();
    stepMs.push(performance.now() - t0);
    loss.push(outcome.loss);
    peakBytes = Math.max(peakBytes, tracker.peak);
  }
  return {
    stepMs,
    loss,
    memory: tensorMemory(trainer, startBytes, peakBytes),
  };
}
