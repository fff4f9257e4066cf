// One TensorFlow.js cell in a process of its own (a crash costs one cell,
// and high-water marks reset with the process): the backend, the trainer,
// the one step loop of measure/measure-steps.ts, the peak RSS. It sends raw
// samples through IPC messages (messages.ts) and computes no statistics.
import { readFileSync } from 'node:fs';
import { isTfjsBackend } from '../backend/run-backends.ts';
import { initBackend } from '../backend/tfjs/select.ts';
import { paramsReport } from '../model/params-report.ts';
import { measureSteps } from '../measure/measure-steps.ts';
import { BufferTracker } from '../measure/tensor-memory.ts';
import type { OutOfMemory } from '../protocol/out-of-memory.ts';
import type { CellParams } from '../protocol/worker-outcome.ts';
import type { CellConfig } from '../protocol/cell-config.ts';
import { MODE_SPECS } from '../train/modes.ts';
import { Trainer } from '../train/trainer.ts';
import type { RunCellMessage, WorkerMessage, WorkerOutcome } from '../protocol/worker-messages.ts';
import { tfjsOutOfMemory } from './tfjs-out-of-memory.ts';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

/** Peak resident set of this process: VmHWM where /proc has it. */
function peakRssBytes(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** The network's counts, and how many train in the cell's mode. */
function cellParams(config: CellConfig): CellParams {
  const { spatial, temporal, extra, total } = paramsReport(config.preset, config.unet)[MODE_SPECS[config.mode].network];
  const counts = { spatial, temporal, extra };
  const trainable = MODE_SPECS[config.mode].trainable.reduce((sum, group) => sum + counts[group], 0);
  return { spatial, temporal, extra, total, trainable, frozen: total - trainable };
}

// MOBIUS_BENCH_TRACKER=0 leaves the buffer tracker out: only for measuring
// the harness's own overhead (bench/harness-overhead.ts); memory is then
// `untracked`, with the peak RSS only.
const TRACKING = process.env['MOBIUS_BENCH_TRACKER'] !== '0';

/** Ran out of memory: sent as an error with its `oom` part. */
class DoesNotFit extends Error {
  constructor(message: string, readonly oom: OutOfMemory) {
    super(message);
  }
}

async function runCell({ config, memoryCapBytes }: RunCellMessage): Promise<WorkerOutcome> {
  if (!isTfjsBackend(config.backend)) throw new Error(`the TensorFlow.js worker was given a '${config.backend}' cell`);
  if (memoryCapBytes !== null && !TRACKING) throw new Error('--memory-cap needs the tensor tracker (MOBIUS_BENCH_TRACKER=0 turns it off)');
  // Before any tensor exists, so that every buffer is counted.
  const tracker = TRACKING ? new BufferTracker(memoryCapBytes).install() : null;
  const t0 = performance.now();
  const backend = await initBackend(config.backend);
  const importMs = performance.now() - t0;
  let trainer: Trainer | null = null;
  try {
    const t1 = performance.now();
    trainer = new Trainer({ config: config.unet, ...config });
    const startup = { importMs, buildMs: performance.now() - t1 };
    const measured = await measureSteps(trainer, tracker, {
      warmup: config.warmup,
      steps: config.steps,
      onMeasureStart: () => send({ type: 'measure-start', t: Date.now() }),
      onMeasureEnd: () => send({ type: 'measure-end', t: Date.now(), steps: config.steps }),
    });
    return {
      backend,
      params: cellParams(config),
      // At least one: a suite's `steps` is a positive integer.
      stepMs: measured.stepMs as WorkerOutcome['stepMs'],
      loss: measured.loss,
      stepPeakBytes: measured.stepPeakBytes,
      memory: measured.memory ? { source: 'tensors', ...measured.memory, rssPeakBytes: peakRssBytes() } : { source: 'untracked', rssPeakBytes: peakRssBytes() },
      startup,
    };
  } catch (err) {
    // Before the finally disposes the trainer: what was held when it failed.
    const oom = tfjsOutOfMemory(err, backend.name, tracker?.current ?? null, memoryCapBytes);
    if (oom) throw new DoesNotFit(`out of memory: ${err instanceof Error ? err.message : String(err)}`, oom);
    throw err;
  } finally {
    trainer?.dispose();
  }
}

process.once('message', (message: RunCellMessage) => {
  runCell(message)
    .then((outcome) => send({ type: 'done', outcome }))
    .catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err), ...(err instanceof DoesNotFit ? { oom: err.oom } : {}) }))
    .finally(() => process.exit(0));
});
