// The executor for torch cells: a Python process of its own per cell
// (`<python> -m mobius_bench_torch.worker`, the package from python/ on
// PYTHONPATH), given its run message (protocol/torch-run-message.ts) as one
// JSON line on stdin, answering with one JSON message per stdout line — the
// same messages the tfjs worker sends. A data-parallel cell (gpus > 1) runs
// under torchrun instead (`python -m mobius_bench_torch.launch`, torchrun with
// a repair for torch 1.13 on Python 3.11): one rank per GPU, the run message
// in a file they all read, the messages from rank 0 (errors from any rank) on
// the same stdout; torchrun and its ranks are one process group, killed
// together.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torchWorkerEnv } from '../backend/torch/python-locator.ts';
import { gpusOf } from '../protocol/cell-config.ts';
import type { CellExecutor } from './cell-executor.ts';
import { torchRunMessage } from '../protocol/torch-run-message.ts';
import { processExecution } from './process-execution.ts';
import { multiNodeTorchrunArgs, type NodeSpan } from './nodes.ts';

/**
 * torchrun's arguments for `gpus` ranks on this machine. Not --standalone: torch
 * 1.13's takes the fixed port 29400, so two cells at once collide. The c10d
 * rendezvous at 127.0.0.1:0 takes a free port and is reached over loopback.
 * (PyTorch's TCPStore still listens on every interface while the cell runs:
 * it binds no single address — docs/data-parallel.md, "Across machines".)
 */
export function torchrunArgs(gpus: number, rendezvousId: string): string[] {
  // Underscored spellings: torch 1.13 knows no other; 2.x accepts both.
  return ['--nnodes', '1', '--nproc_per_node', String(gpus), '--rdzv_backend', 'c10d', '--rdzv_endpoint', '127.0.0.1:0', '--rdzv_id', rendezvousId];
}

/** `module` and `env`: another worker module speaking the same protocol (the tests' faulty one). */
/** `memoryCapBytes`: --memory-cap, which the worker makes its device (out_of_memory.py). */
/** `nodes`: every cell across these machines (nodes.ts), under torchrun even at one GPU each. */
export function torchWorkerExecutor(python: string, opts: { module?: string; env?: NodeJS.ProcessEnv; name?: string; memoryCapBytes?: number | null; nodes?: NodeSpan | null } = {}): CellExecutor {
  const module = opts.module ?? 'mobius_bench_torch.worker';
  return {
    name: opts.name ?? 'torch worker',
    start(cell, onMessage) {
      const gpus = gpusOf(cell.config);
      const nodes = opts.nodes ?? null;
      if (gpus > 1 || nodes) {
        const folder = mkdtempSync(join(tmpdir(), 'mobius-ranks-'));
        const messageFile = join(folder, 'run-message.json');
        writeFileSync(messageFile, JSON.stringify(torchRunMessage(cell, { memoryCapBytes: opts.memoryCapBytes ?? null })));
        // Across machines the rendezvous id is what every node derives alike: the cell's id.
        const torchrun = nodes ? multiNodeTorchrunArgs(gpus, nodes, `mobius-${cell.id}`) : torchrunArgs(gpus, `${cell.id}-${process.pid}-${Date.now()}`);
        const args = ['-m', 'mobius_bench_torch.launch', ...torchrun, '-m', module, '--message', messageFile];
        // MOBIUS_NODE_RANK: the worker's first rank on node 0 reports (worker.py, reports()).
        const env = { ...torchWorkerEnv(opts.env), ...(nodes ? { MOBIUS_NODE_RANK: String(nodes.rank) } : {}) };
        const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
        return processExecution(child, 'stdout-json-lines', onMessage, { processGroup: true, onExit: () => rmSync(folder, { recursive: true, force: true }) });
      }
      const child = spawn(python, ['-m', module], { stdio: ['pipe', 'pipe', 'pipe'], env: torchWorkerEnv(opts.env) });
      const execution = processExecution(child, 'stdout-json-lines', onMessage);
      // A worker that dies before reading its cell: its exit says why, not an EPIPE here.
      child.stdin!.on('error', () => {});
      child.stdin!.end(`${JSON.stringify(torchRunMessage(cell, { memoryCapBytes: opts.memoryCapBytes ?? null }))}\n`);
      return execution;
    },
  };
}
