// The executor for torch cells: a Python process of its own per cell
// (`<python> -m mobius_bench_torch.worker`, the package from python/ on
// PYTHONPATH), given its cell as one JSON line on stdin, answering with one
// JSON message per stdout line — the same messages the tfjs worker sends.
import { spawn } from 'node:child_process';
import { torchWorkerEnv } from '../backend/torch-python.ts';
import type { CellExecutor } from './cell-executor.ts';
import type { RunCellMessage } from './messages.ts';
import { processExecution } from './process-execution.ts';

export function torchWorkerExecutor(python: string): CellExecutor {
  return {
    name: 'torch worker',
    start(cell, onMessage) {
      const child = spawn(python, ['-m', 'mobius_bench_torch.worker'], { stdio: ['pipe', 'pipe', 'pipe'], env: torchWorkerEnv() });
      const execution = processExecution(child, 'stdout-json-lines', onMessage);
      // A worker that dies before reading its cell: its exit says why, not an EPIPE here.
      child.stdin!.on('error', () => {});
      child.stdin!.end(`${JSON.stringify({ type: 'run', id: cell.id, config: cell.config } satisfies RunCellMessage)}\n`);
      return execution;
    },
  };
}
