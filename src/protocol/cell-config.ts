// A cell: the one training configuration a worker runs, and how it is
// measured. It travels suite → runner → worker (as JSON on the torch worker's
// stdin, over IPC to the tfjs worker) → results.jsonl, and is validated by
// this one schema wherever it is read. Its id hashes everything but the step
// counts, so resume, baselines and compare find the same cell again.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PRECISIONS, RUN_BACKENDS, TORCH_DEVICES } from '../backend/run-backends.ts';
import { PRESET_NAMES } from '../model/config.ts';
import { MODES } from '../train/modes.ts';
import { canonicalJson } from './canonical-json.ts';
import { frozenWeightsProblem, GPUS_NEED_TORCH } from './torch-settings.ts';

const positiveInt = z.number().int().positive();
const count = z.number().int().nonnegative();

/** model/config.ts UNetConfig. */
export const unetConfigSchema = z.strictObject({
  latentChannels: positiveInt,
  blockChannels: z.array(positiveInt).nonempty(),
  attention: z.array(z.boolean()).nonempty(),
  layersPerBlock: positiveInt,
  headDim: positiveInt,
  crossDim: positiveInt,
  groups: positiveInt,
  transformerInHeads: positiveInt,
});

export const cellConfigSchema = z.strictObject({
  preset: z.enum(PRESET_NAMES),
  /** The preset's UNetConfig with the suite's overrides applied. */
  unet: unetConfigSchema,
  mode: z.enum(MODES),
  batch: positiveInt,
  accum: positiveInt,
  frames: positiveInt,
  /** Image size in pixels; the latent is size / 8. */
  size: positiveInt,
  textLength: positiveInt,
  seed: count,
  /** AdamW's learning rate; absent: the default (torch-settings.ts). */
  learningRate: z.number().positive().optional(),
  backend: z.enum(RUN_BACKENDS),
  /** torch cells only (absent on TensorFlow.js, which trains in fp32): autocast precision, frozen weights' dtype, device. */
  precision: z.enum(PRECISIONS).optional(),
  frozenWeights: z.enum(PRECISIONS).optional(),
  device: z.enum(TORCH_DEVICES).optional(),
  /** torch cells only: data-parallel ranks on one machine (torchrun, DistributedDataParallel); absent: 1. */
  gpus: z.number().int().min(2).optional(),
  /** How it is measured (not part of the id: more steps measure the same cell). */
  warmup: count,
  steps: positiveInt,
}).superRefine((c, ctx) => {
  const problem = frozenWeightsProblem(c.precision, c.frozenWeights);
  if (problem) ctx.addIssue({ code: 'custom', path: ['frozenWeights'], message: problem });
  if (c.gpus != null && c.backend !== 'torch') ctx.addIssue({ code: 'custom', path: ['gpus'], message: GPUS_NEED_TORCH });
});

/** Everything a worker needs to run one cell: a training configuration, and where and how to measure it. */
export type CellConfig = z.output<typeof cellConfigSchema>;

export interface Cell {
  id: string;
  config: CellConfig;
}

export function cellId(config: CellConfig): string {
  const { warmup: _w, steps: _s, ...identity } = config;
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 12);
}

/** Data-parallel ranks of a cell (1 unless it sets `gpus`). */
export function gpusOf(config: Pick<CellConfig, 'gpus'>): number {
  return config.gpus ?? 1;
}

/** A cell with the id `run` gives it. */
export function cellOf(config: CellConfig): Cell {
  return { id: cellId(config), config };
}
