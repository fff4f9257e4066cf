// One training configuration: a network in a mode, Adam, and the step of
// DESIGN.md — `accum` micro-batches of `batch` clips (forward + backward on
// the ε-objective, Eq. 3), gradients summed into one buffer per variable and
// scaled by 1/accum, then one optimizer apply. The work that depends on no
// trainable weight runs outside the gradient tape (`hoistFrozen`).
import { tf } from '../backend/tf.ts';
import type { Tensor, Variable } from '../backend/tf.ts';
import { latentSize, validateConfig, type UNetConfig } from '../model/config.ts';
import { ParallelUNet } from '../model/parallel-unet.ts';
import { SerialUNet } from '../model/serial-unet.ts';
import type { VideoUNet } from '../model/video-unet.ts';
import { UserError } from '../user-error.ts';
import { Adam } from './adam.ts';
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
  learningRate?: number;
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
  readonly optimizer: Adam;
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
    this.net.materialize(options.seed, groups);
    this.trainable = this.net.variables(groups);
    this.optimizer = new Adam({ learningRate: options.learningRate ?? 1e-4 });
  }

  get hoisting(): boolean {
    return (this.options.hoistFrozen ?? true) && this.net.canHoist(MODE_SPECS[this.options.mode].trainable);
  }

  /** The samples of micro-batch `micro` of step `step`. */
  batchFor(step: number, micro: number): TrainingBatch {
    const { batch, accum, seed, repeatFirstBatch } = this.options;
    const s = repeatFirstBatch ? 0 : step;
    return makeBatch(this.sampleShape, seed, (s * accum + micro) * batch, batch);
  }

  /** Loss and gradients (by variable name) of one micro-batch. The caller disposes both. */
  microBatchGradients(batch: TrainingBatch): { loss: tf.Scalar; grads: tf.NamedTensorMap } {
    const { net } = this;
    const epsLoss = (pred: tf.Tensor4D) => tf.mean(tf.squaredDifference(pred, batch.noise)) as tf.Scalar;
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
      for (const name of Object.keys(sum!)) {
        const scaled = tf.mul(sum![name]!, 1 / accum);
        sum![name]!.dispose();
        sum![name] = scaled;
      }
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
