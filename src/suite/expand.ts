// Expands a suite into its cells — presets × sweep axes × modes — each with
// its stable id (protocol/cell-config.ts). Selecting among them is select.ts.
import { GPUS_NEED_TORCH } from '../protocol/torch-settings.ts';
import type { RunBackend, TorchDevice } from '../backend/run-backends.ts';
import { getPreset, latentSize, validateConfig, type UNetConfig } from '../model/config.ts';
import { cellId, type Cell, type CellConfig } from '../protocol/cell-config.ts';
import { UserError } from '../user-error.ts';
import { backendProblems, type Suite } from './schema.ts';

export function expandSuite(suite: Suite, overrides: { backend?: RunBackend; steps?: number; warmup?: number; device?: TorchDevice } = {}): Cell[] {
  const backend = overrides.backend ?? suite.backend;
  if (overrides.device !== undefined && overrides.device !== 'cpu' && backend !== 'torch') {
    throw new UserError(`--device ${overrides.device}: suite ${suite.name} runs on backend '${backend}', which runs on the CPU; the device applies to torch cells (add --backend torch)`);
  }
  const refused = backendProblems({ ...suite, backend });
  if (refused.length > 0) {
    throw new UserError(`suite ${suite.name} on backend '${backend}': ${refused.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);
  }
  const torch = backend === 'torch' ? { precision: suite.precision, frozenWeights: suite.frozenWeights, device: overrides.device ?? suite.device } : {};
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
        for (const gpus of suite.sweep.gpus) {
          if (gpus > 1 && backend !== 'torch') throw new UserError(`suite ${suite.name} on backend '${backend}': ${GPUS_NEED_TORCH}`);
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
                  ...(gpus > 1 ? { gpus } : {}),
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
  }
  return cells;
}
