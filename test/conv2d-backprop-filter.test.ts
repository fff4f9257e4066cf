// The Conv2D filter gradient supplied on wasm matches the cpu backend's own kernel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../src/backend/tfjs/tf.ts';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { supplyConv2dBackpropFilter } from '../src/backend/tfjs/patches/conv2d-backprop-filter.ts';
import { relativeError } from './helpers.ts';

// The cpu backend (the plain reference kernels) beside wasm, for comparison.
await initBackend('cpu');

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const CASES: Array<{ x: [number, number, number, number]; k: [number, number]; co: number; stride: number; pad: Pad }> = [
  { x: [2, 8, 8, 3], k: [3, 3], co: 5, stride: 1, pad: 'same' },
  { x: [2, 8, 8, 3], k: [3, 3], co: 5, stride: 1, pad: 'valid' },
  { x: [2, 8, 8, 4], k: [3, 3], co: 6, stride: 2, pad: 'same' },
  { x: [2, 9, 7, 4], k: [3, 3], co: 6, stride: 2, pad: 'same' },
  { x: [2, 9, 9, 4], k: [3, 3], co: 6, stride: 2, pad: 'valid' },
  { x: [3, 6, 10, 8], k: [1, 1], co: 4, stride: 1, pad: 'valid' },
  { x: [2, 6, 5, 8], k: [3, 1], co: 8, stride: 1, pad: [[0, 0], [1, 1], [0, 0], [0, 0]] },
  { x: [2, 8, 8, 4], k: [3, 3], co: 4, stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
];

function gradient(backend: string, xv: Float32Array, dyv: Float32Array, c: (typeof CASES)[number], dyShape: number[]): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const dy = tf.tensor(dyv, dyShape);
    const filterShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.co];
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape };
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    return dw.dataSync() as Float32Array;
  });
}

test('wasm lacks Conv2DBackpropFilter and gets the fallback; cpu keeps its own kernel', async () => {
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
  const info = await initBackend('wasm');
  assert.ok(info.patches.some((p) => p.startsWith('Conv2DBackpropFilter')));
  assert.notEqual(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
  await tf.setBackend('cpu');
  const cpuKernel = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  assert.equal(supplyConv2dBackpropFilter('cpu'), false);
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'cpu'), cpuKernel);
});

test('the wasm filter gradient equals the cpu kernel (relative error ≤ 1e-4)', async () => {
  await initBackend('wasm');
  for (const c of CASES) {
    await tf.setBackend('cpu');
    const filterShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.co];
    const yShape = tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, c.stride, c.pad as 'same').shape;
    const xv = tf.randomNormal(c.x, 0, 1, 'float32', 1).dataSync() as Float32Array;
    const dyv = tf.randomNormal(yShape, 0, 1, 'float32', 2).dataSync() as Float32Array;
    const expected = gradient('cpu', xv, dyv, c, yShape);
    const got = gradient('wasm', xv, dyv, c, yShape);
    assert.equal(got.length, expected.length);
    const err = relativeError(got, expected);
    assert.ok(err <= 1e-4, `${JSON.stringify(c)}: relative error ${err}`);
  }
});
