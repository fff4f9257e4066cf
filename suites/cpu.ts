// The embedded default, a newcomer's first run: the paper's comparison in its
// smallest honest form — the small net (three levels of 64/128/128 channels,
// attention in the first two, as SD's UNet has it in all but the last),
// batch 1, every mode, on the wasm backend, with the paper's claims and the
// checkpointing ones. 5 measured steps: with cpu-full's 3, the time claim came
// out inconclusive here (its 95 % interval straddled the limit). suites/cpu-full.ts
// is the whole sweep (both nets, batch {1, 2} × accum {1, 2}).
import { defineSuite } from 'mobius-bench';
import full from './cpu-full.ts';

// cpu-full's modes, claims and settings; its first group only, measured longer.
export default defineSuite({
  ...full,
  name: 'cpu',
  description: 'the small net on wasm, batch 1, every mode, the paper’s claims: the first run (suites/cpu-full.ts sweeps more)',
  presets: ['small'],
  sweep: { batch: [1], accum: [1], frames: [8], size: [96] },
  steps: 5,
});
