// A child process that plans cells sent to it over IPC and answers with the
// plans: the runner's --plan / --skip-unfit use it, so that the runner's own
// process never switches TensorFlow.js to the meta backend.
import { parseDevice } from './devices.ts';
import { Planner, type PlannedCell } from './planner.ts';
import type { Cell } from '../protocol/cell-config.ts';
import { UserError } from '../user-error.ts';

export interface PlanRequest {
  cells: Cell[];
  device: string;
}

/** `userError`: the cell cannot be planned as given (a size the UNet cannot take, …), not a bug. */
export type PlanReply = { type: 'plans'; plans: PlannedCell[] } | { type: 'error'; message: string; userError: boolean };

process.once('message', (request: PlanRequest) => {
  (async () => {
    const planner = await Planner.create();
    const device = parseDevice(request.device);
    const plans: PlannedCell[] = [];
    for (const cell of request.cells) plans.push(await planner.plan(cell, device));
    return plans;
  })()
    .then((plans) => process.send!({ type: 'plans', plans } satisfies PlanReply, () => process.exit(0)))
    .catch((err: unknown) => process.send!({ type: 'error', message: err instanceof Error ? err.message : String(err), userError: err instanceof UserError } satisfies PlanReply, () => process.exit(1)));
});
