// AdamW's update against torch.optim.AdamW's, written out in float64: three steps
// of two weights; a third never has a gradient and is neither stepped nor given
// moments; and an update leaves no tensor behind but the moments of each weight it steps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../src/backend/tfjs/tf.ts';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { AdamW } from '../src/train/adamw.ts';

await initBackend('cpu');

/** torch.optim.AdamW's step (PyTorch's docs, "decoupled weight decay") on one value. */
function reference(w: number, grads: number[], opts: { lr: number; wd: number; beta1: number; beta2: number; eps: number }): number {
  let m = 0;
  let v = 0;
  let step = 0;
  for (const g of grads) {
    step++;
    w *= 1 - opts.lr * opts.wd;
    m = opts.beta1 * m + (1 - opts.beta1) * g;
    v = opts.beta2 * v + (1 - opts.beta2) * g * g;
    const mHat = m / (1 - opts.beta1 ** step);
    const vHat = v / (1 - opts.beta2 ** step);
    w -= (opts.lr * mHat) / (Math.sqrt(vHat) + opts.eps);
  }
  return w;
}

test('three AdamW steps equal torch.optim.AdamW\'s, weight decay decoupled; a weight without a gradient is not touched', () => {
  const opts = { lr: 0.01, wd: 0.1, beta1: 0.8, beta2: 0.95, eps: 1e-3 };
  const start = { a: [0.5, -1.25, 2], b: [3, -0.75] };
  const grads: Record<'a' | 'b', number[][]> = {
    a: [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05], [0.2, 0.2, -0.6]],
    b: [[1, -2], [0, 0.125], [0.25, 0.5]],
  };
  const a = tf.variable(tf.tensor1d(start.a), true, 'a');
  const b = tf.variable(tf.tensor1d(start.b), true, 'b');
  const untouched = tf.variable(tf.tensor1d([7, -8]), true, 'untouched');
  const adamw = new AdamW({ learningRate: opts.lr, weightDecay: opts.wd, beta1: opts.beta1, beta2: opts.beta2, epsilon: opts.eps });
  for (let step = 0; step < 3; step++) {
    const given: Record<string, tf.Tensor> = {};
    for (const name of ['a', 'b'] as const) given[name] = tf.tensor1d(grads[name][step]!);
    const before = tf.memory().numTensors;
    adamw.applyGradients([a, b, untouched], given);
    // New tensors: only the two moments of each weight stepped for the first time.
    assert.equal(tf.memory().numTensors - before, step === 0 ? 4 : 0, `step ${step + 1}: tensors left behind`);
    tf.dispose(Object.values(given));
  }
  for (const [name, variable] of [['a', a], ['b', b]] as const) {
    const got = variable.dataSync();
    start[name].forEach((w0, i) => {
      const want = reference(w0, grads[name].map((g) => g[i]!), opts);
      assert.ok(Math.abs(got[i]! - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${name}[${i}]: ${got[i]} vs torch's ${want}`);
    });
  }
  assert.deepEqual([...untouched.dataSync()], [7, -8]);
  assert.equal(adamw.stateTensors().length, 4, 'moments for a and b only');
  adamw.dispose();
  tf.dispose([a, b, untouched]);
});
