// The worker's attention modules (attention.py, blocks.py), op for op:
// Attention (to_q/k/v, the attention product, to_out), the GEGLU
// FeedForward, BasicTransformerBlock, SA = Transformer2DModel (per frame,
// over H·W tokens, cross-attention to the text) and TA =
// TransformerTemporalModel (per location, over the F frames of a clip).
import { attentionProduct } from '../ops/attention.ts';
import { chunkLast, contiguous, permute, reshape, transpose, unsqueeze0, view } from '../ops/layout.ts';
import { add, gelu, mul } from '../ops/pointwise.ts';
import type { Tensor } from '../tape.ts';
import { GroupNorm, LayerNorm, Linear, type ForwardContext } from './layers.ts';
import type { ParamScope } from './parameters.ts';

export class Attention {
  readonly toQ: Linear;
  readonly toK: Linear;
  readonly toV: Linear;
  readonly toOut: Linear;
  constructor(scope: ParamScope, queryDim: number, readonly heads: number, readonly headDim: number, contextDim = queryDim) {
    const inner = heads * headDim;
    this.toQ = new Linear(scope.child('to_q'), queryDim, inner, false);
    this.toK = new Linear(scope.child('to_k'), contextDim, inner, false);
    this.toV = new Linear(scope.child('to_v'), contextDim, inner, false);
    this.toOut = new Linear(scope.child('to_out.0'), inner, queryDim);
  }

  /** x: [N, Lq, dim]; context: [N, Lk, contextDim], x itself when null. */
  forward(ctx: ForwardContext, x: Tensor, context: Tensor | null, label: string): Tensor {
    const { tape } = ctx;
    const n = x.shape[0]!;
    const { heads, headDim } = this;
    const q = this.toQ.forward(ctx, x, `${label}.to_q`);
    const source = context ?? x;
    const k = this.toK.forward(ctx, source, `${label}.to_k`);
    const v = this.toV.forward(ctx, source, `${label}.to_v`);
    const split = (t: Tensor) => transpose(tape, view(tape, t, [n, -1, heads, headDim]), 1, 2);
    const out = attentionProduct(tape, ctx.attention, split(q), split(k), split(v), label);
    const merged = reshape(tape, transpose(tape, out, 1, 2), [n, -1, heads * headDim], `${label}:merge heads`);
    // `.to(q.dtype)`: a no-op here (the product is in q's dtype); to_out[1] is Dropout(0).
    return this.toOut.forward(ctx, merged, `${label}.to_out`);
  }
}

/** FeedForward: GEGLU (proj → hidden · gelu(gate)), Dropout(0), Linear. */
export class FeedForward {
  readonly proj: Linear;
  readonly out: Linear;
  constructor(scope: ParamScope, dim: number, mult = 4) {
    this.proj = new Linear(scope.child('net.0.proj'), dim, dim * mult * 2);
    this.out = new Linear(scope.child('net.2'), dim * mult, dim);
  }

  forward(ctx: ForwardContext, x: Tensor, label: string): Tensor {
    const [hidden, gate] = chunkLast(ctx.tape, this.proj.forward(ctx, x, `${label}.geglu`), 2) as [Tensor, Tensor];
    const activated = mul(ctx.tape, hidden, gelu(ctx.tape, gate, `${label}.gelu`), `${label}.geglu·`);
    return this.out.forward(ctx, activated, `${label}.out`);
  }
}

export class BasicTransformerBlock {
  readonly norm1: LayerNorm;
  readonly attn1: Attention;
  readonly norm2: LayerNorm;
  readonly attn2: Attention;
  readonly norm3: LayerNorm;
  readonly ff: FeedForward;
  /** `crossDim` null: attn2 is a second self-attention (double_self_attention). */
  constructor(scope: ParamScope, dim: number, heads: number, headDim: number, crossDim: number | null) {
    this.norm1 = new LayerNorm(scope.child('norm1'), dim);
    this.attn1 = new Attention(scope.child('attn1'), dim, heads, headDim);
    this.norm2 = new LayerNorm(scope.child('norm2'), dim);
    this.attn2 = new Attention(scope.child('attn2'), dim, heads, headDim, crossDim ?? dim);
    this.norm3 = new LayerNorm(scope.child('norm3'), dim);
    this.ff = new FeedForward(scope.child('ff'), dim);
  }

