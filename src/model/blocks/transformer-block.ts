// diffusers `BasicTransformerBlock` with a GEGLU feed-forward: LN → attn1
// (self) → LN → attn2 (cross-attention to `context`, or a second
// self-attention) → LN → feed-forward, each added back.
import type { Tensor } from '../../backend/tfjs/tf.ts';
import { tf } from '../../backend/tfjs/tf.ts';
import type { ParamScope } from '../params.ts';
import { Attention, GegluFeedForward, LayerNorm } from '../layers.ts';

export class TransformerBlock {
  readonly norm1: LayerNorm;
  readonly attn1: Attention;
  readonly norm2: LayerNorm;
  readonly attn2: Attention;
  readonly norm3: LayerNorm;
  readonly ff: GegluFeedForward;

  /** `crossDim` null: attn2 is a second self-attention (diffusers `double_self_attention`). */
  constructor(scope: ParamScope, dim: number, headDim: number, crossDim: number | null, heads = dim / headDim) {
    this.norm1 = new LayerNorm(scope.child('norm1'), dim);
    this.attn1 = new Attention(scope.child('attn1'), dim, heads, headDim);
    this.norm2 = new LayerNorm(scope.child('norm2'), dim);
    this.attn2 = new Attention(scope.child('attn2'), dim, heads, headDim, crossDim ?? dim);
    this.norm3 = new LayerNorm(scope.child('norm3'), dim);
    this.ff = new GegluFeedForward(scope.child('ff'), dim);
  }

  apply(x: Tensor, context?: Tensor): Tensor {
    let h = tf.add(this.attn1.apply(this.norm1.apply(x)), x);
    const n2 = this.norm2.apply(h);
    h = tf.add(this.attn2.apply(n2, context ?? n2), h);
    return tf.add(this.ff.apply(this.norm3.apply(h)), h);
  }
}
