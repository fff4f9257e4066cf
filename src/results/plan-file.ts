// plan.json beside results.jsonl (`run --plan` / `--skip-unfit`): the
// planner's prediction for each cell — peak tensor memory and its split,
// FLOPs per step, whether it fits the device — which reports show beside the
// measured figures. Read through its schema, like every file of a run.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CellConfig } from '../protocol/cell-config.ts';
import { cellConfigSchema } from './cell-result.ts';
import { readJsonFile } from './parse-file.ts';

const bytes = z.number().nonnegative();

const plannedCellSchema = z.object({
  id: z.string().min(1),
  config: cellConfigSchema,
  /** Whose memory the plan predicts (absent in plans made before the torch planner: TensorFlow.js). */
  framework: z.enum(['tensorflow.js', 'pytorch']).default('tensorflow.js'),
  /** The planner's split of the peak; the rest of the peak is activations and temporaries. */
  memory: z.object({ peakBytes: bytes, weightsBytes: bytes, optimizerBytes: bytes, gradientBytes: bytes }),
  /** FLOPs of one optimizer step. */
  flops: z.number().nonnegative(),
  fits: z.boolean(),
});

const planFileSchema = z.object({
  device: z.string(),
  cells: z.array(plannedCellSchema),
});

export type PlanFile = z.output<typeof planFileSchema>;

/** What the runner writes: the planner's cells (with whatever more they carry). */
export interface PlanFileInput {
  device: string;
  cells: Array<{ id: string; config: CellConfig; memory: PlanFile['cells'][number]['memory']; flops: number; fits: boolean }>;
}

function planJsonPath(runDir: string): string {
  return join(runDir, 'plan.json');
}

export function writePlanFile(runDir: string, plan: PlanFileInput): void {
  writeFileSync(planJsonPath(runDir), `${JSON.stringify(plan, null, 2)}\n`);
}

/** plan.json of a run folder, or null when the run was not planned. */
export function readPlanFile(runDir: string): PlanFile | null {
  const path = planJsonPath(runDir);
  if (!existsSync(path)) return null;
  return readJsonFile(planFileSchema, path, `${path}: no such plan file`);
}
