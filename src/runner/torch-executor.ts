// The executor for torch cells: a Python process of its own per cell
// (`<python> -m mobius_bench_torch.worker`, the package from python/ on
// PYTHONPATH), given its run message (protocol/torch-run-message.ts) as one
// JSON line on stdin, answering with one JSON message per stdout line — the
// same messages the tfjs worker sends.
import { spawn } from 'node:child_process';
import { torchWorkerEnv } from '../backend/torch/python-locator.ts';
import type { CellExecutor } from './cell-executor.ts';
import { torchRunMessage } from '../protocol/torch-run-message.ts';
import { processExecution } from './process-execution.ts';

/** `module` and `env`: another worker module speaking the same protocol (the tests' faulty one). */
/** `memoryCapBytes`: --memory-cap, which the worker makes its device (out_of_memory.py). */
export function torchWorkerExecutor(python: string, opts: { module?: string; env?: NodeJS.ProcessEnv; name?: string; memoryCapBytes?: number | null } = {}): CellExecutor {
  const module = opts.module ?? 'mobius_bench_torch.worker';
  return {
    name: opts.name ?? 'torch worker',
    start(cell, onMessage) {
      const child = spawn(python, ['-m', module], { stdio: ['pipe', 'pipe', 'pipe'], env: torchWorkerEnv(opts.env) });
      const execution = processExecution(child, 'stdout-json-lines', onMessage);
      // A worker that dies before reading its cell: its exit says why, not an EPIPE here.
      child.stdin!.on('error', () => {});
      child.stdin!.end(`${JSON.stringify(torchRunMessage(cell, { memoryCapBytes: opts.memoryCapBytes ?? null }))}\n`);
      return execution;
    },
  };
}
