// What a worker measured and sends in its `done` message, part by part: the
// backend that ran, the parameter counts, the memory its allocator counted,
// its start-up. results.jsonl keeps these as sent (results/cell-result.ts).
//
// Older result lines are read too: memory without `source` was counted by the
// tensor tracker, and `workingBytes` is `peakAboveStartBytes`.
import { z } from 'zod';
import { BACKEND_CHOICES, type BackendInfo } from '../backend/run-backends.ts';

const count = z.number().int().nonnegative();
const bytes = z.number().nonnegative();

/** A TensorFlow.js backend (backend/tfjs/select.ts). */
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
  /** Autocast precision as sent: "fp32", "bf16" or "fp16". */
  precision: z.string(),
  /** The dtype the frozen weights are stored in: "fp32", "bf16" or "fp16". */
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

/** A data-parallel cell (torchrun, DistributedDataParallel): how it ran and every rank's own figures (python/mobius_bench_torch/distributed.py). */
export const distributedSchema = z.object({
  worldSize: z.number().int().min(2),
  /** The machines the ranks ran on (torchrun's nodes): 1 unless run with --nnodes. */
  nodes: z.number().int().min(1),
  /** 'nccl' on CUDA, 'gloo' on the CPU. */
  processGroup: z.string(),
  /** The DistributedDataParallel settings (accelerate's defaults). */
  ddp: z.object({ bucketCapMb: z.number(), findUnusedParameters: z.boolean(), broadcastBuffers: z.boolean(), gradientAsBucketView: z.boolean() }),
  /** The bytes of each gradient bucket DDP built (its logging data); null where torch does not say. */
  bucketSizes: z.array(count).nullable(),
  ranks: z.array(z.object({
    rank: count,
    /** torchrun's number for the rank's machine (machines are numbered in the order they joined) and the machine's name. */
    node: count,
    host: z.string(),
    pid: z.number().int().positive(),
    deviceName: z.string(),
    stepMs: z.array(z.number().nonnegative()),
    stepPeakBytes: z.array(bytes),
    memory: cellMemorySchema,
  })),
});
export type DistributedRun = z.output<typeof distributedSchema>;

/** How long the worker took to load its framework and to build the network (ms). */
export const startupSchema = z.object({ importMs: z.number().nonnegative(), buildMs: z.number().nonnegative() });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
