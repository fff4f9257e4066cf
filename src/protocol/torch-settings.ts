// What only the torch worker has — autocast precision, the frozen weights'
// dtype, the device, the attention implementation — with every default and
// rule defined here once: the suite schema, `plan`, the planner and the run
// message the torch worker gets all take them from this file, and the worker
// receives them resolved (it defaults nothing).
import { z } from 'zod';
import { PRECISIONS, TORCH_DEVICES, type Precision, type TorchDevice } from '../backend/run-backends.ts';
import { DEFAULT_LEARNING_RATE } from '../train/learning-rate.ts';

export const ATTENTION_CHOICES = ['auto', 'sdpa', 'explicit'] as const;
export type AttentionChoice = (typeof ATTENTION_CHOICES)[number];

export const TORCH_DEFAULTS = {
  precision: 'fp32',
  frozenWeights: 'fp32',
  device: 'auto',
  /** SDPA where torch has it (2.x), else softmax(QKᵀ/√d)V written out. */
  attention: 'auto',
  /** AdamW's, the same on both frameworks (diffusers' training scripts use 1e-4 to 1e-5). */
  learningRate: DEFAULT_LEARNING_RATE,
} as const satisfies { precision: Precision; frozenWeights: Precision; device: TorchDevice; attention: AttentionChoice; learningRate: number };

/** Frozen weights stored below float32 need autocast to compute with. The one wording of this rule. */
export function frozenWeightsProblem(precision: Precision | undefined, frozenWeights: Precision | undefined): string | null {
  const p = precision ?? TORCH_DEFAULTS.precision;
  if (frozenWeights == null || frozenWeights === 'fp32' || p !== 'fp32') return null;
  return `frozen weights in ${frozenWeights} need precision '${frozenWeights}' (autocast); with precision 'fp32' keep them fp32`;
}

/** The torch worker's settings, every one resolved. */
export const torchSettingsSchema = z.strictObject({
  precision: z.enum(PRECISIONS),
  frozenWeights: z.enum(PRECISIONS),
  device: z.enum(TORCH_DEVICES),
  attention: z.enum(ATTENTION_CHOICES),
  learningRate: z.number().positive(),
});
export type TorchSettings = z.output<typeof torchSettingsSchema>;

export function resolveTorchSettings(config: { precision?: Precision; frozenWeights?: Precision; device?: TorchDevice; learningRate?: number }): TorchSettings {
  return {
    precision: config.precision ?? TORCH_DEFAULTS.precision,
    frozenWeights: config.frozenWeights ?? TORCH_DEFAULTS.frozenWeights,
    device: config.device ?? TORCH_DEFAULTS.device,
    attention: TORCH_DEFAULTS.attention,
    learningRate: config.learningRate ?? TORCH_DEFAULTS.learningRate,
  };
}

/**
 * What only the torch worker can do, asked of another backend — or a frozen-weights rule broken
 * on torch: one problem per field, in the words every caller shows (suite files with the
 * field's path, `plan` with its flag).
 */
/** Data-parallel cells run through torchrun and DistributedDataParallel: the torch worker only. */
export const GPUS_NEED_TORCH = "more than one GPU per cell needs backend 'torch' (torchrun and DistributedDataParallel); TensorFlow.js cells train on one device";

export function torchOnlyProblems(backend: string, s: { precision?: Precision | undefined; frozenWeights?: Precision | undefined; device?: TorchDevice | undefined }): Array<{ field: 'precision' | 'frozenWeights' | 'device'; message: string }> {
  if (backend === 'torch') {
    const problem = frozenWeightsProblem(s.precision, s.frozenWeights);
    return problem ? [{ field: 'frozenWeights', message: problem }] : [];
  }
  const problems: Array<{ field: 'precision' | 'frozenWeights' | 'device'; message: string }> = [];
  for (const field of ['precision', 'frozenWeights'] as const) {
    if (s[field] != null && s[field] !== 'fp32') problems.push({ field, message: `${field} '${s[field]}' needs backend 'torch': TensorFlow.js trains in fp32` });
  }
  if (s.device != null && s.device !== 'auto') problems.push({ field: 'device', message: `device '${s.device}' needs backend 'torch': a TensorFlow.js backend picks its own device` });
  return problems;
}
