// Plans cells and returns the plans: TensorFlow.js cells in a child process
// (see plan-worker.ts: the meta backend never enters the caller's process),
// torch cells here (the PyTorch planner is plain arithmetic: a child would cost
// a Node start and TensorFlow.js's load, about 1.4 s of CPU, for nothing).
// A plan depends only on the cell and the device, so a process keeps the plans
// it made: one that runs several suites (the tests) starts no child for a cell
// it planned before.
import { fork } from 'node:child_process';
import { nodeWorkerExecArgv, runtimeFile } from '../backend/runtime-files.ts';
import { canonicalJson } from '../protocol/canonical-json.ts';
import type { Cell } from '../protocol/cell-config.ts';
import { UserError } from '../user-error.ts';
import { parseDevice } from './devices.ts';
import type { PlanReply, PlanRequest } from './plan-worker.ts';
import { Planner, type PlannedCell } from './planner.ts';

const made = new Map<string, PlannedCell>();

/** Plans `cells` for `device`, in their order: TensorFlow.js cells in a child process, torch cells in this one. */
export async function planInChild(cells: Cell[], device: string): Promise<PlannedCell[]> {
  const key = (cell: Cell) => canonicalJson({ config: cell.config, device });
  const missing = cells.filter((c) => !made.has(key(c)));
  const [torch, tfjs] = [missing.filter((c) => c.config.backend === 'torch'), missing.filter((c) => c.config.backend !== 'torch')];
  if (torch.length > 0) {
    const planner = await Planner.create();
    const target = parseDevice(device);
    for (const cell of torch) made.set(key(cell), await planner.plan(cell, target));
  }
  if (tfjs.length > 0) {
    const plans = await planInNewChild(tfjs, device);
    tfjs.forEach((cell, i) => made.set(key(cell), plans[i]!));
  }
  return cells.map((c) => structuredClone(made.get(key(c))!));
}

function planInNewChild(cells: Cell[], device: string): Promise<PlannedCell[]> {
  return new Promise((resolve, reject) => {
    const script = runtimeFile('planWorker');
    const child = fork(script, [], { execArgv: nodeWorkerExecArgv(script), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let reply: PlanReply | null = null;
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.on('message', (m: PlanReply) => {
      reply = m;
    });
    child.on('exit', (code) => {
      const r = reply as PlanReply | null;
      if (r?.type === 'plans') resolve(r.plans);
      else if (r?.type === 'error' && r.userError) reject(new UserError(r.message));
      else reject(new Error(`planning failed: ${r?.type === 'error' ? r.message : `exit ${code}: ${stderr.trim().split('\n').pop() ?? ''}`}`));
    });
    child.send({ cells, device } satisfies PlanRequest);
  });
}
