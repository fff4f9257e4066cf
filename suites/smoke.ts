// Smoke suite: under 2 minutes on a 2-core machine, for CI and quick checks.
// One matched group (serial and parallel, and full tuning) on the tiny nets.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'smoke',
  description: 'tiny nets, 4 frames of 64 px, batch 1: every mode once',
  backend: 'wasm',
  presets: ['tiny'],
  modes: ['full', 'delta-serial', 'delta-parallel'],
  sweep: { batch: [1], accum: [1], frames: [4], size: [64] },
  warmup: 1,
  steps: 3,
  timeoutSeconds: 120,
});
