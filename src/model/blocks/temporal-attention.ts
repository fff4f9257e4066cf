// TA — diffusers TransformerTemporalModel (ModelScope): GN over the frames of
// a clip → proj_in → attention over the F frames of each spatial location
// (two self-attentions, `double_self_attention`) with sinusoidal frame
// positions → GEGLU feed-forward → zero-initialised proj_out → residual.
// At initialisation it is the identity.
import { tf } from '../../backend/tf.ts';
import type { ParamScope } from '../params.ts';
import { GroupNorm, Linear } from '../layers.ts';
import { TransformerBlock } from './transformer-block.ts';
import { sinusoidalEmbedding } from './timestep-embedding.ts';

export class TemporalAttention {
  readonly norm: GroupNorm;
  readonly projIn: Linear;
  readonly block: TransformerBlock;
  readonly projOut: Linear;
  readonly inner: number;

  constructor(scope: ParamScope, readonly channels: number, heads: number, headDim: number, groups: number) {
    this.inner = heads * headDim;
    this.norm = new GroupNorm(scope.child('norm'), channels, groups, 1e-6);
    this.projIn = new Linear(scope.child('proj_in'), channels, this.inner);
    this.block = new TransformerBlock(scope.child('transformer_blocks.0'), this.inner, headDim, null, heads);
    this.projOut = new Linear(scope.child('proj_out'), this.inner, channels, { zeroInit: true });
  }

  /** x: [B·F, H, W, C] with the F frames of each clip consecutive. */
  apply(x: tf.Tensor4D, frames: number): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    const clips = n / frames;
    const normed = tf.reshape(this.norm.apply(x, frames), [clips, frames, h * w, c]);
    // One sequence of F frame tokens per (clip, location).
    const seq = tf.reshape(tf.transpose(normed, [0, 2, 1, 3]), [clips * h * w, frames, c]);
    const positions = sinusoidalEmbedding(tf.range(0, frames, 1, 'float32'), this.inner);
    const tokens = tf.add(this.projIn.apply(seq), positions);
    const out = this.projOut.apply(this.block.apply(tokens));
    const back = tf.transpose(tf.reshape(out, [clips, h * w, frames, c]), [0, 2, 1, 3]);
    return tf.add(tf.reshape(back, [n, h, w, c]), x);
  }
}
