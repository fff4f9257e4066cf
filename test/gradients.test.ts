// Gradients of the training step: the analytic gradient of temporal weights
// matches finite differences (wasm, the backend runs use), and computing the frozen stream
// outside the tape changes no gradient.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../src/backend/tfjs/tf.ts';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { Trainer } from '../src/train/trainer.ts';
import { disposeBatch } from '../src/train/synthetic-data.ts';
import type { Mode } from '../src/train/modes.ts';
import { relativeError, snapshot, tinyOptions } from './helpers.ts';

/**
 * At initialisation the temporal layers' last projections and the t half of
 * the fusion conv are zero, so no gradient reaches most temporal weights.
 * Perturb every non-spatial weight so that all of them have one.
 */
function wakeTemporalLayers(trainer: Trainer): void {
  for (const p of trainer.net.params) {
    if (p.group !== 'spatial') {
      p.v.assign(tf.add(p.v, tf.randomNormal(p.shape, 0, 0.05, 'float32', 11)));
    }
  }
}

for (const mode of ['delta-serial', 'delta-parallel'] as Mode[]) {
  test(`${mode}: gradients of temporal weights match central finite differences`, async () => {
    await initBackend('wasm');
    const trainer = new Trainer(tinyOptions(mode));
    wakeTemporalLayers(trainer);
    const batch = trainer.batchFor(0, 0);
    const lossAt = () => tf.tidy(() => tf.mean(tf.squaredDifference(trainer.net.forward(batch.inputs), batch.noise)).dataSync()[0]!);
    const { loss, grads } = trainer.microBatchGradients(batch);
    loss.dispose();
    // A weight from a temporal conv, temporal attention and transformer_in, each at its largest gradient.
    const names = trainer.net.params.map((p) => p.name);
    const picks = [/^down\.0\.0\.tc\.conv1\.conv\.kernel$/, /^down\.0\.0\.ta\.transformer_blocks\.0\.attn1\.to_q\.weight$/, /^transformer_in\.proj_in\.weight$/, /^up\.1\.0\.tc\.conv4\.conv\.kernel$/];
    for (const pattern of picks) {
      const param = trainer.net.params.find((p) => pattern.test(p.name));
      assert.ok(param, `no parameter matches ${pattern} among ${names.length}`);
      const g = grads[param.v.name]!.dataSync() as Float32Array;
      let idx = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[idx]!)) idx = i;
      const original = Float32Array.from(param.v.dataSync() as Float32Array);
      const h = 1e-2;
      const at = (delta: number) => {
        const values = Float32Array.from(original);
        values[idx]! += delta;
        param.v.assign(tf.tensor(values, param.shape));
        return lossAt();
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      param.v.assign(tf.tensor(original, param.shape));
      const analytic = g[idx]!;
      assert.ok(Math.abs(analytic) > 1e-6, `${param.name}: gradient vanishes (${analytic})`);
      assert.ok(Math.abs(numeric - analytic) <= 0.02 * Math.abs(analytic) + 1e-5,
        `${param.name}[${idx}]: analytic ${analytic} vs finite difference ${numeric}`);
    }
    tf.dispose(Object.values(grads));
    disposeBatch(batch);
    trainer.dispose();
  });
}

for (const mode of ['delta-parallel', 'delta-serial'] as Mode[]) {
  test(`${mode}: gradients with the frozen stream outside the tape equal those inside`, async () => {
    await initBackend('wasm');
    const results = [true, false].map((hoistFrozen) => {
      const trainer = new Trainer(tinyOptions(mode, { hoistFrozen }));
      wakeTemporalLayers(trainer);
      assert.equal(trainer.hoisting, hoistFrozen);
      const batch = trainer.batchFor(0, 0);
      const { loss, grads } = trainer.microBatchGradients(batch);
      // Variable names are numbered per instance: key the gradients by parameter name.
      const byParam = Object.fromEntries(trainer.net.params.filter((p) => grads[p.v.name]).map((p) => [p.name, grads[p.v.name]!]));
      const out = { loss: loss.dataSync()[0]!, grads: snapshot(byParam) };
      tf.dispose([loss, ...Object.values(grads)]);
      disposeBatch(batch);
      trainer.dispose();
      return out;
    });
    const [hoisted, inTape] = results as [typeof results[0], typeof results[0]];
    assert.equal(hoisted.loss, inTape.loss);
    assert.deepEqual([...hoisted.grads.keys()].sort(), [...inTape.grads.keys()].sort());
    for (const [name, g] of hoisted.grads) {
      const err = relativeError(g, inTape.grads.get(name)!);
      assert.ok(err <= 1e-6, `${name}: relative difference ${err}`);
    }
  });
}
