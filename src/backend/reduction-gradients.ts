// TensorFlow.js's gradients of Mean and Sum broadcast dy with `ones(x.shape)`,
// which fills a JavaScript array the size of x on every backward pass and
// then copies it to the backend: 5 of 8 seconds of a planned sd21 step, and
// a needless host round trip on wasm. These are the same gradients with the
// ones made by the backend's Fill kernel: the same buffers (one of x's size,
// at the same moment), so memory figures do not change, only the time.
import { tf } from './tf.ts';

let registered = false;

function expandedDy(dy: tf.Tensor, x: tf.Tensor, axes: number[]): tf.Tensor {
  const shape = x.shape.slice();
  for (const axis of axes) shape[axis] = 1;
  return tf.reshape(dy, shape);
}

export function registerFillBasedReductionGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const [, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
      const reduceSize = tf.util.sizeFromShape(reduceShape);
      return { x: () => tf.div(tf.mul(expandedDy(dy as tf.Tensor, x, axes), tf.fill(x.shape, 1, 'float32')), reduceSize) };
    },
  });
  tf.registerGradient({
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const derX = tf.mul(expandedDy(dy as tf.Tensor, x, axes), tf.fill(x.shape, 1, 'float32'));
      return { x: () => derX };
    },
  });
}
