// One line of results.jsonl: a cell's result, as a union on `status` (as
// tinybench's TaskResult is on `state`): only an ok cell has timings, memory,
// backend and parameters, and has them all; only a failed one has an error.
// Measurement stays raw (per-step samples); `stats` is derived from them by
// results/stats.ts when the runner writes a line and again when a reader
// parses one, so it never disagrees with the samples.
//
// Older lines are read too (`upgradeLine`, and protocol/worker-outcome.ts for
// memory): `params.trainable` as {full, delta} is resolved by mode. What a
// worker sends (backend, params, memory, start-up) is defined in protocol/.
import { z } from 'zod';
import type { GpuCellReport } from '../measure/gpu-sampler.ts';
import type { CellConfig } from '../protocol/cell-config.ts';
import { backendSchema, cellMemorySchema, distributedSchema, paramsSchema, startupSchema } from '../protocol/worker-outcome.ts';
import { outOfMemorySchema } from '../protocol/out-of-memory.ts';
import { MODES } from '../train/modes.ts';
import { versionMismatch } from './parse-file.ts';
import { stepTimeStats, type StepTimeStats } from './stats.ts';

export const RESULT_SCHEMA = 1 as const;

const count = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();
const bytes = z.number().nonnegative();

/**
 * The cell's configuration as the run wrote it: the fields reports, gates
 * and merges read are checked; every other field is kept as written (a
 * later version's fields may be missing from an older file).
 */
export const cellConfigSchema = z.looseObject({
  preset: z.string(),
  unet: z.looseObject({}),
  mode: z.enum(MODES),
  batch: positiveInt,
  accum: positiveInt,
  frames: positiveInt,
  size: positiveInt,
  textLength: positiveInt,
  seed: count,
  backend: z.string(),
  warmup: count,
  steps: positiveInt,
}).transform((c) => c as unknown as CellConfig);

const gpuReportSchema = z.object({
  devices: z.array(z.object({ index: count, uuid: z.string(), name: z.string(), memoryTotalMiB: z.number().nullable() })),
  baselineMiB: z.number(),
  devicePeakMiB: z.number(),
  devicePeakAboveBaselineMiB: z.number(),
  processPeakMiB: z.number().nullable(),
  processMatched: z.boolean(),
  ranks: z.array(z.object({ pid: z.number().int(), gpuUuid: z.string().nullable(), peakMiB: z.number().nullable() })).optional(),
  note: z.string().nullable(),
  energyJoulesPerStep: z.number().nullable(),
  timeline: z.array(z.object({ t: z.number(), deviceMiB: z.number(), processMiB: z.number().nullable(), powerW: z.number().nullable() })),
}) satisfies z.ZodType<GpuCellReport>;

/** Why a cell has no measurement; 'oom': it ran out of memory — it does not fit (an answer, not a fault). */
export const FAILURE_REASONS = ['timeout', 'crashed', 'error', 'killed', 'interrupted', 'oom'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

const lineBase = {
  schema: z.literal(RESULT_SCHEMA, { error: versionMismatch('result schema', RESULT_SCHEMA) }),
  id: z.string().min(1),
  label: z.string(),
  config: cellConfigSchema,
  /** The run's environment is in run.json beside results.jsonl. */
  env: z.literal('run.json'),
  startedAt: z.string(),
  endedAt: z.string(),
  /** nvidia-smi's figures for the cell, or null without nvidia-smi. */
  gpu: gpuReportSchema.nullable(),
};

const efficiencySchema = z.object({
  /** Model FLOPs: the matrix products of forward and backward (lines before 2026-12: every kernel TensorFlow.js counted). */
  flopsPerStep: z.number().nonnegative(),
  peakFlopsPerSecond: z.number().positive().nullable(),
  mfu: z.number().nonnegative().nullable(),
  /** Hardware FLOPs: the model's plus the checkpointed modes' recomputed forward (absent in older lines). */
  hardwareFlopsPerStep: z.number().nonnegative().optional(),
  hfu: z.number().nonnegative().nullable().optional(),
});
export type Efficiency = z.output<typeof efficiencySchema>;

const okLineSchema = z.object({
  ...lineBase,
  status: z.literal('ok'),
  backend: backendSchema,
  params: paramsSchema,
  /** Wall time of each measured step, in order (ms). */
  stepMs: z.array(z.number().nonnegative()).nonempty(),
  /** Loss of each measured step, in order; null where it was not finite (a diverged step: JSON has no NaN). */
  loss: z.array(z.number().nullable()),
  /** Allocator peak during each measured step (bytes; empty when untracked). */
  stepPeakBytes: z.array(bytes),
  /** Derived from stepMs on every parse; what a line holds here is not read. */
  stats: z.unknown().optional(),
  memory: cellMemorySchema,
  startup: startupSchema.nullable().default(null),
  /** torch cells: the planner's FLOPs per step, MFU (model FLOPs) and HFU (with recompute) against the device's dense peak (null: unknown device). */
  efficiency: efficiencySchema.nullable().default(null),
  /** Data-parallel cells: the process group, DDP's settings and buckets, every rank's figures. */
  distributed: distributedSchema.optional(),
});

const failedLineSchema = z.object({
  ...lineBase,
  status: z.literal('failed'),
  error: z.object({
    reason: z.enum(FAILURE_REASONS),
    message: z.string(),
    stderrTail: z.string(),
    /** reason 'oom': what the worker held and asked for when it ran out. */
    oom: outOfMemorySchema.optional(),
  }),
});

/** Old lines: `params.trainable` as {full, delta} becomes the count of the cell's mode. */
function upgradeLine(value: unknown): unknown {
  if (!isRecord(value) || !isRecord(value['params']) || !isRecord(value['params']['trainable'])) return value;
  const params = value['params'];
  const split = params['trainable'] as Record<string, unknown>;
  const config = isRecord(value['config']) ? value['config'] : {};
  const trainable = config['mode'] === 'full' ? split['full'] : split['delta'];
  const total = params['total'];
  const frozen = typeof trainable === 'number' && typeof total === 'number' ? total - trainable : undefined;
  return { ...value, params: { ...params, trainable, frozen } };
}

export type OkCell = Omit<z.output<typeof okLineSchema>, 'stats'> & { stats: StepTimeStats };
export type FailedCell = z.output<typeof failedLineSchema>;
export type CellResult = OkCell | FailedCell;

/** Clips per optimizer step, over every rank: gpus × batch × accum. */
export function samplesPerStep(config: Pick<CellConfig, 'batch' | 'accum' | 'gpus'>, worldSize?: number): number {
  // Every rank's batch: `gpus` on one machine, the measured world size across several (--nnodes).
  return (worldSize ?? config.gpus ?? 1) * config.batch * config.accum;
}

/** A line of results.jsonl as read: validated, upgraded, its stats derived from its samples. */
export const cellResultSchema = z
  .preprocess(upgradeLine, z.discriminatedUnion('status', [okLineSchema, failedLineSchema]))
  .transform((r): CellResult => (r.status === 'ok' ? { ...r, stats: stepTimeStats(r.stepMs, samplesPerStep(r.config, r.distributed?.worldSize)) } : r));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
