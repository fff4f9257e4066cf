// The diffusion timestep embedding: sinusoidal features (diffusers
// `Timesteps(ch, flip_sin_to_cos=True, downscale_freq_shift=0)`) → Linear →
// SiLU → Linear (`TimestepEmbedding`). Frozen in delta-tuning.
import { tf } from '../../backend/tfjs/tf.ts';
import type { ParamScope } from '../params.ts';
import { Linear, silu } from '../layers.ts';

/** [N] positions → [N, dim] of [cos | sin] at geometric frequencies 10000^(-i/half). */
export function sinusoidalEmbedding(positions: tf.Tensor1D, dim: number): tf.Tensor2D {
  const half = dim / 2;
  const freqs = tf.exp(tf.mul(tf.range(0, half, 1, 'float32'), -Math.log(10000) / half));
  const args = tf.mul(tf.reshape(positions, [-1, 1]), tf.reshape(freqs, [1, half]));
  return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
}

export class TimestepEmbedding {
  readonly linear1: Linear;
  readonly linear2: Linear;
  constructor(scope: ParamScope, readonly channels: number, readonly embDim: number) {
    this.linear1 = new Linear(scope.child('linear_1'), channels, embDim);
    this.linear2 = new Linear(scope.child('linear_2'), embDim, embDim);
  }

  /** timesteps: [N] → [N, embDim]. */
  apply(timesteps: tf.Tensor1D): tf.Tensor2D {
    const features = sinusoidalEmbedding(timesteps, this.channels);
    return this.linear2.apply(silu(this.linear1.apply(features))) as tf.Tensor2D;
  }
}
