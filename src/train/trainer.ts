// One training configuration: a network in a mode, AdamW, and the step of
// DESIGN.md — `accum` micro-batches of `batch` clips (forward + backward on
// the ε-objective, Eq. 3), gradients summed into one buffer per variable and
// scaled by 1/accum, then one optimizer apply. The work that depends on no
// trainable weight runs outside the gradient tape (`hoistFrozen`).
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor, Variable } from '../backend/tfjs/tf.ts';
import { latentSize, validateConfig, type UNetConfig } from '../model/config.ts';
import { ParallelUNet } from '../model/parallel-unet.ts';
import { SerialUNet } from '../model/serial-unet.ts';
import type { VideoUNet } from '../model/video-unet.ts';
import { UserError } from '../user-error.ts';
import { TEMPORAL_CONV_DROPOUT } from '../model/blocks/temporal-conv.ts';
import type { DropoutMasks } from '../model/dropout.ts';
import { nameSeed } from '../model/params.ts';
import { AdamW } from './adamw.ts';
import { DEFAULT_LEARNING_RATE } from './learning-rate.ts';
import { SEEDED_NUMBERS, type NumberSource } from './number-source.ts';
import { SegmentRecompute } from './segment-recompute.ts';
import { MODE_SPECS, type Mode } from './modes.ts';
import { disposeBatch, makeBatch, type SampleShape, type TrainingBatch } from './synthetic-data.ts';

export interface TrainerOptions {
  config: UNetConfig;
  mode: Mode;
  batch: number;
  accum: number;
  frames: number;
  /** Image size in pixels (latent = size / 8). */
  size: number;
  textLength: number;
  seed: number;
  /** AdamW's learning rate (default 1e-4). */
  learningRate?: number;
  /** The temporal convs' dropout rate in training (default 0.1, as diffusers; 0 switches it off). */
  dropout?: number;
  /** Where weights and dropout masks get their numbers (default: seeded draws; the planner's draw none). */
  numbers?: NumberSource;
  /** Compute the frozen stream outside the gradient tape (default true). */
  hoistFrozen?: boolean;
  /** Train on the samples of step 0 at every step (a loss that must fall). */
  repeatFirstBatch?: boolean;
}

export interface StepOutcome {
  /** Mean ε-loss over the step's micro-batches. */
  loss: number;
}


export function buildNetwork(config: UNetConfig, mode: Mode): VideoUNet {
  return MODE_SPECS[mode].network === 'serial' ? new SerialUNet(config) : new ParallelUNet(config);
}

export class Trainer {
  readonly net: VideoUNet;
  readonly trainable: Variable[];
  readonly optimizer: AdamW;
  readonly sampleShape: SampleShape;
  private stepIndex = 0;

