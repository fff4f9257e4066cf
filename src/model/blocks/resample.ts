// The frozen resamplers between levels: a strided 3×3 conv down (diffusers
// Downsample2D), nearest ×2 then a 3×3 conv up (Upsample2D).
import { tf } from '../../backend/tfjs/tf.ts';
import type { ParamScope } from '../params.ts';
import { Conv2d } from '../layers.ts';

export class Downsample {
  readonly conv: Conv2d;
  constructor(scope: ParamScope, channels: number) {
    this.conv = new Conv2d(scope.child('conv'), channels, channels, 3, 3, 2);
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.conv.apply(x);
  }
}

export class Upsample {
  readonly conv: Conv2d;
  constructor(scope: ParamScope, channels: number) {
    this.conv = new Conv2d(scope.child('conv'), channels, channels, 3);
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.conv.apply(nearestDouble(x));
  }
}

/**
 * Nearest-neighbour ×2: out[i, j] = in[⌊i/2⌋, ⌊j/2⌋], as PyTorch's
 * `interpolate(scale_factor=2)`. Built from concatenations, whose gradient is
 * right on every backend: the cpu backend's ResizeNearestNeighborGrad gives
 * a wrong gradient for this case (tfjs 4.22; wasm's agrees with finite
 * differences).
 */
export function nearestDouble(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const wide = tf.reshape(tf.concat([tf.reshape(x, [n, h, w, 1, c]), tf.reshape(x, [n, h, w, 1, c])], 3), [n, h, 1, 2 * w, c]);
  return tf.reshape(tf.concat([wide, wide], 2), [n, 2 * h, 2 * w, c]);
}
