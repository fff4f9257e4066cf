// The embedded default, a newcomer's first run: the paper's comparison in its
// smallest honest form — the small net (three levels of 64/128/128 channels,
// attention in the first two, as SD's UNet has it in all but the last),
// batch 1, every mode, on the wasm backend, with the paper's claims and the
// checkpointing ones. 5 measured steps: with cpu-full's 3, the time claim came
// out inconclusive here (its 95 % interval straddled the limit). suites/cpu-full.ts
// is the whole sweep (both nets, batch {1, 2} × accum {1, 2}).
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'cpu',
  description: 'the small net on wasm, batch 1, every mode, the paper’s claims: the first run (suites/cpu-full.ts sweeps more)',
  backend: 'wasm',
  presets: ['small'],
  modes: ['full', 'delta-serial', 'delta-parallel', 'delta-serial-ckpt', 'delta-parallel-ckpt'],
  sweep: { batch: [1], accum: [1], frames: [8], size: [96] },
  warmup: 1,
  steps: 5,
  timeoutSeconds: 300,
  claims: [
    { label: 'Mobius vs serial delta-tuning (paper: −24 % memory, −12 % time)', compare: ['delta-parallel', 'delta-serial'], memory: { atMost: 0.76 }, time: { atMost: 0.88 } },
    { label: 'Mobius vs full fine-tuning', compare: ['delta-parallel', 'full'], memory: { atMost: 1 }, time: { atMost: 1 } },
    // Checkpointing is what a user reaches for instead: Mobius should beat it on time,
    // and Mobius with checkpointing should beat serial with checkpointing on both.
    { label: 'Mobius vs serial with checkpointing (time)', compare: ['delta-parallel', 'delta-serial-ckpt'], time: { atMost: 1 } },
    { label: 'Mobius with checkpointing vs serial with checkpointing', compare: ['delta-parallel-ckpt', 'delta-serial-ckpt'], memory: { atMost: 1 }, time: { atMost: 1 } },
  ],
});
