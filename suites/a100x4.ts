// The paper's own set-up (§4.3): four A100-40GB GPUs, data-parallel, each
// training batch 2 with gradient accumulation 2 (global batch 16), sd21 with
// ModelScope's temporal layers, 8 frames of 256 px, bf16 — through torchrun
// and DistributedDataParallel, as diffusers' training scripts run under
// `accelerate launch`. One GPU beside four gives the scaling efficiency;
// every figure is per rank (the highest rank's memory, the slowest rank's
// step, all-reduce included). Needs a machine with 4 GPUs.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'a100x4',
  description: 'sd21 + ModelScope temporal layers on 4 GPUs (torchrun, DDP), bf16, batch 2 × accum 2 per GPU, 8 frames, 256 px (paper §4.3)',
  backend: 'torch',
  device: 'cuda',
  precision: 'bf16',
  presets: ['sd21'],
  modes: ['delta-serial', 'delta-parallel', 'delta-serial-ckpt', 'delta-parallel-ckpt'],
  sweep: { batch: [2], accum: [2], gpus: [1, 4], frames: [8], size: [256] },
  warmup: 2,
  steps: 10,
  timeoutSeconds: 1800,
  claims: [
    { label: 'Mobius vs serial delta-tuning on 4 GPUs (paper Fig. 6: 28,898 vs 37,758 MB, 105 vs 119 s)', compare: ['delta-parallel', 'delta-serial'], memory: { atMost: 28898 / 37758 }, time: { atMost: 105 / 119 } },
    { label: 'Mobius with checkpointing vs serial with checkpointing', compare: ['delta-parallel-ckpt', 'delta-serial-ckpt'], memory: { atMost: 1 }, time: { atMost: 1 } },
  ],
});
