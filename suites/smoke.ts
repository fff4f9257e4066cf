// Smoke suite: under 2 minutes on a 2-core machine, for CI and quick checks.
// One matched group on the tiny nets: every mode, the checkpointed ones too.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'smoke',
  description: 'tiny nets, 4 frames of 64 px, batch 1: every mode once',
  backend: 'wasm',
  presets: ['tiny'],
  modes: ['full', 'delta-serial', 'delta-parallel', 'delta-serial-ckpt', 'delta-parallel-ckpt'],
  sweep: { batch: [1], accum: [1], frames: [4], size: [64] },
  warmup: 1,
  steps: 3,
  timeoutSeconds: 120,
});
