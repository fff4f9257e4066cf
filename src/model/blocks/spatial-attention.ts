// SA — Transformer2D as in Stable Diffusion 2 (`use_linear_projection`): GN →
// linear proj_in → self-attention over the H·W tokens of each frame →
// cross-attention to the text → GEGLU feed-forward → proj_out → residual.
// Frozen in delta-tuning.
import { tf } from '../../backend/tfjs/tf.ts';
import type { ParamScope } from '../params.ts';
import { GroupNorm, Linear } from '../layers.ts';
import { TransformerBlock } from './transformer-block.ts';

export class SpatialAttention {
  readonly norm: GroupNorm;
  readonly projIn: Linear;
  readonly block: TransformerBlock;
  readonly projOut: Linear;

  constructor(scope: ParamScope, readonly channels: number, headDim: number, crossDim: number, groups: number) {
    this.norm = new GroupNorm(scope.child('norm'), channels, groups, 1e-6);
    this.projIn = new Linear(scope.child('proj_in'), channels, channels);
    this.block = new TransformerBlock(scope.child('transformer_blocks.0'), channels, headDim, crossDim);
    this.projOut = new Linear(scope.child('proj_out'), channels, channels);
  }

  /** x: [B·F, H, W, C]; text: [B·F, L, crossDim]. */
  apply(x: tf.Tensor4D, text: tf.Tensor3D): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    const tokens = this.projIn.apply(tf.reshape(this.norm.apply(x), [n, h * w, c]));
    const out = this.projOut.apply(this.block.apply(tokens, text));
    return tf.add(tf.reshape(out, [n, h, w, c]), x);
  }
}
