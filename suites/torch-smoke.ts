// The torch worker's smoke suite: the tiny nets in every mode, on CUDA where
// torch sees it, else on the CPU (about half a minute there). For CI and a
// first look at a GPU machine.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'torch-smoke',
  description: 'tiny nets on the torch worker, 4 frames of 64 px, batch 1: every mode once',
  backend: 'torch',
  presets: ['tiny'],
  modes: ['full', 'delta-serial', 'delta-parallel', 'delta-serial-ckpt', 'delta-parallel-ckpt'],
  sweep: { batch: [1], accum: [1], frames: [4], size: [64] },
  warmup: 1,
  steps: 3,
  timeoutSeconds: 120,
  claims: [
    { label: 'Mobius with checkpointing vs serial with checkpointing (memory)', compare: ['delta-parallel-ckpt', 'delta-serial-ckpt'], memory: { atMost: 1 } },
  ],
});
