// The one message the torch worker reads on its stdin: the cell, and
// everything the worker would otherwise have to derive or default — the torch
// settings resolved, the mode's network and trained groups, the UNet layout the
// network is built from, the parameter-group rules. Python validates it with
// code generated from this schema's JSON Schema (tools/export-protocol.ts) and
// defaults nothing: a rule lives here, not in two languages.
import { z } from 'zod';
import { unetLayout } from '../model/layout.ts';
import { MODE_SPECS } from '../train/modes.ts';
import { cellConfigSchema, type Cell } from './cell-config.ts';
import { PARAM_GROUP_RULES, paramGroupRulesSchema } from './param-groups.ts';
import { resolveTorchSettings, torchSettingsSchema } from './torch-settings.ts';

const count = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();

/** model/layout.ts LayerStep: one SC → TC → SA → TA layer and the diffusers modules it uses. */
const layerStepSchema = z.strictObject({
  kind: z.literal('layer'),
  name: z.string(),
  block: z.enum(['down', 'mid', 'up']),
  level: count,
  index: count,
  inCh: positiveInt,
  skipCh: count,
  outCh: positiveInt,
  attention: z.boolean(),
  skip: z.enum(['push', 'pop', 'none']),
});

/** model/layout.ts ResampleStep: a frozen down- or upsampler between levels. */
const resampleStepSchema = z.strictObject({
  kind: z.enum(['down', 'up']),
  name: z.string(),
  level: count,
  channels: positiveInt,
});

/** train/modes.ts ModeSpec, as the worker needs it. */
const modeSpecSchema = z.strictObject({
  network: z.enum(['serial', 'parallel']),
  trainable: z.array(z.enum(['spatial', 'temporal', 'extra'])).nonempty(),
  checkpointed: z.boolean(),
});

export const torchRunMessageSchema = z.strictObject({
  type: z.literal('run'),
  id: z.string().min(1),
  config: cellConfigSchema,
  torch: torchSettingsSchema,
  mode: modeSpecSchema,
  layout: z.array(z.union([layerStepSchema, resampleStepSchema])).nonempty(),
  paramGroups: paramGroupRulesSchema,
  /** --memory-cap: the worker makes its device this small (python/mobius_bench_torch/out_of_memory.py); null: all of it. */
  memoryCapBytes: positiveInt.nullable(),
});
export type TorchRunMessage = z.output<typeof torchRunMessageSchema>;

export function torchRunMessage(cell: Cell, opts: { memoryCapBytes?: number | null } = {}): TorchRunMessage {
  const spec = MODE_SPECS[cell.config.mode];
  return torchRunMessageSchema.parse({
    type: 'run',
    id: cell.id,
    config: cell.config,
    torch: resolveTorchSettings(cell.config),
    mode: { network: spec.network, trainable: spec.trainable, checkpointed: spec.checkpointed },
    layout: unetLayout(cell.config.unet),
    paramGroups: PARAM_GROUP_RULES,
    memoryCapBytes: opts.memoryCapBytes ?? null,
  });
}
