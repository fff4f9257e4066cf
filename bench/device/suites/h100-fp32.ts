// The worker against the reference in fp32 (issue 23): the paper's §4.3 cell
// at 256 px without autocast (TF32 matmuls where the card has them), every
// weight in fp32. Only the two plain delta modes: the checkpointed ones change
// nothing that precision touches.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'h100-fp32',
  description: 'sd21 on torch, fp32 (TF32), 8 frames, 256 px, batch 2 × accum 2',
  backend: 'torch',
  device: 'cuda',
  precision: 'fp32',
  presets: ['sd21'],
  modes: ['delta-serial', 'delta-parallel'],
  sweep: { batch: [2], accum: [2], frames: [8], size: [256] },
  warmup: 3,
  steps: 20,
  timeoutSeconds: 900,
});
