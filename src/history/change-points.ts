// Where a series changed level, and from what to what. Two settings of
// E-Divisive, because the figures differ in kind:
//
// - Exact figures (allocator memory: the tensor tracker, CUDA's
//   max_memory_allocated, and ratios of them) do not move between runs of
//   the same code, so a series of unchanged code is constant, Q̂ is 0 and no
//   change point can be found in it at any significance. The permutation test
//   then only asks whether the runs at the new level are contiguous rather
//   than scattered (a value flapping between two, which would be no level
//   shift): alpha 0.05 over 199 permutations, which a new level shared by the
//   last two runs of a dozen already passes (p ≈ 2/C(12,2) ≈ 0.03); one run
//   alone is no level yet (the pull-request gate sees it exactly).
//   Exponent 1, as MongoDB's.
// - Noisy figures (step time, throughput, MFU, time ratios, RSS and
//   nvidia-smi's sampled peak) need the test to keep false alarms rare:
//   alpha 0.001 over 999 permutations (Hunter's default p as well), so that
//   on pure noise about one series in a thousand shows a change. The price
//   is patience: a 5 % step in step time (with the noise described below) at the
//   newest end of a series is found half of the time once 5 runs show it,
//   8 or 9 times in 10 once 8 do.
//   Exponent 0.5: a single slow run (a noisy neighbour) weighs less against
//   a level shift than with MongoDB's 1: on 200 series of 30 runs with
//   test/change-points.test.ts's noise (1 % Gaussian, 5 % of runs 5–25 %
//   slow), 5 % steps were found at the exact commit 186 times against 157,
//   and missed 4 times against 32.
//
// The levels are the medians of the runs between change points.
import { median } from 'simple-statistics';
import { eDivisive, type EDivisiveOptions } from './e-divisive.ts';

export const EXACT_SETTINGS: EDivisiveOptions = { alpha: 0.05, permutations: 199, minSegment: 2, exponent: 1, seed: 0 };
export const NOISY_SETTINGS: EDivisiveOptions = { alpha: 0.001, permutations: 999, minSegment: 2, exponent: 0.5, seed: 0 };

export function settingsFor(exact: boolean): EDivisiveOptions {
  return exact ? EXACT_SETTINGS : NOISY_SETTINGS;
}

export interface Level {
  /** The first and one past the last index of the runs at this level. */
  start: number;
  end: number;
  /** Their median. */
  value: number;
}

export interface Change {
  /** The first run at the new level. */
  index: number;
  before: Level;
  after: Level;
  /** after / before − 1. */
  change: number;
  pValue: number;
}

export interface Changes {
  levels: Level[];
  changes: Change[];
}

/** The change points of a series of values (in commit order) and the level of each stretch between them. */
export function findChanges(values: readonly number[], exact: boolean): Changes {
  const splits = values.length === 0 ? [] : eDivisive(values, settingsFor(exact));
  const bounds = [0, ...splits.map((s) => s.index), values.length];
  const levels: Level[] = bounds.slice(1).flatMap((end, i) => {
    const start = bounds[i]!;
    return end > start ? [{ start, end, value: median(values.slice(start, end)) }] : [];
  });
  const changes = splits.map((s, i): Change => {
    const before = levels[i]!;
    const after = levels[i + 1]!;
    return { index: s.index, before, after, change: before.value === 0 ? (after.value === 0 ? 0 : Infinity) : after.value / before.value - 1, pValue: s.pValue };
  });
  return { levels, changes };
}
