// Which executor runs a cell: a TensorFlow.js backend in the tfjs worker
// process, `torch` in the torch worker process (python/). Resolved once per
// run: finding the torch Python is a probe of its own, and a missing torch
// or CUDA must stop the run before any cell starts.
import { locateTorchPython, requireTorchDevice, type TorchEnvironment } from '../backend/torch/python-locator.ts';
import { TENSORFLOW_MISSING, tfjsNodeInstalled } from '../backend/tfjs/installed.ts';
import type { Cell } from '../protocol/cell-config.ts';
import { UserError } from '../user-error.ts';
import type { CellExecutor } from './cell-executor.ts';
import { cappedTfjsWorkerExecutor } from './tfjs-executor.ts';
import type { NodeSpan } from './nodes.ts';
import { torchWorkerExecutor } from './torch-executor.ts';

export interface ExecutorOptions {
  /** The torch worker's interpreter (default: $MOBIUS_PYTHON, else the first python3 with torch). */
  python?: string;
  /** --memory-cap: every worker's device made this small (bytes); null or absent: all of it. */
  memoryCapBytes?: number | null;
  /** --nnodes/--node-rank/--rdzv-endpoint: every torch cell across these machines. */
  nodes?: NodeSpan | null;
}


/** Once per run, before any worker: 'tensorflow' needs a tfjs-node package (each worker would fail on its own otherwise). */
function requireTfjsNode(cells: readonly Cell[]): void {
  if (!cells.some((c) => c.config.backend === 'tensorflow')) return;
  if (tfjsNodeInstalled()) return;
  throw new UserError(`${TENSORFLOW_MISSING}, or run with --backend wasm`);
}

export interface Executors {
  executorOf: (cell: Cell) => CellExecutor;
  /** What the torch worker's interpreter has (its GPU, for the fit check); null without torch cells. */
  torch: TorchEnvironment | null;
}

export async function executorsFor(cells: readonly Cell[], opts: ExecutorOptions = {}): Promise<Executors> {
  requireTfjsNode(cells);
  const torchCells = cells.filter((c) => c.config.backend === 'torch');
  if (opts.nodes && torchCells.length < cells.length) {
    const other = cells.find((c) => c.config.backend !== 'torch')!;
    throw new UserError(`--nnodes ${opts.nodes.count}: a run across machines needs backend 'torch' for every cell, and ${other.id} is on '${other.config.backend}' (run it with --backend torch)`);
  }
  const tfjs = cappedTfjsWorkerExecutor(opts.memoryCapBytes ?? null);
  if (torchCells.length === 0) return { executorOf: () => tfjs, torch: null };
  const python = await locateTorchPython(opts.python);
  for (const device of new Set(torchCells.map((c) => c.config.device ?? 'auto'))) requireTorchDevice(python, device);
  const torch = torchWorkerExecutor(python.executable, { memoryCapBytes: opts.memoryCapBytes ?? null, nodes: opts.nodes ?? null });
  return { executorOf: (cell) => (cell.config.backend === 'torch' ? torch : tfjs), torch: python.env };
}
