// The statistics module: summaries of per-step samples against known values,
// and the bootstrap interval of a median ratio (reproducible, sensible bounds).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, quantileSorted, sampleWithReplacement } from 'simple-statistics';
import { bootstrapMedianRatio, seededRandom, stepTimeStats, summarize } from '../src/results/stats.ts';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('summarize: median, R-7 p95, min, max and MAD of known samples; null when empty', () => {
  const s = summarize([9, 1, 2, 2, 4, 6, 1])!;
  assert.equal(s.n, 7);
  assert.equal(s.median, 2);
  assert.equal(s.min, 1);
  assert.equal(s.max, 9);
  assert.equal(s.mad, 1); // |x − 2| = 7,1,0,0,2,4,1 → median 1
  close(s.p95, 8.1); // sorted 1,1,2,2,4,6,9: position 6·0.95 = 5.7 → 6 + 0.7·(9 − 6)
  const even = summarize([4, 1, 3, 2])!;
  assert.equal(even.median, 2.5);
  close(summarize(Array.from({ length: 20 }, (_, i) => i + 1))!.p95, 19.05);
  assert.equal(summarize([]), null);
});

test('summarize does not reorder the samples it is given', () => {
  const xs = [3, 1, 2];
  summarize(xs);
  assert.deepEqual(xs, [3, 1, 2]);
});

test('seededRandom is deterministic per seed and stays in [0, 1)', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => b()));
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => c()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});

test('bootstrap interval: the same samples and seed give the same interval; another seed may not', () => {
  const a = [101, 97, 110, 95, 103, 99, 120, 98];
  const b = [130, 128, 141, 125, 133, 129, 150, 127];
  const one = bootstrapMedianRatio(a, b, { seed: 7 })!;
  assert.deepEqual(bootstrapMedianRatio(a, b, { seed: 7 }), one);
  const other = bootstrapMedianRatio(a, b, { seed: 8 })!;
  assert.equal(other.ratio, one.ratio);
  assert.notDeepEqual([other.low, other.high], [one.low, one.high]);
  assert.equal(one.resamples, 10_000);
  assert.equal(one.level, 0.95);
});

test('bootstrap interval: the resamples of simple-statistics, drawn in the same order (odd and even sizes, ties)', () => {
  // What the interval is defined as: sampleWithReplacement and median per resample, R-7 quantiles of the ratios.
  const reference = (a: number[], b: number[], seed: number, resamples: number) => {
    const rng = seededRandom(seed);
    const ratios = Array.from({ length: resamples }, () => median(sampleWithReplacement(a, a.length, rng)) / median(sampleWithReplacement(b, b.length, rng)));
    ratios.sort((x, y) => x - y);
    return [quantileSorted(ratios, 0.025), quantileSorted(ratios, 0.975)];
  };
  const rng = seededRandom(3);
  for (const [n, m] of [[7, 8], [10, 10], [3, 1], [12, 5]] as const) {
    const a = Array.from({ length: n }, () => Math.round(100 + 20 * rng()));
    const b = Array.from({ length: m }, () => 90 + 30 * rng());
    for (const seed of [0, 11]) {
      const r = bootstrapMedianRatio(a, b, { seed, resamples: 2000 })!;
      assert.deepEqual([r.low, r.high], reference(a, b, seed, 2000), `sizes ${n} and ${m}, seed ${seed}`);
    }
  }
});

test('bootstrap interval: contains the measured ratio, lies within the possible ratios, excludes 1 for clearly separated samples', () => {
  const a = [101, 97, 110, 95, 103, 99, 120, 98];
  const b = [130, 128, 141, 125, 133, 129, 150, 127];
  const r = bootstrapMedianRatio(a, b)!;
  close(r.ratio, 100 / 129.5);
  assert.ok(r.low <= r.ratio && r.ratio <= r.high, JSON.stringify(r));
  assert.ok(r.low >= Math.min(...a) / Math.max(...b) && r.high <= Math.max(...a) / Math.min(...b));
  assert.ok(r.high < 1, `a is faster than b in every step: ${r.high}`);
  assert.ok(r.high - r.low > 0.01, 'samples that vary give an interval, not a point');
});

test('bootstrap interval: constant samples give a point; overlapping samples include 1; empty gives null', () => {
  const point = bootstrapMedianRatio([50, 50, 50], [100, 100])!;
  assert.deepEqual([point.ratio, point.low, point.high], [0.5, 0.5, 0.5]);
  const same = bootstrapMedianRatio([10, 12, 11, 9, 13], [11, 10, 12, 13, 9])!;
  assert.ok(same.low < 1 && same.high > 1, JSON.stringify(same));
  assert.equal(bootstrapMedianRatio([], [1]), null);
  assert.equal(bootstrapMedianRatio([1], []), null);
  assert.throws(() => bootstrapMedianRatio([1], [1], { level: 1 }), RangeError);
});

test('bootstrap interval covers the true ratio of medians about 95 % of the time', () => {
  // Two log-normal-ish step-time populations with a known ratio of medians (0.8), 30 steps each.
  const rng = seededRandom(1);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  let covered = 0;
  const trials = 100;
  for (let t = 0; t < trials; t++) {
    const a = Array.from({ length: 30 }, () => 80 * Math.exp(0.1 * normal()));
    const b = Array.from({ length: 30 }, () => 100 * Math.exp(0.1 * normal()));
    const r = bootstrapMedianRatio(a, b, { resamples: 2000, seed: t })!;
    if (r.low <= 0.8 && 0.8 <= r.high) covered++;
  }
  assert.ok(covered >= 85 && covered <= 100, `covered ${covered} of ${trials}`);
});

test('stepTimeStats: the summary every reader of a result uses, from the samples alone', () => {
  const s = stepTimeStats([120, 100, 110, 130], 4);
  assert.equal(s.medianMs, 115);
  assert.equal(s.minMs, 100);
  assert.equal(s.maxMs, 130);
  assert.equal(s.meanMs, 115);
  close(s.sdMs, Math.sqrt(500 / 3));
  assert.equal(s.madMs, 10);
  close(s.samplesPerSecond, (4 * 1000) / 115);
  assert.equal(stepTimeStats([50], 1).sdMs, 0, 'one step: no spread');
  assert.throws(() => stepTimeStats([], 1), RangeError);
});