  forward(ctx: ForwardContext, x: Tensor, context: Tensor | null, label: string): Tensor {
    const { tape } = ctx;
    let h = add(tape, this.attn1.forward(ctx, this.norm1.forward(ctx, x, `${label}.norm1`), null, `${label}.attn1`), x);
    h = add(tape, this.attn2.forward(ctx, this.norm2.forward(ctx, h, `${label}.norm2`), context, `${label}.attn2`), h);
    return add(tape, this.ff.forward(ctx, this.norm3.forward(ctx, h, `${label}.norm3`), `${label}.ff`), h);
  }
}

/** SA: GN → proj_in over the H·W tokens of each frame → block (text as context) → proj_out → + input. */
export class Transformer2DModel {
  readonly norm: GroupNorm;
  readonly projIn: Linear;
  readonly block: BasicTransformerBlock;
  readonly projOut: Linear;
  constructor(scope: ParamScope, heads: number, headDim: number, readonly channels: number, crossDim: number, groups: number) {
    const inner = heads * headDim;
    this.norm = new GroupNorm(scope.child('norm'), groups, channels);
    this.projIn = new Linear(scope.child('proj_in'), channels, inner);
    this.block = new BasicTransformerBlock(scope.child('transformer_blocks.0'), inner, heads, headDim, crossDim);
    this.projOut = new Linear(scope.child('proj_out'), inner, channels);
  }

  /** x: [B·F, C, H, W]; text: [B·F, L, crossDim]. */
  forward(ctx: ForwardContext, x: Tensor, text: Tensor, label: string): Tensor {
    const { tape } = ctx;
    const [b, , height, width] = x.shape as [number, number, number, number];
    const normed = this.norm.forward(ctx, x, `${label}.norm`);
    const inner = normed.shape[1]!;
    let h = this.projIn.forward(ctx, reshape(tape, permute(tape, normed, [0, 2, 3, 1]), [b, height * width, inner], `${label}:tokens`), `${label}.proj_in`);
    h = this.block.forward(ctx, h, text, `${label}.block`);
    h = this.projOut.forward(ctx, h, `${label}.proj_out`);
    h = contiguous(tape, permute(tape, reshape(tape, h, [b, height, width, this.channels], `${label}:unflatten`), [0, 3, 1, 2]), `${label}:to NCHW`);
    return add(tape, h, x, `${label}:+input`);
  }
}

/** TA (and transformer_in): GN over a clip's frames → proj_in over the F frames of each location → block → proj_out → + input. */
export class TransformerTemporalModel {
  readonly norm: GroupNorm;
  readonly projIn: Linear;
  readonly block: BasicTransformerBlock;
  readonly projOut: Linear;
  constructor(scope: ParamScope, heads: number, headDim: number, readonly channels: number, groups: number) {
    const inner = heads * headDim;
    this.norm = new GroupNorm(scope.child('norm'), groups, channels);
    this.projIn = new Linear(scope.child('proj_in'), channels, inner);
    this.block = new BasicTransformerBlock(scope.child('transformer_blocks.0'), inner, heads, headDim, null);
    this.projOut = new Linear(scope.child('proj_out'), inner, channels);
  }

  /** x: [B·F, C, H, W]. */
  forward(ctx: ForwardContext, x: Tensor, frames: number, label: string): Tensor {
    const { tape } = ctx;
    const [bf, c, height, width] = x.shape as [number, number, number, number];
    const b = bf / frames;
    const clips = permute(tape, reshape(tape, unsqueeze0(tape, x), [b, frames, c, height, width]), [0, 2, 1, 3, 4]);
    const normed = this.norm.forward(ctx, clips, `${label}.norm`);
    let h = reshape(tape, permute(tape, normed, [0, 3, 4, 2, 1]), [b * height * width, frames, c], `${label}:sequences`);
    h = this.projIn.forward(ctx, h, `${label}.proj_in`);
    h = this.block.forward(ctx, h, null, `${label}.block`);
    h = this.projOut.forward(ctx, h, `${label}.proj_out`);
    const lifted = reshape(tape, unsqueeze0(tape, unsqueeze0(tape, h)), [b, height, width, frames, c], `${label}:unflatten`);
    h = contiguous(tape, permute(tape, lifted, [0, 3, 4, 1, 2]), `${label}:to clips`);
    h = reshape(tape, h, [bf, c, height, width]);
    return add(tape, h, x, `${label}:+input`);
  }
}
