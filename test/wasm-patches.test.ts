// The wasm patches change no result: transposed products equal the cpu
// backend's, a shared Identity keeps its buffer alive for every holder, and the
// tensors a gradient saves are cloned without an engine op and freed with the tape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../src/backend/tfjs/tf.ts';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { relativeError } from './helpers.ts';

// The cpu backend (the plain reference kernels) beside wasm, for comparison.
await initBackend('cpu');
const info = await initBackend('wasm');

test('wasm reports its patches', () => {
  assert.deepEqual(info.patches.map((p) => p.split(' ')[0]), ['Conv2DBackpropFilter', 'BatchMatMul', 'Identity', 'saved']);
});

test('transposed batched products on patched wasm equal the cpu backend', async () => {
  for (const [transposeA, transposeB] of [[true, false], [false, true], [true, true], [false, false]] as const) {
    const aShape = transposeA ? [3, 5, 4] : [3, 4, 5];
    const bShape = transposeB ? [3, 6, 5] : [3, 5, 6];
    const results: Float32Array[] = [];
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const a = tf.randomNormal(aShape, 0, 1, 'float32', 1);
      const b = tf.randomNormal(bShape, 0, 1, 'float32', 2);
      results.push(tf.matMul(a, b, transposeA, transposeB).dataSync() as Float32Array);
    }
    assert.equal(results[0]!.length, 3 * 4 * 6);
    assert.ok(relativeError(results[0]!, results[1]!) <= 1e-6, `transposeA=${transposeA} transposeB=${transposeB}`);
  }
  await tf.setBackend('wasm');
});

test('a clone shares its buffer and survives the original', () => {
  const a = tf.tensor1d([1, 2, 3]);
  const c = tf.clone(a);
  assert.equal(c.dataId, a.dataId);
  a.dispose();
  assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
  c.dispose();
});

test('the tensors a gradient saves are cloned without an Identity op, give the same gradient and are freed with the tape', async () => {
  const x = tf.tensor2d([[1, -2], [3, 0.5]]);
  const w = tf.tensor2d([[0.25, 4], [-1, 2]]);
  const before = tf.memory();
  let grads: tf.Tensor[] = [];
  // Mul saves both inputs, Square its input: three clones on the engine's way.
  const profile = await tf.profile(() => {
    grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.mul(a, b))))([x, w]);
  });
  const kernels = profile.kernels.map((k) => k.name);
  assert.ok(kernels.includes('Multiply') && kernels.includes('Square'), kernels.join(' '));
  assert.ok(!kernels.includes('Identity'), `no Identity dispatched: ${kernels.join(' ')}`);
  // d/dx Σ (x·w)² = 2·x·w², d/dw = 2·x²·w.
  const xs = [1, -2, 3, 0.5];
  const ws = [0.25, 4, -1, 2];
  assert.deepEqual(Array.from(grads[0]!.dataSync()), xs.map((v, i) => 2 * v * ws[i]! ** 2));
  assert.deepEqual(Array.from(grads[1]!.dataSync()), xs.map((v, i) => 2 * v ** 2 * ws[i]!));
  tf.dispose(grads);
  assert.deepEqual([tf.memory().numTensors, tf.memory().numBytes], [before.numTensors, before.numBytes], 'the saved clones outlived the gradient');
  tf.dispose([x, w]);
});
