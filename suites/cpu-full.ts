// The whole CPU suite on the wasm backend: both nets, batch {1, 2} × accum
// {1, 2}, every mode — suites/cpu.ts is its first group alone. 96 px keeps the small net's batch-2 full-tuning cell
// (about 2 GB of tensors) well inside wasm's 4 GB address space and the suite
// inside its time budget.
import { defineSuite } from 'mobius-bench';

export default defineSuite({
  name: 'cpu-full',
  description: 'small and tiny nets on wasm: batch {1, 2} × accum {1, 2}, every mode, the paper’s claims',
  backend: 'wasm',
  presets: ['small', 'tiny'],
  modes: ['full', 'delta-serial', 'delta-parallel', 'delta-serial-ckpt', 'delta-parallel-ckpt'],
  sweep: { batch: [1, 2], accum: [1, 2], frames: [8], size: [96] },
  warmup: 1,
  steps: 3,
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
