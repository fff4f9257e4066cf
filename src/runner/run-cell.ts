// Runs one cell in a worker process of its own: memory high-water marks only
// reset in a new process, and a crash (out of memory) costs one cell. The
// worker is killed past the cell's timeout; whatever ends it, the cell
// becomes a result — ok, or failed with the reason and the tail of stderr.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GpuCellReport, GpuSampler } from '../measure/gpu-sampler.ts';
import { RESULT_SCHEMA, type CellResult, type FailureReason } from '../results/schema.ts';
import { cellLabel, type Cell } from '../suite/expand.ts';
import type { WorkerMessage, WorkerOutcome } from './messages.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
// Absolute, so the worker loads TypeScript whatever the user's working directory.
const TSX = import.meta.resolve('tsx');
const STDERR_TAIL_BYTES = 4000;

export interface CellRunOptions {
  timeoutMs: number;
  /** A GPU sampler for this cell (nvidia-smi present), or null. */
  sampler: GpuSampler | null;
  /** Called with the worker once it is spawned (the runner kills it on SIGINT). */
  onSpawn?: (child: ChildProcess) => void;
}

export class Interrupted extends Error {}

export async function runCellInWorker(cell: Cell, opts: CellRunOptions): Promise<CellResult> {
  const startedAt = new Date().toISOString();
  await opts.sampler?.start();
  const child = fork(WORKER, [], { execArgv: ['--import', TSX], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env });
  opts.onSpawn?.(child);
  let tail = '';
  const keepTail = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  };
  child.stderr!.on('data', keepTail);
  child.stdout!.on('data', keepTail);

  let outcome: WorkerOutcome | null = null;
  let workerError: { message: string } | null = null;
  let timedOut = false;
  child.on('message', (m: WorkerMessage) => {
    if (m.type === 'measure-start') opts.sampler?.markMeasuredStart(m.t);
    else if (m.type === 'measure-end') opts.sampler?.markMeasuredEnd(m.t, m.steps);
    else if (m.type === 'done') outcome = m.outcome;
    else if (m.type === 'error') workerError = { message: m.message };
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs);

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
    child.send({ type: 'run', id: cell.id, config: cell.config });
  });
  clearTimeout(timer);
  const gpu: GpuCellReport | null = opts.sampler ? await opts.sampler.stop(child.pid ?? -1) : null;
  // A Ctrl-C reaches the worker too (same process group): it may die of it
  // before the runner's own handler has run.
  const stoppedByUser = exit.signal === 'SIGINT' || exit.signal === 'SIGTERM';
  if ((child as ChildProcess & { interrupted?: boolean }).interrupted || stoppedByUser) throw new Interrupted(`cell ${cell.id} interrupted`);

  const base = {
    schema: RESULT_SCHEMA, id: cell.id, label: cellLabel(cell.config), config: cell.config, env: 'run.json' as const,
    startedAt, endedAt: new Date().toISOString(), gpu,
  };
  const done = outcome as WorkerOutcome | null;
  if (done) {
    return { ...base, status: 'ok', backend: done.backend, params: done.params, stepMs: done.stepMs, loss: done.loss, stepPeakBytes: done.stepPeakBytes, stats: done.stats, memory: done.memory };
  }
  let reason: FailureReason;
  let message: string;
  const err = workerError as { message: string } | null;
  if (timedOut) {
    reason = 'timeout';
    message = `no result within the cell timeout of ${(opts.timeoutMs / 1000).toFixed(0)} s: the worker was killed`;
  } else if (err) {
    reason = 'error';
    message = err.message;
  } else if (exit.signal === 'SIGKILL') {
    reason = 'killed';
    message = 'the worker was killed by SIGKILL (out of memory?)';
  } else {
    reason = 'crashed';
    message = `the worker exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`} before reporting a result`;
  }
  return {
    ...base, status: 'failed', backend: null, params: null, stepMs: [], loss: [], stepPeakBytes: [], stats: null, memory: null,
    error: { reason, message, stderrTail: tail },
  };
}

/** Stops a worker because the run is interrupted; its cell is not recorded. */
export function interruptWorker(child: ChildProcess): void {
  (child as ChildProcess & { interrupted?: boolean }).interrupted = true;
  child.kill('SIGKILL');
}
