// Data-parallel cells on one CPU: the tiny nets on 1 and 2 ranks (torchrun,
// gloo, DistributedDataParallel) in the modes whose buckets differ. Correct
// and slow — two ranks share the CPU — so its efficiency says nothing about a
// GPU; it proves the path CI can run: launch, all-reduce, per-rank figures,
// scaling table and chart. About 40 s here.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'ddp-cpu',
  description: 'tiny nets on 1 and 2 CPU ranks (torchrun, gloo, DDP), 2 frames of 32 px, batch 1',
  backend: 'torch',
  device: 'cpu',
  presets: ['tiny'],
  modes: ['full', 'delta-serial', 'delta-parallel'],
  sweep: { batch: [1], accum: [1], gpus: [1, 2], frames: [2], size: [32] },
  warmup: 1,
  steps: 2,
  timeoutSeconds: 120,
});
