// The worker's convolution blocks (blocks.py), op for op: SC =
// ResnetBlock2D, TC = TemporalConvLayer (four GN → SiLU (→ Dropout 0.1) →
// Conv3d (3,1,1) stages on the [B, C, F, H, W] view), the resamplers and the
// timestep MLP.
import { cast, permute, reshape, unsqueeze0, view } from '../ops/layout.ts';
import { add, dropout, silu, upsampleNearest2x } from '../ops/pointwise.ts';
import type { Tensor } from '../tape.ts';
import { Conv, GroupNorm, Linear, type ForwardContext } from './layers.ts';
import type { ParamScope } from './parameters.ts';

/** diffusers' TemporalConvLayer dropout in stages 2–4. */
export const TEMPORAL_CONV_DROPOUT = 0.1;

export class ResnetBlock2D {
  readonly norm1: GroupNorm;
  readonly conv1: Conv;
  readonly timeEmbProj: Linear;
  readonly norm2: GroupNorm;
  readonly conv2: Conv;
  readonly convShortcut: Conv | null;
  constructor(scope: ParamScope, inCh: number, outCh: number, tembCh: number, groups: number) {
    this.norm1 = new GroupNorm(scope.child('norm1'), groups, inCh);
    this.conv1 = new Conv(scope.child('conv1'), inCh, outCh, [3, 3]);
    this.timeEmbProj = new Linear(scope.child('time_emb_proj'), tembCh, outCh);
    this.norm2 = new GroupNorm(scope.child('norm2'), groups, outCh);
    this.conv2 = new Conv(scope.child('conv2'), outCh, outCh, [3, 3]);
    this.convShortcut = inCh !== outCh ? new Conv(scope.child('conv_shortcut'), inCh, outCh, [1, 1]) : null;
  }

  /** x: [B·F, inCh, H, W]; temb: [B·F, tembCh]. */
  forward(ctx: ForwardContext, x: Tensor, temb: Tensor, label: string): Tensor {
    const { tape } = ctx;
    let h = this.conv1.forward(ctx, silu(tape, this.norm1.forward(ctx, x, `${label}.norm1`)), `${label}.conv1`);
    const t = this.timeEmbProj.forward(ctx, silu(tape, temb, `${label}:silu(temb)`), `${label}.time_emb_proj`);
    h = add(tape, h, view(tape, t, [...t.shape, 1, 1]), `${label}:+temb`);
    // dropout is nn.Dropout(0.0): the input itself.
    h = this.conv2.forward(ctx, silu(tape, this.norm2.forward(ctx, h, `${label}.norm2`)), `${label}.conv2`);
    const identity = this.convShortcut ? this.convShortcut.forward(ctx, x, `${label}.conv_shortcut`) : x;
    return add(tape, identity, h, `${label}:+input`);
  }
}

class FrameConvStage {
  readonly norm: GroupNorm;
  readonly conv: Conv;
  constructor(scope: ParamScope, inCh: number, outCh: number, groups: number, readonly dropout: number | null) {
    this.norm = new GroupNorm(scope.child('0'), groups, inCh);
    this.conv = new Conv(scope.child(dropout == null ? '2' : '3'), inCh, outCh, [3, 1, 1]);
  }

  forward(ctx: ForwardContext, v: Tensor, label: string): Tensor {
    let h = silu(ctx.tape, this.norm.forward(ctx, v, `${label}.norm`));
    if (this.dropout != null) h = dropout(ctx.tape, h, this.dropout, `${label}.dropout`);
    return this.conv.forward(ctx, h, `${label}.conv`);
  }
}

export class TemporalConvLayer {
  readonly stages: FrameConvStage[];
  readonly convShortcut: Conv | null;
  constructor(scope: ParamScope, inCh: number, readonly outCh: number, groups: number) {
    this.stages = [
      new FrameConvStage(scope.child('conv1'), inCh, outCh, groups, null),
      new FrameConvStage(scope.child('conv2'), outCh, outCh, groups, TEMPORAL_CONV_DROPOUT),
      new FrameConvStage(scope.child('conv3'), outCh, outCh, groups, TEMPORAL_CONV_DROPOUT),
      new FrameConvStage(scope.child('conv4'), outCh, outCh, groups, TEMPORAL_CONV_DROPOUT),
    ];
    this.convShortcut = inCh !== outCh ? new Conv(scope.child('conv_shortcut'), inCh, outCh, [1, 1]) : null;
  }

  /** x: [B·F, inCh, H, W] → [B·F, outCh, H, W]. */
  forward(ctx: ForwardContext, x: Tensor, frames: number, label: string): Tensor {
    const { tape } = ctx;
    const [bf, c, height, width] = x.shape as [number, number, number, number];
    const identity = permute(tape, reshape(tape, unsqueeze0(tape, x), [bf / frames, frames, c, height, width]), [0, 2, 1, 3, 4]);
    let v = identity;
    this.stages.forEach((stage, i) => {
      v = stage.forward(ctx, v, `${label}.conv${i + 1}`);
    });
    if (!this.convShortcut) v = add(tape, identity, v, `${label}:+input`);
    const [b, oc, f] = v.shape as [number, number, number];
    v = reshape(tape, permute(tape, v, [0, 2, 1, 3, 4]), [b * f, oc, height, width], `${label}:to frames`);
    if (this.convShortcut) v = add(tape, this.convShortcut.forward(ctx, x, `${label}.conv_shortcut`), v, `${label}:+shortcut`);
    return v;
  }
}

export class Downsample2D {
  readonly conv: Conv;
  constructor(scope: ParamScope, channels: number) {
    this.conv = new Conv(scope.child('conv'), channels, channels, [3, 3], 2);
  }

  forward(ctx: ForwardContext, x: Tensor, label: string): Tensor {
    return this.conv.forward(ctx, x, `${label}.conv`);
  }
}

export class Upsample2D {
  readonly conv: Conv;
  constructor(scope: ParamScope, channels: number) {
    this.conv = new Conv(scope.child('conv'), channels, channels, [3, 3]);
  }

  /** layers.py nearest_double: nearest ×2 (its .contiguous() and dtype fallbacks are no-ops here), then the conv. */
  forward(ctx: ForwardContext, x: Tensor, label: string): Tensor {
    const up = upsampleNearest2x(ctx.tape, x, `${label}:nearest`);
    return this.conv.forward(ctx, up, `${label}.conv`);
  }
}

/** Timesteps (no parameters, float32) → TimestepEmbedding (linear_1 → SiLU → linear_2). */
export class TimestepEmbedding {
  readonly linear1: Linear;
  readonly linear2: Linear;
  constructor(scope: ParamScope, readonly channels: number, embDim: number) {
    this.linear1 = new Linear(scope.child('linear_1'), channels, embDim);
    this.linear2 = new Linear(scope.child('linear_2'), embDim, embDim);
  }

  /** The timesteps' sinusoidal features [B, channels] (float32, no grad) → [B, embDim]. */
  forward(ctx: ForwardContext, features: Tensor, label: string): Tensor {
    const x = cast(ctx.tape, features, this.linear1.weight.dtype, `${label}:features`);
    return this.linear2.forward(ctx, silu(ctx.tape, this.linear1.forward(ctx, x, `${label}.linear_1`), `${label}.act`), `${label}.linear_2`);
  }
}
