// One line of results.jsonl: a cell's result, as a union on `status` (as
// tinybench's TaskResult is on `state`): only an ok cell has timings, memory,
// backend and parameters, and has them all; only a failed one has an error.
// Measurement stays raw (per-step samples); `stats` is derived from them by
// results/stats.ts when the runner writes a line and again when a reader
// parses one, so it never disagrees with the samples.
//
// Older lines are read too (`upgradeLine`): `memory.workingBytes` is
// `memory.peakAboveStartBytes`, memory without `source` was counted by the
// tensor tracker, and `params.trainable` as {full, delta} is resolved by mode.
import { z } from 'zod';
import { BACKEND_CHOICES, type BackendInfo } from '../backend/select.ts';
import type { GpuCellReport } from '../measure/gpu-sampler.ts';
import type { CellConfig } from '../suite/expand.ts';
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

/** A TensorFlow.js backend (backend/select.ts). */
const tfjsBackendSchema = z.object({
  requested: z.enum(BACKEND_CHOICES),
  name: z.enum(['tensorflow', 'wasm', 'cpu']),
  package: z.string(),
  version: z.string(),
  gpu: z.boolean(),
  patches: z.array(z.string()),
}) satisfies z.ZodType<BackendInfo>;

/** PyTorch in the torch worker process (python/). */
const torchBackendSchema = z.object({
  requested: z.literal('torch'),
  name: z.literal('torch'),
  package: z.literal('torch'),
  version: z.string(),
  gpu: z.boolean(),
  patches: z.array(z.string()),
  device: z.enum(['cuda', 'cpu']),
  /** e.g. "NVIDIA H100 80GB HBM3", or the CPU. */
  deviceName: z.string(),
  /** CUDA and cuDNN versions torch was built with; null on a CPU build. */
  cuda: z.string().nullable(),
  cudnn: z.union([z.string(), z.number()]).nullable(),
  attention: z.enum(['sdpa', 'explicit']),
  tf32: z.boolean(),
  /** e.g. "float32", "bf16". */
  precision: z.string(),
  /** How the frozen weights are held, e.g. "float32", "bf16". */
  frozenWeights: z.string(),
  python: z.string(),
  interpreter: z.string(),
});

/** What ran a cell: a tfjs backend or torch (`name` tells which). */
export const backendSchema = z.discriminatedUnion('name', [tfjsBackendSchema, torchBackendSchema]);

/** Parameter counts of the cell's network, and how many of them train in its mode. */
export const paramsSchema = z.object({
  /** The 2D UNet. */
  spatial: count,
  /** temp_convs, temp_attentions, transformer_in. */
  temporal: count,
  /** What only the parallel net adds. */
  extra: count,
  total: count,
  trainable: count,
  frozen: count,
});
export type CellParams = z.output<typeof paramsSchema>;

/**
 * Memory an allocator counted: `tensors` (TensorFlow.js, unique buffers),
 * `cuda-allocated` (torch.cuda.max_memory_allocated), `rss` (torch on a CPU).
 */
const trackedMemorySchema = z.object({
  source: z.enum(['tensors', 'cuda-allocated', 'rss']),
  /** Alive when a measured step starts (weights, optimizer state, …). */
  startBytes: bytes,
  /** Highest during the measured steps. */
  peakBytes: bytes,
  weightsBytes: bytes,
  optimizerBytes: bytes,
  /** The gradient buffers, where the worker keeps them apart (torch). */
  gradientBytes: bytes.optional(),
  /** peakBytes − startBytes: what one step adds (activations, gradients, temporaries). */
  peakAboveStartBytes: z.number(),
  /** torch.cuda.max_memory_reserved, where there is one. */
  reservedPeakBytes: bytes.nullable().optional(),
  /** The worker process's peak resident set (VmHWM). */
  rssPeakBytes: bytes,
});

/** MOBIUS_BENCH_TRACKER=0 (measuring the harness's own overhead): no allocator figures. */
const untrackedMemorySchema = z.object({
  source: z.literal('untracked'),
  rssPeakBytes: bytes,
});

/** Old lines: memory without `source` was the tensor tracker's, `workingBytes` was peak − start. */
function upgradeMemory(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const { workingBytes, ...rest } = value;
  const upgraded: Record<string, unknown> = { source: 'tensors', ...rest };
  if (workingBytes !== undefined && upgraded['peakAboveStartBytes'] === undefined) upgraded['peakAboveStartBytes'] = workingBytes;
  return upgraded;
}

export const cellMemorySchema = z.preprocess(upgradeMemory, z.discriminatedUnion('source', [trackedMemorySchema, untrackedMemorySchema]));
export type CellMemory = z.output<typeof cellMemorySchema>;
export type TrackedMemory = z.output<typeof trackedMemorySchema>;

/** Allocator figures, or null when the worker ran without a tracker. */
export function trackedMemory(memory: CellMemory): TrackedMemory | null {
  return memory.source === 'untracked' ? null : memory;
}

/** How long the worker took to load its framework and to build the network (ms). */
export const startupSchema = z.object({ importMs: z.number().nonnegative(), buildMs: z.number().nonnegative() });

const gpuReportSchema = z.object({
  devices: z.array(z.object({ index: count, uuid: z.string(), name: z.string(), memoryTotalMiB: z.number().nullable() })),
  baselineMiB: z.number(),
  devicePeakMiB: z.number(),
  devicePeakAboveBaselineMiB: z.number(),
  processPeakMiB: z.number().nullable(),
  processMatched: z.boolean(),
  note: z.string().nullable(),
  energyJoulesPerStep: z.number().nullable(),
  timeline: z.array(z.object({ t: z.number(), deviceMiB: z.number(), processMiB: z.number().nullable(), powerW: z.number().nullable() })),
}) satisfies z.ZodType<GpuCellReport>;

export const FAILURE_REASONS = ['timeout', 'crashed', 'error', 'killed', 'interrupted'] as const;
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
  flopsPerStep: z.number().nonnegative(),
  peakFlopsPerSecond: z.number().positive().nullable(),
  mfu: z.number().nonnegative().nullable(),
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
  /** torch cells: the planner's FLOPs per step and MFU against the device's dense peak (null: unknown device). */
  efficiency: efficiencySchema.nullable().default(null),
});

const failedLineSchema = z.object({
  ...lineBase,
  status: z.literal('failed'),
  error: z.object({ reason: z.enum(FAILURE_REASONS), message: z.string(), stderrTail: z.string() }),
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

/** Clips per optimizer step: batch × accum. */
export function samplesPerStep(config: Pick<CellConfig, 'batch' | 'accum'>): number {
  return config.batch * config.accum;
}

/** A line of results.jsonl as read: validated, upgraded, its stats derived from its samples. */
export const cellResultSchema = z
  .preprocess(upgradeLine, z.discriminatedUnion('status', [okLineSchema, failedLineSchema]))
  .transform((r): CellResult => (r.status === 'ok' ? { ...r, stats: stepTimeStats(r.stepMs, samplesPerStep(r.config)) } : r));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
