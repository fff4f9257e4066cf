// The suite schema: what a suite file may say, validated with zod so that a
// wrong field is reported with its path and what was expected.
import { z } from 'zod';
import { PRECISIONS, RUN_BACKENDS, TORCH_DEVICES, type Precision, type TorchDevice } from '../backend/run-backends.ts';
import { PRESET_NAMES } from '../model/config.ts';
import { GPUS_NEED_TORCH, TORCH_DEFAULTS, torchOnlyProblems } from '../protocol/torch-settings.ts';
import { MODES } from '../train/modes.ts';

const positiveInt = z.number().int().positive();
const nonEmptyUnique = <T extends z.ZodType>(item: T) =>
  z.array(item).nonempty().refine((xs) => new Set(xs.map((x) => JSON.stringify(x))).size === xs.length, 'values must not repeat');

const ratioLimit = z.strictObject({ atMost: z.number().positive() });

export const claimSchema = z.strictObject({
  /** Shown in reports; defaults to "<a> vs <b>". */
  label: z.string().min(1).optional(),
  /** [candidate, baseline]: the claim is about candidate / baseline in each matched group. */
  compare: z.tuple([z.enum(MODES), z.enum(MODES)]).refine(([a, b]) => a !== b, 'compare two different modes'),
  memory: ratioLimit.optional(),
  time: ratioLimit.optional(),
}).refine((c) => c.memory != null || c.time != null, 'a claim needs memory or time (or both)');

export const configOverridesSchema = z.strictObject({
  latentChannels: positiveInt.optional(),
  blockChannels: z.array(positiveInt).nonempty().optional(),
  attention: z.array(z.boolean()).nonempty().optional(),
  layersPerBlock: positiveInt.optional(),
  headDim: positiveInt.optional(),
  crossDim: positiveInt.optional(),
  groups: positiveInt.optional(),
  transformerInHeads: positiveInt.optional(),
});

const suiteFields = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit'),
  description: z.string().default(''),
  backend: z.enum(RUN_BACKENDS).default('auto'),
  /** torch only: autocast precision (a GradScaler with fp16). */
  precision: z.enum(PRECISIONS).default(TORCH_DEFAULTS.precision),
  /** torch only: the dtype the frozen weights are stored in (trained weights and optimizer state stay fp32). */
  frozenWeights: z.enum(PRECISIONS).default(TORCH_DEFAULTS.frozenWeights),
  /** torch only: where the worker trains ('auto': CUDA when torch sees it). */
  device: z.enum(TORCH_DEVICES).default(TORCH_DEFAULTS.device),
  /** AdamW's learning rate (default 1e-4). */
  learningRate: z.number().positive().optional(),
  presets: nonEmptyUnique(z.enum(PRESET_NAMES)),
  /** Applied to every preset's UNetConfig. */
  config: configOverridesSchema.optional(),
  modes: nonEmptyUnique(z.enum(MODES)).default([...MODES]),
  sweep: z.strictObject({
    batch: nonEmptyUnique(positiveInt).default([1]),
    accum: nonEmptyUnique(positiveInt).default([1]),
    /** torch only: data-parallel ranks per cell on one machine (torchrun, DistributedDataParallel). */
    gpus: nonEmptyUnique(positiveInt).default([1]),
    /** Defaults to each preset's frames / size. */
    frames: nonEmptyUnique(positiveInt).optional(),
    size: nonEmptyUnique(positiveInt).optional(),
  }).default({ batch: [1], accum: [1], gpus: [1] }),
  warmup: z.number().int().nonnegative().default(1),
  steps: positiveInt.default(3),
  seed: z.number().int().nonnegative().default(0),
  /** Per cell, in seconds: a cell past it is killed and recorded as failed. */
  timeoutSeconds: z.number().positive().default(600),
  claims: z.array(claimSchema).default([]),
});

/** What only the torch worker can do, refused on a TensorFlow.js backend with the field that asked for it. */
export function backendProblems(s: { backend: string; precision?: Precision; frozenWeights?: Precision; device?: TorchDevice }): Array<{ path: Array<string | number>; message: string }> {
  return torchOnlyProblems(s.backend, s).map((p) => ({ path: [p.field], message: p.message }));
}

export const suiteSchema = suiteFields
  .superRefine((s, ctx) => {
    for (const p of backendProblems(s)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    if (s.backend !== 'torch' && s.sweep.gpus.some((g) => g !== 1)) ctx.addIssue({ code: 'custom', path: ['sweep', 'gpus'], message: GPUS_NEED_TORCH });
  });

/** What a suite file writes (defaults may be left out). */
export type SuiteDefinition = z.input<typeof suiteSchema>;
/** A validated suite, every default filled in. */
export type Suite = z.output<typeof suiteSchema>;
export type Claim = z.output<typeof claimSchema>;
export type ConfigOverrides = z.output<typeof configOverridesSchema>;
