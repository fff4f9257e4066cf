// The PyTorch planner's FLOPs (plan/torch/tape.ts MatrixFlops): the forward of
// the worker's net equals the count by hand, a product's backward computes one
// product per operand that needs a gradient, Mobius's frozen stream has no
// backward, and the checkpointed modes recompute their forward (HFU) without
// changing the model's FLOPs (MFU).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS } from '../src/model/config.ts';
import { latentSize } from '../src/model/config.ts';
import { planTorchCell } from '../src/plan/torch/plan-torch-cell.ts';
import { recordMicroBatch } from '../src/plan/torch/record.ts';
import { Tape } from '../src/plan/torch/tape.ts';
import { RUNTIMES } from '../src/plan/torch/runtime.ts';
import { linear } from '../src/plan/torch/ops/matmul.ts';
import type { CellConfig } from '../src/protocol/cell-config.ts';
import type { Mode } from '../src/train/modes.ts';
import { analyticForwardFlops } from './analytic-flops.ts';

function cell(mode: Mode, extra: Partial<CellConfig> = {}): CellConfig {
  return { preset: 'tiny', unet: PRESETS.tiny.config, mode, batch: 2, accum: 3, frames: 4, size: 64, textLength: 6, seed: 0, backend: 'torch', device: 'cuda', warmup: 0, steps: 1, ...extra };
}

test("the worker net's forward: the matrix FLOPs counted by hand from the UNet layout", () => {
  const c = cell('delta-serial');
  const record = recordMicroBatch(c, { attention: 'sdpa' });
  const side = latentSize(c.unet, c.size);
  assert.equal(record.tape.flops.forward, analyticForwardFlops(c.unet, c.batch, c.frames, side, c.textLength, { timeEmbeddingPerClip: true }));
  // The explicit attention counts its two products as bmm: the same FLOPs.
  assert.equal(recordMicroBatch(c, { attention: 'explicit', runtime: 'cpu' }).tape.flops.forward, record.tape.flops.forward);
});

test("a linear's backward: one product of the forward's size per operand that needs its gradient", () => {
  const flopsOf = (inputGrad: boolean, weightGrad: boolean) => {
    const tape = new Tape(RUNTIMES.cuda, null);
    const x = tape.alloc([5, 7], 'float32', inputGrad, 'x');
    const w = tape.alloc([3, 7], 'float32', weightGrad, 'w', undefined, 'parameter');
    linear(tape, x, w, null, 'linear');
    return tape.flops;
  };
  const forward = 2 * 5 * 7 * 3;
  assert.deepEqual(flopsOf(false, false), { forward, backward: 0, recompute: 0 });
  assert.deepEqual(flopsOf(true, false), { forward, backward: forward, recompute: 0 });
  assert.deepEqual(flopsOf(true, true), { forward, backward: 2 * forward, recompute: 0 });
});

test('per step: accum micro-batches; Mobius has no backward through the frozen stream; checkpointing adds recompute to HFU only', () => {
  const plan = (mode: Mode) => planTorchCell(cell(mode), { attention: 'sdpa' }).flops;
  const micro = recordMicroBatch(cell('delta-serial'), { attention: 'sdpa' }).tape.flops;
  assert.equal(plan('delta-serial').model, 3 * (micro.forward + micro.backward));
  // Full tuning also makes the spatial weights' gradients; delta-serial still backpropagates
  // through the frozen spatial layers; the parallel net's frozen stream keeps no graph at all.
  assert.ok(plan('full').model > plan('delta-serial').model);
  assert.ok(plan('delta-serial').model > plan('delta-parallel').model);
  for (const plain of ['delta-serial', 'delta-parallel'] as const) {
    const ckpt = plan(`${plain}-ckpt`);
    assert.equal(ckpt.model, plan(plain).model);
    assert.ok(ckpt.hardware > ckpt.model);
    assert.equal(plan(plain).hardware, plan(plain).model);
  }
});
