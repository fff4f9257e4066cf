// The PyTorch worker on one H100 80GB, where users train: Stable Diffusion
// 2.1's UNet with ModelScope's temporal layers, 8 frames, batch 2 × accum 2
// (the paper's §4.3 cell), 256 and 512 px, bf16 autocast, every mode.
// Reference figures (diffusers' own UNet3DConditionModel, PyTorch 2.11, same
// card, peak allocated): 256 px delta-serial 25.78 GB, delta-parallel
// 16.65 GB, delta-serial-ckpt 14.72 GB; 512 px 57.3 / 33.2 / 20.9 GB and
// delta-parallel-ckpt 14.5 GB.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'h100',
  description: 'sd21 + ModelScope temporal layers on torch, bf16, 8 frames, 256 and 512 px, batch 2 × accum 2, every mode',
  backend: 'torch',
  device: 'cuda',
  precision: 'bf16',
  presets: ['sd21'],
  modes: ['full', 'delta-serial', 'delta-parallel', 'delta-serial-ckpt', 'delta-parallel-ckpt'],
  sweep: { batch: [2], accum: [2], frames: [8], size: [256, 512] },
  warmup: 2,
  steps: 4,
  timeoutSeconds: 900,
  claims: [
    { label: 'Mobius vs serial delta-tuning (paper: −24 % memory, −12 % time)', compare: ['delta-parallel', 'delta-serial'], memory: { atMost: 0.76 }, time: { atMost: 0.88 } },
    { label: 'Mobius vs serial with checkpointing (time)', compare: ['delta-parallel', 'delta-serial-ckpt'], time: { atMost: 1 } },
    { label: 'Mobius with checkpointing vs serial with checkpointing', compare: ['delta-parallel-ckpt', 'delta-serial-ckpt'], memory: { atMost: 1 }, time: { atMost: 1 } },
  ],
});
