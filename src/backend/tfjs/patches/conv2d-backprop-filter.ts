// Supplies the Conv2D filter gradient (kernel `Conv2DBackpropFilter`) on
// backends that lack it — the wasm backend does — from kernels they have.
//
// dW[i, j, ci, co] = Σ_{n,y,x} xPadded[n, y·s + i, x·s + j, ci] · dy[n, y, x, co]
// is itself a convolution: take the input channels as the batch and the
// batch as the channels (x → [ci, H, W, n]), use dy as the filter
// ([Ho, Wo, n, co]) dilated by the stride, and the output is [ci, kh, kw, co].
// This runs on the backend's fast Conv2D (≈1.1–1.7× a forward conv on wasm);
// wasm's own Conv3DBackpropFilterV2 is a naive loop 10–100× slower.
// Registered only where the kernel is missing, so a backend's own wins.
import { tf } from '../tf.ts';
import type { Tensor } from '../tf.ts';

const KERNEL = 'Conv2DBackpropFilter';

export interface Conv2DBackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | number[][];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilterFromConv2d(x: Tensor, dy: Tensor, attrs: Conv2DBackpropFilterAttrs): Tensor {
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`${KERNEL} fallback supports NHWC only, got ${attrs.dataFormat}`);
  }
  const [kh, kw, ci, co] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1,
    attrs.pad as 'same', attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  return tf.tidy(() => {
    const padded = top + bottom + left + right > 0
      ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]])
      : x;
    const channelsAsBatch = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const dilation: [number, number] = [info.strideHeight, info.strideWidth];
    let dw = tf.conv2d(channelsAsBatch, dyAsFilter, 1, 'valid', 'NHWC', dilation);
    // With strides, the padded input may reach past the last window: crop.
    if (dw.shape[1] !== kh || dw.shape[2] !== kw) dw = tf.slice(dw, [0, 0, 0, 0], [ci, kh, kw, co]);
    return tf.transpose(dw, [1, 2, 0, 3]);
  });
}

/** Registers the fallback for `backendName` if it lacks the kernel; says whether it did. */
export function supplyConv2dBackpropFilter(backendName: string): boolean {
  if (tf.getKernel(KERNEL, backendName) != null) return false;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: Tensor; dy: Tensor };
      return conv2dBackpropFilterFromConv2d(x, dy, attrs as unknown as Conv2DBackpropFilterAttrs);
    },
  });
  return true;
}
