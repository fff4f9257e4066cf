// Seeded synthetic training samples: latent clips [F, h, w, 4], text
// embeddings [L, crossDim], noise and a timestep. Sample k of a run depends
// only on (seed, k), so accum × batch splits of the same samples see the
// same data. VAE and text encoder are frozen in the paper and not run.
import { tf } from '../backend/tfjs/tf.ts';
import { nameSeed } from '../model/params.ts';
import type { UNetInputs } from '../model/spatial-unet.ts';
import { alphasCumprod, scaledLinearBetas, TRAIN_TIMESTEPS } from './schedule.ts';

export interface SampleShape {
  frames: number;
  /** Latent side (image size / 8). */
  latent: number;
  latentChannels: number;
  textLength: number;
  crossDim: number;
}

export interface TrainingBatch {
  inputs: UNetInputs;
  /** The noise the network must predict [B·F, h, w, C]. */
  noise: tf.Tensor4D;
  clean: tf.Tensor4D;
}

const ALPHAS_CUMPROD = alphasCumprod(scaledLinearBetas());

/** A deterministic timestep in [0, 1000) for sample k. */
export function sampleTimestep(seed: number, k: number): number {
  return nameSeed(seed, `timestep.${k}`) % TRAIN_TIMESTEPS;
}

/** Samples `first … first+count−1`, as one batch of `count` clips with frames folded into the batch. */
export function makeBatch(shape: SampleShape, seed: number, first: number, count: number): TrainingBatch {
  return tf.tidy(() => {
    const { frames, latent, latentChannels, textLength, crossDim } = shape;
    const clean: tf.Tensor[] = [];
    const noise: tf.Tensor[] = [];
    const text: tf.Tensor[] = [];
    const steps: number[] = [];
    const signal: number[] = [];
    const sigma: number[] = [];
    for (let k = first; k < first + count; k++) {
      clean.push(tf.randomNormal([frames, latent, latent, latentChannels], 0, 1, 'float32', nameSeed(seed, `latents.${k}`)));
      noise.push(tf.randomNormal([frames, latent, latent, latentChannels], 0, 1, 'float32', nameSeed(seed, `noise.${k}`)));
      text.push(tf.tile(tf.randomNormal([1, textLength, crossDim], 0, 1, 'float32', nameSeed(seed, `text.${k}`)), [frames, 1, 1]));
      const t = sampleTimestep(seed, k);
      const abar = ALPHAS_CUMPROD[t]!;
      for (let f = 0; f < frames; f++) {
        steps.push(t);
        signal.push(Math.sqrt(abar));
        sigma.push(Math.sqrt(1 - abar));
      }
    }
    const x0 = tf.concat(clean, 0) as tf.Tensor4D;
    const eps = tf.concat(noise, 0) as tf.Tensor4D;
    const n = count * frames;
    const noisy = tf.add(tf.mul(x0, tf.tensor4d(signal, [n, 1, 1, 1])), tf.mul(eps, tf.tensor4d(sigma, [n, 1, 1, 1]))) as tf.Tensor4D;
    return {
      inputs: { noisy, timesteps: tf.tensor1d(steps, 'float32'), text: tf.concat(text, 0) as tf.Tensor3D, frames },
      noise: eps,
      clean: x0,
    };
  });
}

export function disposeBatch(batch: TrainingBatch): void {
  tf.dispose([batch.inputs.noisy, batch.inputs.timesteps, batch.inputs.text, batch.noise, batch.clean]);
}
