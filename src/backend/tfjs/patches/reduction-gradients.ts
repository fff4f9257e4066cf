// TensorFlow.js's gradients of Mean and Sum broadcast dy with `ones(x.shape)`,
// which fills a JavaScript array the size of x on every backward pass and
// then copies it to the backend: 5 of 8 seconds of a planned sd21 step, and
// a needless host round trip on wasm. These are the same gradients with the
// ones made by the backend's Fill kernel: the same buffers (one of x's size,
// at the same moment), so memory figures do not change, only the time.
import { tf } from '../tf.ts';

let registered = false;

/** dy broadcast back to x's shape through a backend-made ones(x.shape), as tfjs does with a JS array. */
function broadcastDy(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis, x.shape)) shape[a] = 1;
  return tf.mul(tf.reshape(dy, shape), tf.fill(x.shape, 1, 'float32'));
}

export function registerFillBasedReductionGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const { axis } = attrs as { axis: number | number[] };
      const [, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, tf.util.parseAxisParam(axis, x.shape));
      return { x: () => tf.div(broadcastDy(dy as tf.Tensor, x, axis), tf.util.sizeFromShape(reduceShape)) };
    },
  });
  tf.registerGradient({
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const derX = broadcastDy(dy as tf.Tensor, x, (attrs as { axis: number | number[] }).axis);
      return { x: () => derX };
    },
  });
}
