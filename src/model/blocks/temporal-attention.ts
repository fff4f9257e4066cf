// TA — diffusers TransformerTemporalModel (ModelScope): GN over the frames of
// a clip → proj_in → attention over the F frames of each spatial location
// (two self-attentions, `double_self_attention`) → GEGLU feed-forward →
// proj_out → residual. No frame-position encoding: UNet3DConditionModel
// builds it with positional_embeddings=None, as ModelScope has none.
// proj_out starts at zero, as ModelScope initialises it, so the layer starts
// as the identity (diffusers re-initialises it on load anyway).
import { tf } from '../../backend/tfjs/tf.ts';
import type { ParamScope } from '../params.ts';
import { GroupNorm, Linear } from '../layers.ts';
import { TransformerBlock } from './transformer-block.ts';

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
    const out = this.projOut.apply(this.block.apply(this.projIn.apply(seq)));
    const back = tf.transpose(tf.reshape(out, [clips, h * w, frames, c]), [0, 2, 1, 3]);
    return tf.add(tf.reshape(back, [n, h, w, c]), x);
  }
}
