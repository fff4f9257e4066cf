// The seam between the runner and whatever runs one cell (as hyperfine's
// Executor: raw, shell, mock). An executor starts a cell and hands back a
// CellExecution: the worker's message stream, its exit, a way to kill it.
// Everything else — the timeout, the kill, the output tail, an interrupt,
// the GPU sampler, validating the messages and turning what happened into a
// CellResult — is run-cell.ts's, once for every executor. Executors: the tfjs
// worker process (tfjs-executor.ts), the torch worker process, fakes in test/.
import type { Cell } from '../protocol/cell-config.ts';

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the worker could not be started at all (e.g. the interpreter is missing). */
  startError?: string;
}

export interface CellExecution {
  /** The worker process's pid: the GPU sampler matches nvidia-smi's per-process rows to it. */
  readonly pid: number | undefined;
  /** Resolves once the worker has exited and its messages have all been delivered. */
  readonly exited: Promise<WorkerExit>;
  /** Ends the worker now (SIGKILL for a process); `exited` resolves after. */
  kill(): void;
  /** The last few kB of what the worker printed (stderr, and stdout that is not a message). */
  outputTail(): string;
}

export interface CellExecutor {
  /** For messages: 'tfjs worker', 'torch worker', … */
  readonly name: string;
  /** Starts the cell; `onMessage` gets every message the worker sends, as sent (run-cell.ts validates them), in order. */
  start(cell: Cell, onMessage: (message: unknown) => void): CellExecution;
}
