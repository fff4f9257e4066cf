// The paper's §4.3 set-up on an A100 with the PyTorch worker: Stable
// Diffusion 2.1's UNet with ModelScope's temporal layers, 8 frames, 256 px,
// batch {1, 2, 4} × accum {1, 2}, every mode, bf16 autocast.
//
// It ran on TensorFlow.js (tfjs-node-gpu) at 64 px before the torch worker
// existed: TensorFlow.js keeps every attention score matrix and more operands
// for the backward pass, so the paper's cell planned at 129 GiB (serial) /
// 79 GiB (parallel) in float32 at 256 px, while PyTorch trains it (batch 2 ×
// accum 2, bf16) in 25.8 / 21.8 GB, measured on an H200 (docs/gpu-figures.md).
// The paper's scale only fits where users train.
// Full tuning at batch 4 × accum 2 may not fit an A100-40GB: such a cell is
// recorded as "does not fit" (out of memory), which is itself the measurement.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'a100',
  description: 'sd21 + ModelScope temporal layers on torch, bf16, 8 frames, 256 px, batch {1, 2, 4} × accum {1, 2}, every mode (paper §4.3)',
  backend: 'torch',
  device: 'cuda',
  precision: 'bf16',
  presets: ['sd21'],
  modes: ['full', 'delta-serial', 'delta-parallel', 'delta-serial-ckpt', 'delta-parallel-ckpt'],
  sweep: { batch: [1, 2, 4], accum: [1, 2], frames: [8], size: [256] },
  warmup: 2,
  steps: 10,
  timeoutSeconds: 1800,
  claims: [
    { label: 'Mobius vs serial delta-tuning (paper: −24 % memory, −12 % time)', compare: ['delta-parallel', 'delta-serial'], memory: { atMost: 0.76 }, time: { atMost: 0.88 } },
    { label: 'Mobius with checkpointing vs serial with checkpointing', compare: ['delta-parallel-ckpt', 'delta-serial-ckpt'], memory: { atMost: 1 }, time: { atMost: 1 } },
  ],
});
