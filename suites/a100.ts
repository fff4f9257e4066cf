// The paper's §4.3 set-up for a GPU runner with tfjs-node-gpu: Stable
// Diffusion 2.1's UNet with ModelScope's temporal layers, 8 frames,
// batch {1, 2, 4} × accum {1, 2}, every mode.
//
// Size: 64 px (8×8 latents), chosen with the planner (`mobius-bench plan
// suites/a100.ts --max-batch`): float32, unique tensor buffers as
// TensorFlow.js holds them. At 64 px every delta cell fits an A100-40GB (the
// paper's batch 2 × accum 2: serial 20.4 GiB, parallel 18.4 GiB; the largest
// serial cell, batch 4 × accum 2, 27.5 GiB); only full tuning at batch 4 ×
// accum 2 (40.9 GiB) does not, and is recorded as failed (out of memory),
// which is itself the measurement. At 128 px the paper's cell needs 41.2 GiB
// serial — over an A100-40GB — and 30.6 GiB parallel — inside a V100-32GB,
// the paper's own argument; at 256 px 129 GiB and 79 GiB. The paper's
// 37.8 GB (serial) figure is mixed precision with memory-efficient attention.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'a100',
  description: 'sd21 + ModelScope temporal layers, 8 frames, 64 px, batch {1, 2, 4} × accum {1, 2}, every mode (paper §4.3)',
  backend: 'tensorflow',
  presets: ['sd21'],
  modes: ['full', 'delta-serial', 'delta-parallel'],
  sweep: { batch: [1, 2, 4], accum: [1, 2], frames: [8], size: [64] },
  warmup: 2,
  steps: 10,
  timeoutSeconds: 1800,
  claims: [
    { label: 'Mobius vs serial delta-tuning (paper: −24 % memory, −12 % time)', compare: ['delta-parallel', 'delta-serial'], memory: { atMost: 0.76 }, time: { atMost: 0.88 } },
  ],
});
