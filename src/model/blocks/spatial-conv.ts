// SC — diffusers ResnetBlock2D: GN → SiLU → conv3×3, + the timestep
// embedding's projection, GN → SiLU → conv3×3, 1×1 shortcut when the
// channels change. Frozen in delta-tuning.
import { tf } from '../../backend/tfjs/tf.ts';
import type { ParamScope } from '../params.ts';
import { Conv2d, GroupNorm, Linear, silu } from '../layers.ts';

export class SpatialConv {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly timeEmbProj: Linear;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly shortcut: Conv2d | null;

  constructor(scope: ParamScope, readonly inCh: number, readonly outCh: number, timeEmbDim: number, groups: number) {
    this.norm1 = new GroupNorm(scope.child('norm1'), inCh, groups);
    this.conv1 = new Conv2d(scope.child('conv1'), inCh, outCh, 3);
    this.timeEmbProj = new Linear(scope.child('time_emb_proj'), timeEmbDim, outCh);
    this.norm2 = new GroupNorm(scope.child('norm2'), outCh, groups);
    this.conv2 = new Conv2d(scope.child('conv2'), outCh, outCh, 3);
    this.shortcut = inCh !== outCh ? new Conv2d(scope.child('conv_shortcut'), inCh, outCh, 1) : null;
  }

  /** x: [B·F, H, W, inCh]; temb: [B·F, timeEmbDim]. */
  apply(x: tf.Tensor4D, temb: tf.Tensor2D): tf.Tensor4D {
    let h = this.conv1.apply(silu(this.norm1.apply(x)));
    const t = this.timeEmbProj.apply(silu(temb));
    h = tf.add(h, tf.reshape(t, [t.shape[0]!, 1, 1, this.outCh]));
    h = this.conv2.apply(silu(this.norm2.apply(h)));
    const identity = this.shortcut ? this.shortcut.apply(x) : x;
    return tf.add(identity, h);
  }
}
