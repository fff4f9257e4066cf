// The worker against the reference in fp16 (issue 23): the paper's §4.3 cell
// at 256 px with fp16 autocast, a GradScaler, and the frozen weights stored in
// fp16. Only the two plain delta modes: the checkpointed ones change nothing
// that precision touches.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'h100-fp16',
  description: 'sd21 on torch, fp16 autocast, frozen weights fp16, 8 frames, 256 px, batch 2 × accum 2',
  backend: 'torch',
  device: 'cuda',
  precision: 'fp16',
  frozenWeights: 'fp16',
  presets: ['sd21'],
  modes: ['delta-serial', 'delta-parallel'],
  sweep: { batch: [2], accum: [2], frames: [8], size: [256] },
  warmup: 3,
  steps: 20,
  timeoutSeconds: 900,
});
