// One network in two frameworks: diffusers' UNet3DConditionModel, built with
// the tiny preset's dimensions and every weight moved off its initialisation
// (test/fixtures/diffusers/diffusers-unet3d-tiny.npz, float64 forward in eval
// mode), loaded into the TypeScript serial net by diffusers name. The output
// must agree in float32 on the cpu backend (the plain reference kernels; the first clip of two, as they are slow), and
// the output and the temporal gradients of the fixture's loss on wasm (the
// patched kernels runs use). The cpu backward pass took 1–4 minutes here, so
// the gradients are checked once, on wasm.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { PRESETS } from '../src/model/config.ts';
import { SerialUNet } from '../src/model/serial-unet.ts';
import { checkAgainstFixture } from './fixture-parity.ts';
import { readNpz } from './npz.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/diffusers/diffusers-unet3d-tiny.npz', import.meta.url));
const fixture = readNpz(FIXTURE);

for (const backend of ['cpu', 'wasm'] as const) {
  const gradients = backend === 'wasm';
  // The cpu backend's plain kernels are slow: its forward is checked on the first clip of the two.
  const clips = backend === 'cpu' ? 1 : undefined;
  test(`${backend}: the TypeScript serial net reproduces diffusers’ UNet3DConditionModel: output${gradients ? ' and temporal gradients' : ' of one clip'}`, async () => {
    await initBackend(backend);
    // diffusers' transformer_in has 8 heads whatever the model: the fixture's.
    const r = checkAgainstFixture(new SerialUNet({ ...PRESETS.tiny.config, transformerInHeads: 8 }), fixture, ['temporal'], { gradients, ...(clips ? { clips } : {}) });
    console.log(`${backend}: output error ${r.outputError.toExponential(2)}, loss ${r.loss} vs ${r.fixtureLoss}${gradients ? `, ${r.gradients} temporal gradients, worst ${r.worstGradient.error.toExponential(2)} (${r.worstGradient.name})` : ''}`);
    assert.ok(r.outputError <= 1e-4, `output: max |diff| / max |ref| = ${r.outputError}`);
    assert.ok(Math.abs(r.loss - r.fixtureLoss) <= 1e-5 * r.fixtureLoss, `loss ${r.loss} vs diffusers ${r.fixtureLoss}`);
    if (gradients) {
      assert.equal(r.gradients, 258, 'every temporal gradient of the fixture compared');
      assert.ok(r.worstGradient.error <= 1e-3, `temporal gradient of ${r.worstGradient.name}: relative error ${r.worstGradient.error}`);
    }
  });
}
