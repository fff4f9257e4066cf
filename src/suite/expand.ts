// Expands a suite into its cells — presets × sweep axes × modes — each with
// a stable id (a hash of its normalised configuration) that resume,
// baselines and compare rely on. Selecting among them is select.ts.
import { createHash } from 'node:crypto';
import type { Precision, RunBackend, TorchDevice } from '../backend/run-backends.ts';
import { getPreset, latentSize, validateConfig, type PresetName, type UNetConfig } from '../model/config.ts';
import { canonicalJson } from '../results/canonical-json.ts';
import type { TrainerOptions } from '../train/trainer.ts';
import { UserError } from '../user-error.ts';
import { backendProblems, type Suite } from './schema.ts';

/** Everything a worker needs to run one cell: a training configuration, and where and how to measure it. */
export interface CellConfig extends Pick<TrainerOptions, 'mode' | 'batch' | 'accum' | 'frames' | 'size' | 'textLength' | 'seed' | 'learningRate'> {
  preset: PresetName;
  /** The preset's UNetConfig with the suite's overrides applied. */
  unet: UNetConfig;
  backend: RunBackend;
  /** torch cells only (absent on TensorFlow.js, which trains in fp32): autocast precision, frozen weights' dtype, device. */
  precision?: Precision;
  frozenWeights?: Precision;
  device?: TorchDevice;
  /** How it is measured (not part of the id: more steps measure the same cell). */
  warmup: number;
  steps: number;
}

export interface Cell {
  id: string;
  config: CellConfig;
}

export function cellId(config: CellConfig): string {
  const { warmup: _w, steps: _s, ...identity } = config;
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 12);
}

export function expandSuite(suite: Suite, overrides: { backend?: RunBackend; steps?: number; warmup?: number } = {}): Cell[] {
  const backend = overrides.backend ?? suite.backend;
  const refused = backendProblems({ ...suite, backend });
  if (refused.length > 0) {
    throw new UserError(`suite ${suite.name} on backend '${backend}': ${refused.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);
  }
  const torch = backend === 'torch' ? { precision: suite.precision, frozenWeights: suite.frozenWeights, device: suite.device } : {};
  const cells: Cell[] = [];
  for (const presetName of suite.presets) {
    const preset = getPreset(presetName);
    const unet: UNetConfig = { ...preset.config, ...suite.config };
    try {
      validateConfig(unet);
    } catch (err) {
      throw new UserError(`suite ${suite.name}, preset ${presetName}: ${(err as Error).message}`);
    }
    for (const batch of suite.sweep.batch) {
      for (const accum of suite.sweep.accum) {
        for (const frames of suite.sweep.frames ?? [preset.defaults.frames]) {
          for (const size of suite.sweep.size ?? [preset.defaults.size]) {
            try {
              latentSize(unet, size);
            } catch (err) {
              throw new UserError(`suite ${suite.name}, preset ${presetName}: ${(err as Error).message}`);
            }
            for (const mode of suite.modes) {
              const config: CellConfig = {
                preset: presetName, unet, mode, batch, accum, frames, size,
                textLength: preset.defaults.textLength,
                seed: suite.seed,
                ...(suite.learningRate != null ? { learningRate: suite.learningRate } : {}),
                backend,
                ...torch,
                warmup: overrides.warmup ?? suite.warmup,
                steps: overrides.steps ?? suite.steps,
              };
              cells.push({ id: cellId(config), config });
            }
          }
        }
      }
    }
  }
  return cells;
}

/** A short human label: `small delta-parallel b2 a1 8f 128px`. */
export function cellLabel(config: CellConfig): string {
  return `${config.preset} ${config.mode} b${config.batch} a${config.accum} ${config.frames}f ${config.size}px`;
}
