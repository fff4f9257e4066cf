// The paper's §4.3 set-up for a GPU runner with tfjs-node-gpu: Stable
// Diffusion 2.1's UNet with ModelScope's temporal layers, 8 frames,
// batch {1, 2, 4} × accum {1, 2}, every mode.
//
// Size: 256 px (32×32 latents). In float32 the delta-serial cell holds
// 5.6 GB of weights (1.41 B parameters), 4.4 GB of Adam moments and 2.2 GB of
// gradients for the 545 M temporal parameters, leaving ~27 GB of an A100-40GB
// for the activations of batch 2 × 8 frames; 512 px (64×64 latents) has 4×
// the activations and 16× the spatial self-attention scores, which cannot fit
// in float32 without memory-efficient attention. The paper's 37.8 GB serial
// figure is mixed precision. This choice is provisional until the planner
// (`mobius-bench plan`) can compute each cell's peak; batch-4 and full-tuning
// cells are expected to exceed 40 GB and are recorded as failed (out of memory),
// which is itself the measurement.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'a100',
  description: 'sd21 + ModelScope temporal layers, 8 frames, 256 px, batch {1, 2, 4} × accum {1, 2}, every mode (paper §4.3)',
  backend: 'tensorflow',
  presets: ['sd21'],
  modes: ['full', 'delta-serial', 'delta-parallel'],
  sweep: { batch: [1, 2, 4], accum: [1, 2], frames: [8], size: [256] },
  warmup: 2,
  steps: 10,
  timeoutSeconds: 1800,
  claims: [
    { label: 'Mobius vs serial delta-tuning (paper: −24 % memory, −12 % time)', compare: ['delta-parallel', 'delta-serial'], memory: { atMost: 0.76 }, time: { atMost: 0.88 } },
  ],
});
