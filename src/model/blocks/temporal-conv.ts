// TC — ModelScope's TemporalConvLayer (diffusers `TemporalConvLayer`): four
// GN → SiLU → conv-over-frames (kernel 3) stages, the last zero-initialised,
// added to its input, so it starts as the identity. GroupNorm spans the
// frames of a clip, as on diffusers' 5D tensor. Stages 2–4 drop out 10 % of
// their activations before the conv in training, as diffusers' 3D blocks
// build it (`TemporalConvLayer(dropout=0.1)`).
//
// The parallel net feeds it the time state with other channel counts (skip
// concatenation, a level change): then the first stage maps in→out and a
// 1×1 projection carries the residual (the parallel-only `shortcut`).
import { tf } from '../../backend/tfjs/tf.ts';
import type { ParamScope } from '../params.ts';
import { Conv2d, GroupNorm, Linear, silu } from '../layers.ts';
import { dropout, type DropoutMasks } from '../dropout.ts';

/** diffusers' TemporalConvLayer dropout, in stages 2–4. */
export const TEMPORAL_CONV_DROPOUT = 0.1;

class FrameConvStage {
  readonly norm: GroupNorm;
  readonly conv: Conv2d;
  /** Where its dropout masks are drawn (the stage's name); null: no dropout (stage 1). */
  readonly dropoutSite: string | null;
  constructor(scope: ParamScope, inCh: number, outCh: number, groups: number, zero: boolean, drops: boolean) {
    this.dropoutSite = drops ? scope.path : null;
    this.norm = new GroupNorm(scope.child('norm'), inCh, groups);
    // A [3, 1] kernel over the [frames, H·W] plane of each clip = Conv3d (3, 1, 1).
    this.conv = new Conv2d(scope.child('conv'), inCh, outCh, 3, 1, 1, zero ? { kernel: { kind: 'zeros' }, bias: { kind: 'zeros' } } : {});
  }

  apply(x: tf.Tensor4D, frames: number, masks: DropoutMasks | null): tf.Tensor4D {
    const [n, h, w] = x.shape;
    let act = silu(this.norm.apply(x, frames));
    if (this.dropoutSite != null) act = dropout(act, masks, this.dropoutSite);
    const clips = tf.reshape(act, [n / frames, frames, h * w, this.conv.inCh]) as tf.Tensor4D;
    return tf.reshape(this.conv.apply(clips), [n, h, w, this.conv.outCh]) as tf.Tensor4D;
  }
}

export class TemporalConv {
  readonly stages: FrameConvStage[];
  readonly shortcut: Linear | null;

  constructor(scope: ParamScope, readonly inCh: number, readonly outCh: number, groups: number) {
    this.stages = [
      new FrameConvStage(scope.child('conv1'), inCh, outCh, groups, false, false),
      new FrameConvStage(scope.child('conv2'), outCh, outCh, groups, false, true),
      new FrameConvStage(scope.child('conv3'), outCh, outCh, groups, false, true),
      new FrameConvStage(scope.child('conv4'), outCh, outCh, groups, true, true),
    ];
    this.shortcut = inCh !== outCh ? new Linear(scope.child('shortcut', 'extra'), inCh, outCh) : null;
  }

  /** x: [B·F, H, W, inCh] → [B·F, H, W, outCh]; `masks` null: no dropout (eval). */
  apply(x: tf.Tensor4D, frames: number, masks: DropoutMasks | null = null): tf.Tensor4D {
    let h = x;
    for (const stage of this.stages) h = stage.apply(h, frames, masks);
    const identity = this.shortcut ? (this.shortcut.apply(x) as tf.Tensor4D) : x;
    return tf.add(identity, h);
  }
}
