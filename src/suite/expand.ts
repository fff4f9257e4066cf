// Expands a suite into its cells — presets × sweep axes × modes — each with
// a stable id (a hash of its normalised configuration) that resume,
// baselines and compare rely on; and selects cells by filter and shard.
import { createHash } from 'node:crypto';
import type { Precision, RunBackend, TorchDevice } from '../backend/run-backends.ts';
import { getPreset, latentSize, validateConfig, type PresetName, type UNetConfig } from '../model/config.ts';
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

/** JSON with object keys sorted at every depth: one text per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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

const FILTER_KEYS = ['id', 'preset', 'mode', 'batch', 'accum', 'frames', 'size'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** `mode=delta-parallel,batch=2` (AND of keys; `a|b` for alternatives) → a predicate. */
export function parseFilter(text: string): (cell: Cell) => boolean {
  const clauses: Array<[FilterKey, Set<string>]> = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq < 1 || !(FILTER_KEYS as readonly string[]).includes(key)) {
      throw new UserError(`--filter '${part}': write key=value with a key among ${FILTER_KEYS.join(', ')} (e.g. mode=delta-parallel,batch=2)`);
    }
    clauses.push([key as FilterKey, new Set(part.slice(eq + 1).split('|').map((v) => v.trim()))]);
  }
  return (cell) => clauses.every(([key, values]) => values.has(String(key === 'id' ? cell.id : cell.config[key])));
}

/** `k/n` → the k-th of n deterministic, balanced parts (round-robin over the expansion order). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard '${text}': write k/n with 1 ≤ k ≤ n (e.g. 2/4)`);
  }
  return { index, count };
}

export function shardCells(cells: Cell[], shard: { index: number; count: number }): Cell[] {
  return cells.filter((_, i) => i % shard.count === shard.index - 1);
}

/** A short human label: `small delta-parallel b2 a1 8f 128px`. */
export function cellLabel(config: CellConfig): string {
  return `${config.preset} ${config.mode} b${config.batch} a${config.accum} ${config.frames}f ${config.size}px`;
}
