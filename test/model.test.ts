// The two networks: identical spatial weights, identity temporal layers at
// initialisation, and the published parameter counts at Stable Diffusion scale.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../src/backend/tfjs/tf.ts';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { PRESETS } from '../src/model/config.ts';
import { unetLayout } from '../src/model/layout.ts';
import { ParallelUNet } from '../src/model/parallel-unet.ts';
import { SerialUNet } from '../src/model/serial-unet.ts';
import { makeBatch } from '../src/train/synthetic-data.ts';
import type { UNetInputs } from '../src/model/spatial-unet.ts';

test('sd21 parameter counts equal Stable Diffusion 2.1 and ModelScope', () => {
  const serial = new SerialUNet(PRESETS.sd21.config).counts();
  // stabilityai/stable-diffusion-2-1 UNet2DConditionModel: 865,910,724 parameters (torchinfo summary).
  assert.equal(serial.spatial, 865_910_724);
  // diffusers UNet3DConditionModel (ModelScope text-to-video) temp_convs + temp_attentions +
  // transformer_in, counted from diffusers' layer definitions: 266,891,520 + 272,850,880 + 5,580,736.
  assert.equal(serial.temporal, 545_323_136);
  assert.equal(serial.total, 1_411_233_860);
  assert.equal(serial.extra, 0);
  const parallel = new ParallelUNet(PRESETS.sd21.config).counts();
  assert.equal(parallel.spatial, serial.spatial);
  assert.ok(parallel.extra > 0 && parallel.temporal >= serial.temporal);
});

test('the layout is diffusers UNet3DConditionModel: 4 down blocks, mid, 4 up blocks with one more layer', () => {
  const plan = unetLayout(PRESETS.sd21.config);
  const layers = plan.filter((s) => s.kind === 'layer');
  assert.equal(layers.filter((s) => s.name.startsWith('down.')).length, 8);
  assert.equal(layers.filter((s) => s.name.startsWith('mid.')).length, 2);
  assert.equal(layers.filter((s) => s.name.startsWith('up.')).length, 12);
  assert.equal(plan.filter((s) => s.kind === 'down').length, 3);
  assert.equal(plan.filter((s) => s.kind === 'up').length, 3);
  assert.equal(layers.filter((s) => s.attention).length, 6 + 1 + 9);
  // The first up block is UpBlock3D (no attention) on 1280 channels taking 1280 + 1280.
  const first = layers.find((s) => s.name === 'up.0.0')!;
  assert.deepEqual([first.inCh, first.skipCh, first.outCh, first.attention], [1280, 1280, 1280, false]);
  const last = layers.find((s) => s.name === 'up.3.2')!;
  assert.deepEqual([last.inCh, last.skipCh, last.outCh, last.attention], [320, 320, 320, true]);
});

function framesOf(inputs: UNetInputs, f: number): UNetInputs {
  const n = inputs.noisy.shape[0] / inputs.frames;
  const pick = <T extends tf.Tensor>(t: T): T => tf.concat(Array.from({ length: n }, (_, b) => tf.slice(t, b * inputs.frames + f, 1)), 0) as T;
  return { noisy: pick(inputs.noisy), timesteps: pick(inputs.timesteps), text: pick(inputs.text), frames: 1 };
}

test('at initialisation serial and parallel both equal the 2D UNet applied frame by frame', async () => {
  await initBackend('wasm');
  const config = PRESETS.tiny.config;
  const serial = new SerialUNet(config);
  const parallel = new ParallelUNet(config);
  serial.materialize(3, ['temporal']);
  parallel.materialize(3, ['temporal', 'extra']);
  // Same names, same seed: identical spatial weights.
  const serialSpatial = new Map(serial.params.filter((p) => p.group === 'spatial').map((p) => [p.name, p]));
  const parallelSpatial = parallel.params.filter((p) => p.group === 'spatial');
  assert.equal(parallelSpatial.length, serialSpatial.size);
  for (const p of parallelSpatial) {
    assert.deepEqual(p.v.dataSync(), serialSpatial.get(p.name)!.v.dataSync(), p.name);
  }

  const batch = makeBatch({ frames: 3, latent: 4, latentChannels: 4, textLength: 6, crossDim: config.crossDim }, 5, 0, 2);
  const perFrame = tf.tidy(() => {
    const outs = [0, 1, 2].map((f) => serial.forward2d(framesOf(batch.inputs, f)));
    // Back to clip-major order [b0f0, b0f1, b0f2, b1f0, …].
    const stacked = tf.stack(outs, 1);
    return tf.reshape(stacked, batch.inputs.noisy.shape);
  });
  const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  const serialOut = serial.forward(batch.inputs);
  const parallelOut = parallel.forward(batch.inputs);
  assert.ok(tf.max(tf.abs(perFrame)).dataSync()[0]! > 0.01, 'the 2D UNet output is not trivially zero');
  assert.ok(maxDiff(serialOut, perFrame) <= 1e-5, `serial differs by ${maxDiff(serialOut, perFrame)}`);
  assert.ok(maxDiff(parallelOut, perFrame) <= 1e-5, `parallel differs by ${maxDiff(parallelOut, perFrame)}`);

  // And the temporal layers do act once they are no longer zero.
  const proj = serial.params.find((p) => p.name === 'down.0.0.ta.proj_out.weight')!;
  proj.v.assign(tf.randomNormal(proj.shape, 0, 0.1, 'float32', 9));
  assert.ok(maxDiff(serial.forward(batch.inputs), perFrame) > 1e-3);
  serial.dispose();
  parallel.dispose();
});
