// Statistics on a cell's per-step samples (stepMs): median, p95, MAD, the
// step-time summary every reader of a result uses, and a seeded bootstrap
// 95 % interval for the ratio of two cells' median step times. The one place
// statistics are computed: workers send raw samples, reports and gates read
// these summaries. The formulas are simple-statistics' (R-7 quantiles, as
// numpy's default), not our own.
import { max, mean, median, medianAbsoluteDeviation, min, quantileSorted, sampleStandardDeviation } from 'simple-statistics';

export interface SampleSummary {
  n: number;
  median: number;
  /** 95th percentile, linear interpolation. */
  p95: number;
  min: number;
  max: number;
  /** Median absolute deviation from the median (unscaled). */
  mad: number;
}

/** Summary of a non-empty sample; null for an empty one (a failed cell). */
export function summarize(samples: readonly number[]): SampleSummary | null {
  if (samples.length === 0) return null;
  const xs = [...samples];
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: xs.length,
    median: median(xs),
    p95: quantileSorted(sorted, 0.95),
    min: min(xs),
    max: max(xs),
    mad: medianAbsoluteDeviation(xs),
  };
}

/** The step-time summary of an ok cell (results.jsonl's `stats`), in ms. */
export interface StepTimeStats {
  medianMs: number;
  /** 95th percentile, linear interpolation. */
  p95Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  /** Sample standard deviation (n − 1); 0 for one step. */
  sdMs: number;
  /** Median absolute deviation from the median (unscaled). */
  madMs: number;
  /** Training samples per second: samplesPerStep (batch × accum) / median step time. */
  samplesPerSecond: number;
}

/** The summary of a cell's measured steps; `samplesPerStep` is batch × accum. */
export function stepTimeStats(stepMs: readonly number[], samplesPerStep: number): StepTimeStats {
  const s = summarize(stepMs);
  if (!s) throw new RangeError('stepTimeStats: no measured steps');
  const xs = [...stepMs];
  return {
    medianMs: s.median,
    p95Ms: s.p95,
    minMs: s.min,
    maxMs: s.max,
    meanMs: mean(xs),
    sdMs: xs.length > 1 ? sampleStandardDeviation(xs) : 0,
    madMs: s.mad,
    samplesPerSecond: (samplesPerStep * 1000) / s.median,
  };
}

/**
 * A seeded uniform generator on [0, 1) (mulberry32): simple-statistics takes
 * a random source but ships none, and Math.random cannot be seeded.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RatioInterval {
  /** median(a) / median(b) of the samples as measured. */
  ratio: number;
  /** Percentile bootstrap bounds at `level`. */
  low: number;
  high: number;
  level: number;
  resamples: number;
  seed: number;
  /** Sample sizes; with a handful of steps the interval is coarse (few distinct resampled medians). */
  nA: number;
  nB: number;
}

export interface BootstrapOptions {
  /** Default 10 000. */
  resamples?: number;
  /** Default 0: the same samples always give the same interval. */
  seed?: number;
  /** Default 0.95. */
  level?: number;
}

/**
 * The median of one draw with replacement from `xs`: the draws of
 * simple-statistics' sampleWithReplacement (the same `rng` calls, in order)
 * and its median (quantileSorted at 0.5 of the sorted draw), in a reused
 * typed array: 10 000 resamples made and sorted two arrays each before.
 */
function resampledMedian(xs: readonly number[], draw: Float64Array, rng: () => number): number {
  const n = draw.length;
  // Insertion sort as the values are drawn: a cell has tens of steps, where it beats a sort call.
  for (let i = 0; i < n; i++) {
    const value = xs[Math.floor(rng() * xs.length)]!;
    let j = i;
    for (; j > 0 && draw[j - 1]! > value; j--) draw[j] = draw[j - 1]!;
    draw[j] = value;
  }
  const mid = n >> 1;
  // quantileSorted(draw, 0.5): the middle value, or the mean of the middle two.
  return n % 2 === 1 ? draw[mid]! : (draw[mid - 1]! + draw[mid]!) / 2;
}

/**
 * Percentile-bootstrap interval for median(a) / median(b): each resample
 * draws a and b with replacement (independently, each at its own size) and
 * takes the ratio of their medians. Null when either sample is empty.
 */
export function bootstrapMedianRatio(a: readonly number[], b: readonly number[], opts: BootstrapOptions = {}): RatioInterval | null {
  if (a.length === 0 || b.length === 0) return null;
  const resamples = opts.resamples ?? 10_000;
  const seed = opts.seed ?? 0;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const xs = [...a];
  const ys = [...b];
  const rng = seededRandom(seed);
  const drawA = new Float64Array(xs.length);
  const drawB = new Float64Array(ys.length);
  const ratios = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) {
    ratios[i] = resampledMedian(xs, drawA, rng) / resampledMedian(ys, drawB, rng);
  }
  ratios.sort();
  const sorted = Array.from(ratios);
  const tail = (1 - level) / 2;
  return {
    ratio: median(xs) / median(ys),
    low: quantileSorted(sorted, tail),
    high: quantileSorted(sorted, 1 - tail),
    level,
    resamples,
    seed,
    nA: xs.length,
    nB: ys.length,
  };
}
