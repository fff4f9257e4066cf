// The executor for TensorFlow.js cells: a Node process of its own per cell
// (worker.ts: through tsx from the sources, or the fresh build's worker.mjs),
// its messages over Node's IPC channel.
// `nodeWorkerExecutor` forks any script that speaks the worker protocol —
// the tests' faulty workers use it.
import { fork } from 'node:child_process';
import { nodeWorkerExecArgv, runtimeFile } from '../backend/runtime-files.ts';
import type { CellExecutor } from './cell-executor.ts';
import type { RunCellMessage } from '../protocol/worker-messages.ts';
import { processExecution } from './process-execution.ts';


/** `memoryCapBytes`: --memory-cap, enforced by the worker's tensor tracker. */
export function nodeWorkerExecutor(script: string, name: string, env: NodeJS.ProcessEnv = process.env, memoryCapBytes: number | null = null): CellExecutor {
  return {
    name,
    start(cell, onMessage) {
      const child = fork(script, [], { execArgv: nodeWorkerExecArgv(script), stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env });
      const execution = processExecution(child, 'ipc', onMessage);
      child.send({ type: 'run', id: cell.id, config: cell.config, memoryCapBytes } satisfies RunCellMessage, () => {
        // A worker that died before reading its cell: its exit says why.
      });
      return execution;
    },
  };
}

export const tfjsWorkerExecutor: CellExecutor = nodeWorkerExecutor(runtimeFile('tfjsWorker'), 'tfjs worker');

export function cappedTfjsWorkerExecutor(memoryCapBytes: number | null): CellExecutor {
  return memoryCapBytes === null ? tfjsWorkerExecutor : nodeWorkerExecutor(runtimeFile('tfjsWorker'), 'tfjs worker', process.env, memoryCapBytes);
}
