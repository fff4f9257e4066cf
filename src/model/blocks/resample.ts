// The frozen resamplers between levels: a strided 3×3 conv down (diffusers
// Downsample2D), nearest ×2 then a 3×3 conv up (Upsample2D).
import { tf } from '../../backend/tf.ts';
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

/** Nearest-neighbour ×2: out[i, j] = in[⌊i/2⌋, ⌊j/2⌋], as PyTorch's `interpolate(scale_factor=2)`. */
export function nearestDouble(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]);
}
