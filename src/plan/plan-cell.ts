// Plans one cell on the meta backend: the real Trainer runs on shapes only,
// the unique-buffer tracker gives the peak, the backend counts FLOPs.
// After the first optimizer update every step holds the same buffers, so a
// cell with warm-up is planned as: Adam's state created by one update with
// zero gradients (the buffers a warm-up step leaves), then one measured step.
// Without warm-up the first measured step (no Adam state yet) counts too.
import type { MetaBackend } from '../backend/tfjs/meta/meta-backend.ts';
import { tf } from '../backend/tfjs/tf.ts';
import { optimizerStateBytes } from '../measure/measure-steps.ts';
import { uniqueBytes, type BufferTracker } from '../measure/tensor-memory.ts';
import type { CellConfig } from '../protocol/cell-config.ts';
import { MODE_SPECS } from '../train/modes.ts';
import type { NumberSource } from '../train/number-source.ts';
import { Trainer } from '../train/trainer.ts';

/** Numbers of the right shape, none drawn: on meta every kernel output is shape only anyway. */
const SHAPE_ONLY_NUMBERS: NumberSource = {
  initial: (p) => tf.fill(p.shape, 0),
  uniform: (shape) => tf.fill(shape, 0.5),
};

export interface PlannedMemory {
  /** Highest unique-buffer bytes during a measured step (what `run` measures on wasm). */
  peakBytes: number;
  weightsBytes: number;
  optimizerBytes: number;
  /** One gradient buffer per trainable weight (float32). */
  gradientBytes: number;
  /** The rest of the peak: activations kept for the backward pass, temporaries. */
  activationBytes: number;
}

export interface CellPlan {
  memory: PlannedMemory;
  /** FLOPs of one optimizer step (forward, backward, accumulation, Adam). */
  flops: number;
  trainableParams: number;
  /** Wall time of the planning itself (ms). */
  planMs: number;
}

/**
 * Past this many micro-batches a cell is planned from two shorter ones:
 * micro-batches 2…n of a step hold the same buffers (the running gradient
 * sum and one micro-batch's work), so the peak of accum ≥ 2 is accum 2's and
 * the FLOPs grow by the same amount per micro-batch. Planning time then
 * stays flat in `accum`.
 */
const DIRECT_ACCUM = 3;

export async function planCell(config: CellConfig, backend: MetaBackend, tracker: BufferTracker): Promise<CellPlan> {
  const t0 = performance.now();
  if (config.accum > DIRECT_ACCUM) {
    const two = await planEveryMicroBatch({ ...config, accum: 2 }, backend, tracker);
    const three = await planEveryMicroBatch({ ...config, accum: 3 }, backend, tracker);
    const flops = three.flops + (config.accum - 3) * (three.flops - two.flops);
    return { ...three, memory: { ...three.memory, peakBytes: Math.max(two.memory.peakBytes, three.memory.peakBytes) }, flops, planMs: performance.now() - t0 };
  }
  return { ...(await planEveryMicroBatch(config, backend, tracker)), planMs: performance.now() - t0 };
}

/** Plans the cell by running every micro-batch of its step (what planCell shortcuts for a long accumulation). */
export async function planEveryMicroBatch(config: CellConfig, backend: MetaBackend, tracker: BufferTracker): Promise<Omit<CellPlan, 'planMs'>> {
  const before = tracker.current;
  const trainer = new Trainer({ config: config.unet, ...config, numbers: SHAPE_ONLY_NUMBERS });
  try {
    let measured = Math.min(config.steps, 2);
    if (config.warmup > 0) {
      primeOptimizer(trainer);
      measured = 1;
    }
    let peakBytes = 0;
    let flops = 0;
    for (let i = 0; i < measured; i++) {
      tracker.resetPeak();
      const f0 = backend.flops;
      trainer.step();
      flops = backend.flops - f0;
      peakBytes = Math.max(peakBytes, tracker.peak);
    }
    const counts = trainer.net.counts();
    const trainableParams = MODE_SPECS[config.mode].trainable.reduce((s, g) => s + counts[g], 0);
    const weightsBytes = uniqueBytes(trainer.net.variables());
    const optimizerBytes = optimizerStateBytes(trainer);
    const gradientBytes = 4 * trainableParams;
    return {
      memory: { peakBytes, weightsBytes, optimizerBytes, gradientBytes, activationBytes: peakBytes - weightsBytes - optimizerBytes - gradientBytes },
      flops,
      trainableParams,
    };
  } finally {
    trainer.dispose();
    if (tracker.current !== before) throw new Error(`planning left ${tracker.current - before} bytes of tensors behind`);
  }
}

/** One AdamW update with zero gradients: creates its moments and β powers as a real step would. */
function primeOptimizer(trainer: Trainer): void {
  tf.tidy(() => {
    const zeros = Object.fromEntries(trainer.trainable.map((v) => [v.name, tf.fill(v.shape, 0)]));
    trainer.optimizer.applyGradients(trainer.trainable, zeros);
  });
}
