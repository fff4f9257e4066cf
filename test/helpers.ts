// Shared set-up for the tests: small training configurations and value snapshots.
import { tf } from '../src/backend/tfjs/tf.ts';
import { PRESETS } from '../src/model/config.ts';
import type { Mode } from '../src/train/modes.ts';
import type { TrainerOptions } from '../src/train/trainer.ts';

/** The tiny preset at a small shape: 2 frames of 32 px (4×4 latents). */
export function tinyOptions(mode: Mode, overrides: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    config: PRESETS.tiny.config,
    mode,
    batch: 1,
    accum: 1,
    frames: 2,
    size: 32,
    textLength: 8,
    seed: 7,
    ...overrides,
  };
}

export function snapshot(tensors: Record<string, tf.Tensor> | tf.Tensor[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [k, t] of Object.entries(tensors)) out.set(k, Float32Array.from(t.dataSync() as Float32Array));
  return out;
}

/** ‖a − b‖ / ‖b‖ over all entries of two equally shaped sets. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
}