  constructor(readonly options: TrainerOptions) {
    const { config, mode, batch, accum, frames } = options;
    validateConfig(config);
    for (const [name, v] of [['batch', batch], ['accum', accum], ['frames', frames]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new UserError(`${name} must be a positive integer, got ${v}`);
    }
    this.sampleShape = {
      frames,
      latent: latentSize(config, options.size),
      latentChannels: config.latentChannels,
      textLength: options.textLength,
      crossDim: config.crossDim,
    };
    this.net = buildNetwork(config, mode);
    const groups = MODE_SPECS[mode].trainable;
    this.net.materialize(options.seed, groups, (options.numbers ?? SEEDED_NUMBERS).initial);
    this.trainable = this.net.variables(groups);
    this.optimizer = new AdamW({ learningRate: options.learningRate ?? DEFAULT_LEARNING_RATE });
  }

  get hoisting(): boolean {
    return (this.options.hoistFrozen ?? true) && this.net.canHoist(MODE_SPECS[this.options.mode].trainable);
  }

  /** The samples of micro-batch `micro` of step `step`, with their dropout masks. */
  batchFor(step: number, micro: number): TrainingBatch {
    const { batch, accum, seed, repeatFirstBatch } = this.options;
    const s = repeatFirstBatch ? 0 : step;
    const first = (s * accum + micro) * batch;
    const samples = makeBatch(this.sampleShape, seed, first, batch);
    samples.inputs.dropout = this.dropoutMasks(first, batch);
    return samples;
  }

  /**
   * Masks that depend on (seed, sample, site) only: a forward recomputed for
   * the same samples draws the same, and accum × batch splits agree.
   */
  private dropoutMasks(first: number, count: number): DropoutMasks | null {
    const rate = this.options.dropout ?? TEMPORAL_CONV_DROPOUT;
    if (rate === 0) return null;
    const { seed } = this.options;
    const numbers = this.options.numbers ?? SEEDED_NUMBERS;
    return {
      rate,
      uniform: (shape, site) => {
        const [rows, ...rest] = shape;
        const perSample = [rows! / count, ...rest];
        const draw = (k: number) => numbers.uniform(perSample, nameSeed(seed, `dropout.${k}.${site}`));
        if (count === 1) return draw(first);
        return tf.tidy(() => tf.concat(Array.from({ length: count }, (_, i) => draw(first + i)), 0));
      },
    };
  }

  /** Loss and gradients (by variable name) of one micro-batch. The caller disposes both. */
  microBatchGradients(batch: TrainingBatch): { loss: tf.Scalar; grads: tf.NamedTensorMap } {
    const { net } = this;
    const epsLoss = (pred: tf.Tensor4D) => tf.mean(tf.squaredDifference(pred, batch.noise)) as tf.Scalar;
    if (MODE_SPECS[this.options.mode].checkpointed) return this.checkpointedGradients(batch, epsLoss);
    if (!this.hoisting) {
      const { value, grads } = tf.variableGrads(() => epsLoss(net.forward(batch.inputs)), this.trainable);
      return { loss: value, grads };
    }
    // Outside the tape; tidy frees the intermediates, keep() saves the results.
    let frozen: unknown;
    tf.tidy(() => {
      frozen = net.frozenPass(batch.inputs);
      for (const t of net.frozenTensors(frozen)) tf.keep(t);
    });
    try {
      const { value, grads } = tf.variableGrads(() => epsLoss(net.livePass(frozen, batch.inputs, true)), this.trainable);
      return { loss: value, grads };
    } finally {
      tf.dispose(net.frozenTensors(frozen));
    }
  }

  /** One micro-batch with each layer recomputed in the backward pass: only segment inputs live through it. */
  private checkpointedGradients(batch: TrainingBatch, epsLoss: (pred: tf.Tensor4D) => tf.Scalar): { loss: tf.Scalar; grads: tf.NamedTensorMap } {
    const { net } = this;
    let frozen: unknown;
    tf.tidy(() => {
      frozen = net.frozenPass(batch.inputs);
      for (const t of net.frozenTensors(frozen)) tf.keep(t);
    });
    const segments = new SegmentRecompute();
    try {
      const pred = net.livePass(frozen, batch.inputs, true, segments.runner);
      segments.runner([pred], (p) => epsLoss(p as tf.Tensor4D));
      return segments.backward(this.trainable);
    } finally {
      tf.dispose(net.frozenTensors(frozen));
    }
  }

  /** The step's gradient: Σ over micro-batches, scaled by 1/accum. */
  stepGradients(step: number): { loss: number; grads: tf.NamedTensorMap } {
    const { accum } = this.options;
    let sum: tf.NamedTensorMap | null = null;
    let lossSum = 0;
    for (let micro = 0; micro < accum; micro++) {
      const batch = this.batchFor(step, micro);
      let result: { loss: tf.Scalar; grads: tf.NamedTensorMap };
      try {
        result = this.microBatchGradients(batch);
      } finally {
        disposeBatch(batch);
      }
      lossSum += result.loss.dataSync()[0]!;
      result.loss.dispose();
      if (sum == null) {
        sum = result.grads;
      } else {
        for (const name of Object.keys(sum)) {
          const next: Tensor = tf.add(sum[name]!, result.grads[name]!);
          tf.dispose([sum[name]!, result.grads[name]!]);
          sum[name] = next;
        }
      }
    }
    if (accum > 1) {
      // One scalar for every weight (a number would become a new tensor at each tf.mul).
      const scale = tf.scalar(1 / accum);
      for (const name of Object.keys(sum!)) {
        const scaled = tf.mul(sum![name]!, scale);
        sum![name]!.dispose();
        sum![name] = scaled;
      }
      scale.dispose();
    }
    return { loss: lossSum / accum, grads: sum! };
  }

  /** One optimizer update. Returns when the loss is read back and the weights are updated. */
  step(): StepOutcome {
    const { loss, grads } = this.stepGradients(this.stepIndex);
    this.optimizer.applyGradients(this.trainable, grads);
    tf.dispose(Object.values(grads));
    // wasm, cpu and tfjs-node execute eagerly: once the loss has been read
    // and applyGradients returned, the updated weights are materialised.
    this.stepIndex++;
    return { loss };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.net.dispose();
  }
}
