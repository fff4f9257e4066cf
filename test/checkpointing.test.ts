// Activation checkpointing on TensorFlow.js (segment recompute): the
// gradients equal the plain modes' (wasm, the backend runs use), for both nets, with
// accumulation, on the tiny preset and a deeper config; frozen weights stay
// bit-identical; the unique-buffer peak is lower and every buffer a step
// allocates is freed by its end (wasm).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../src/backend/tfjs/tf.ts';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { BufferTracker } from '../src/measure/tensor-memory.ts';
import { PRESETS, type UNetConfig } from '../src/model/config.ts';
import type { Mode } from '../src/train/modes.ts';
import { Trainer, type TrainerOptions } from '../src/train/trainer.ts';
import { relativeError, snapshot, tinyOptions } from './helpers.ts';

/** Three levels, two layers per block, attention at the top two: skips, resamplers and mid blocks of every kind. */
const DEEPER: UNetConfig = { ...PRESETS.tiny.config, blockChannels: [16, 32, 32], attention: [true, true, false], layersPerBlock: 2, headDim: 8, crossDim: 16, groups: 4 };

/** Temporal weights off their zero initialisation, so that every one gets a gradient. */
function wake(trainer: Trainer): void {
  for (const p of trainer.net.params) if (p.group !== 'spatial') p.v.assign(tf.add(p.v, tf.randomNormal(p.shape, 0, 0.05, 'float32', 5)));
}

function stepGradients(options: TrainerOptions): { loss: number; grads: Map<string, Float32Array> } {
  const trainer = new Trainer(options);
  wake(trainer);
  const { loss, grads } = trainer.stepGradients(0);
  const byParam = Object.fromEntries(trainer.net.params.filter((p) => grads[p.v.name]).map((p) => [p.name, grads[p.v.name]!]));
  const out = { loss, grads: snapshot(byParam) };
  tf.dispose(Object.values(grads));
  trainer.dispose();
  return out;
}

const CASES: Array<[string, Partial<TrainerOptions>]> = [
  ['tiny, accum 2', { accum: 2 }],
  ['deeper config, batch 2', { config: DEEPER, batch: 2, size: 32 }],
];

for (const [plain, ckpt] of [['delta-serial', 'delta-serial-ckpt'], ['delta-parallel', 'delta-parallel-ckpt']] as Array<[Mode, Mode]>) {
  for (const [label, overrides] of CASES) {
    test(`${ckpt} (${label}): the gradients of ${plain}`, async () => {
      await initBackend('wasm');
      const a = stepGradients(tinyOptions(plain, overrides));
      const b = stepGradients(tinyOptions(ckpt, overrides));
      assert.ok(Math.abs(a.loss - b.loss) <= 1e-6 * a.loss, `loss ${a.loss} vs ${b.loss}`);
      assert.deepEqual([...b.grads.keys()].sort(), [...a.grads.keys()].sort());
      for (const [name, g] of a.grads) {
        const err = relativeError(b.grads.get(name)!, g);
        assert.ok(err <= 1e-6, `${name}: relative difference ${err}`);
      }
    });
  }
}

test('checkpointed steps leave frozen weights bit-identical and change every trained one', async () => {
  await initBackend('wasm');
  for (const mode of ['delta-serial-ckpt', 'delta-parallel-ckpt'] as Mode[]) {
    const trainer = new Trainer(tinyOptions(mode, { learningRate: 1e-3 }));
    const before = snapshot(Object.fromEntries(trainer.net.params.map((p) => [p.name, p.v])));
    for (let i = 0; i < 3; i++) trainer.step();
    const after = snapshot(Object.fromEntries(trainer.net.params.map((p) => [p.name, p.v])));
    for (const p of trainer.net.params) {
      const same = Buffer.compare(Buffer.from(before.get(p.name)!.buffer), Buffer.from(after.get(p.name)!.buffer)) === 0;
      if (p.group === 'spatial') assert.ok(same, `${mode}: frozen ${p.name} changed`);
      else assert.ok(!same, `${mode}: trained ${p.name} did not change`);
    }
    trainer.dispose();
  }
});

test('wasm, tiny and small: checkpointing lowers the unique-buffer peak and frees every buffer it allocates', async () => {
  await initBackend('wasm');
  const tracker = new BufferTracker().install();
  try {
    for (const [preset, shape] of [['tiny', { frames: 4, size: 64 }], ['small', { frames: 4, size: 64 }]] as const) {
      const peak = (mode: Mode) => {
        const trainer = new Trainer({ ...tinyOptions(mode, shape), config: PRESETS[preset].config });
        try {
          trainer.step();
          const start = tracker.current;
          tracker.resetPeak();
          trainer.step();
          assert.equal(tracker.current, start, `${preset} ${mode}: a step leaves ${tracker.current - start} bytes behind`);
          return tracker.peak;
        } finally {
          trainer.dispose();
        }
      };
      for (const [plain, ckpt] of [['delta-serial', 'delta-serial-ckpt'], ['delta-parallel', 'delta-parallel-ckpt']] as Array<[Mode, Mode]>) {
        const p = peak(plain);
        const c = peak(ckpt);
        assert.ok(c < p, `${preset}: ${ckpt} peaks at ${c} bytes, ${plain} at ${p}`);
      }
    }
  } finally {
    tracker.uninstall();
  }
});
