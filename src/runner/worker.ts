// One cell in a process of its own: warm-up steps, then the measured steps
// timed with tinybench (fixed iterations), memory, peak RSS. It reports
// through IPC messages and formats nothing.
import { readFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { isTfjsBackend } from '../backend/run-backends.ts';
import { initBackend } from '../backend/select.ts';
import { paramsReport } from '../model/params-report.ts';
import { tensorMemory } from '../measure/measure-steps.ts';
import { BufferTracker } from '../measure/tensor-memory.ts';
import { MODE_SPECS } from '../train/modes.ts';
import { Trainer } from '../train/trainer.ts';
import { UserError } from '../user-error.ts';
import type { RunCellMessage, WorkerMessage, WorkerOutcome } from './messages.ts';
import { injectFault } from './fault-injection.ts';
import { summarize } from '../results/stats.ts';

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

// MOBIUS_BENCH_TRACKER=0 leaves the buffer tracker out: only for measuring
// the harness's own overhead (bench/harness-overhead.ts); memory is then null.
const TRACKING = process.env['MOBIUS_BENCH_TRACKER'] !== '0';

async function runCell({ id, config }: RunCellMessage): Promise<WorkerOutcome> {
  const tracker = new BufferTracker();
  if (TRACKING) tracker.install();
  if (!isTfjsBackend(config.backend)) throw new Error(`the TensorFlow.js worker was given a '${config.backend}' cell`);
  const backend = await initBackend(config.backend);
  injectFault(id, config, 'start');
  const trainer = new Trainer({ config: config.unet, ...config });
  for (let i = 0; i < config.warmup; i++) trainer.step();

  const stepMs: number[] = [];
  const loss: number[] = [];
  const stepPeakBytes: number[] = [];
  const startBytes = tracker.current;
  const bench = new Bench({ time: 0, iterations: config.steps, warmup: false, retainSamples: true, throws: true });
  bench.add(id, () => {
    tracker.resetPeak();
    const t0 = performance.now();
    const outcome = trainer.step();
    stepMs.push(performance.now() - t0);
    loss.push(outcome.loss);
    stepPeakBytes.push(tracker.peak);
    injectFault(id, config, 'step');
  }, { async: false });
  await send({ type: 'measure-start', t: Date.now() });
  await bench.run();
  await send({ type: 'measure-end', t: Date.now(), steps: config.steps });

  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') throw new Error(`tinybench ended the measured steps in state ${result.state}`);
  // Location statistics from the ordered samples through the one statistics
  // module (the reports and gates use the same); mean and sd from tinybench.
  const summary = summarize(stepMs)!;
  const peakBytes = Math.max(...stepPeakBytes);
  const outcome: WorkerOutcome = {
    backend,
    params: paramsReport(config.preset, config.unet)[MODE_SPECS[config.mode].network],
    stepMs,
    loss,
    stepPeakBytes,
    stats: {
      medianMs: summary.median,
      p95Ms: summary.p95,
      minMs: summary.min,
      maxMs: summary.max,
      meanMs: result.latency.mean,
      sdMs: result.latency.sd,
      samplesPerSecond: (config.batch * config.accum * 1000) / summary.median,
    },
    memory: !TRACKING ? null : { ...tensorMemory(trainer, startBytes, peakBytes), rssPeakBytes: peakRssBytes() },
  };
  trainer.dispose();
  return outcome;
}

process.once('message', (message: RunCellMessage) => {
  runCell(message)
    .then((outcome) => send({ type: 'done', outcome }))
    .catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err), userError: err instanceof UserError }))
    .finally(() => process.exit(0));
});
