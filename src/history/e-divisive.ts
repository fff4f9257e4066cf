// E-Divisive means (Matteson & James, "A Nonparametric Approach for Multiple
// Change Point Analysis of Multivariate Data", JASA 2014), as MongoDB runs it
// on its CI performance series (Daly et al., ICPE 2020; the code is
// mongodb/signal-processing-algorithms, which Hunter calls): split the series
// where the energy distance between the two sides, Q̂, is largest; keep the
// split only if a permutation test says so; repeat inside the pieces.
//
// It assumes nothing about the noise's distribution (no normality), only that
// within a level the points are exchangeable, which is what the permutation
// test checks: a split is kept when at most a fraction `alpha` of random
// orders of the same points (shuffled within each current piece) reach its Q̂.
// Two choices follow the paper where MongoDB's code narrows it: the second
// sample may end before the piece does (κ), and the distance exponent is a
// setting (MongoDB's is 1); see change-points.ts for the settings used.
import { seededRandom } from '../results/stats.ts';

export interface EDivisiveOptions {
  /** Significance of each split's permutation test: p = (exceedances + 1) / (permutations + 1) ≤ alpha. */
  alpha: number;
  /** Random orders per test; at least 1/alpha − 1, or no split could ever be significant. */
  permutations: number;
  /** The fewest points on either side of a split (≥ 2): a level is at least this many runs. */
  minSegment: number;
  /**
   * Distances enter as |x − y|^exponent, in (0, 2) (Matteson & James's α).
   * 1 is MongoDB's choice; a smaller one lets one far-off run (a noisy
   * neighbour) weigh less against a level shift.
   */
  exponent: number;
  /** The permutations are seeded, so that a history always gives the same change points. */
  seed: number;
}

export interface Split {
  /** The first index of the new level. */
  index: number;
  /** The energy statistic Q̂ of the split, in the series' units. */
  qhat: number;
  /** The permutation test's p-value. */
  pValue: number;
}

interface Candidate {
  index: number;
  qhat: number;
}

/** d(a, b) = |a − b|^exponent between every two points, row-major: computed once, read by every permutation. */
function distances(series: readonly number[], exponent: number): Float64Array {
  const n = series.length;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const diff = Math.abs(series[i]! - series[j]!);
      const v = exponent === 1 ? diff : exponent === 0.5 ? Math.sqrt(diff) : diff ** exponent;
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  return d;
}

let scratch = new Float64Array(0);

/**
 * The best split of the points `order` (indices into the series, in this
 * order), by Matteson & James's eq. 6 and §3.1: over every τ and κ, with
 * X = order[0, τ), Y = order[τ, κ) and d the distances,
 *   Q̂ = (|X||Y| / (|X| + |Y|)) · (2/(|X||Y|) Σ d(x,y) − Σ_{i<j} d(xᵢ,xⱼ) / C(|X|,2) − Σ_{i<j} d(yᵢ,yⱼ) / C(|Y|,2)).
 * Y may end before the piece does (κ), so that a level that came and went
 * again (a regression, then its revert) stands out against what came before
 * it; MongoDB's implementation fixes κ at the piece's end. The sums come from
 * one 2-D prefix sum of the distances, so a piece of m points costs O(m²).
 */
function bestSplit(order: Int32Array, d: Float64Array, n: number, minSegment: number): Candidate | null {
  const m = order.length;
  if (m < 2 * minSegment) return null;
  const w = m + 1;
  if (scratch.length < w * w) scratch = new Float64Array(w * w);
  const sums = scratch; // sums[i·w + j] = Σ_{a<i, b<j} d(order[a], order[b]); row 0 and column 0 are 0
  sums.fill(0, 0, w);
  for (let i = 0; i < m; i++) {
    const row = order[i]! * n;
    let rowSum = 0;
    sums[(i + 1) * w] = 0;
    for (let j = 0; j < m; j++) {
      rowSum += d[row + order[j]!]!;
      sums[(i + 1) * w + j + 1] = sums[i * w + j + 1]! + rowSum;
    }
  }
  const block = (a0: number, a1: number, b0: number, b1: number) => sums[a1 * w + b1]! - sums[a0 * w + b1]! - sums[a1 * w + b0]! + sums[a0 * w + b0]!;
  let best: Candidate | null = null;
  for (let tau = minSegment; tau <= m - minSegment; tau++) {
    const nx = tau;
    // Σ_{i<j} over X is half the block; over C(nx, 2) pairs.
    const spreadX = block(0, tau, 0, tau) / (nx * (nx - 1));
    for (let kappa = tau + minSegment; kappa <= m; kappa++) {
      const ny = kappa - tau;
      const e = (2 * block(0, tau, tau, kappa)) / (nx * ny) - spreadX - block(tau, kappa, tau, kappa) / (ny * (ny - 1));
      const q = ((nx * ny) / (nx + ny)) * e;
      if (best == null || q > best.qhat) best = { index: tau, qhat: q };
    }
  }
  return best;
}

function shuffle(values: Int32Array, random: () => number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
}

// Equal Q̂s of a split and its permuted twin come from different prefix sums
// and may differ in their last bits: a tie must count against the split.
const TIE = 1e-9;

/**
 * The change points of `series`, in index order. Each round proposes, over
 * the pieces between the points found so far, the split with the largest Q̂,
 * and keeps it when its permutation test is significant; the first
 * insignificant proposal ends the search (Matteson & James §3.2).
 */
export function eDivisive(series: readonly number[], opts: EDivisiveOptions): Split[] {
  if (!(opts.alpha > 0 && opts.alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${opts.alpha}`);
  if (!Number.isInteger(opts.permutations) || (opts.permutations + 1) * opts.alpha < 1) {
    throw new RangeError(`${opts.permutations} permutations cannot reach p ≤ ${opts.alpha}; give at least ${Math.ceil(1 / opts.alpha) - 1}`);
  }
  // Each side's spread term needs two points.
  if (!Number.isInteger(opts.minSegment) || opts.minSegment < 2) throw new RangeError(`minSegment must be an integer ≥ 2, got ${opts.minSegment}`);
  if (!(opts.exponent > 0 && opts.exponent < 2)) throw new RangeError(`exponent must be in (0, 2), got ${opts.exponent}`);
  if (series.some((v) => !Number.isFinite(v))) throw new RangeError('the series has a value that is not a finite number');
  const random = seededRandom(opts.seed);
  const n = series.length;
  const d = distances(series, opts.exponent);
  const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
  const found: Split[] = [];
  // The best split of each piece, by its bounds: a piece no new point cut keeps it.
  const memo = new Map<string, Candidate | null>();
  const bestOf = (a: number, b: number): Candidate | null => {
    const key = `${a}:${b}`;
    if (!memo.has(key)) {
      const c = bestSplit(range(a, b), d, n, opts.minSegment);
      memo.set(key, c && { index: c.index + a, qhat: c.qhat });
    }
    return memo.get(key)!;
  };
  for (;;) {
    const bounds = [0, ...found.map((s) => s.index).sort((p, q) => p - q), series.length];
    const pieces = bounds.slice(1).map((b, i) => [bounds[i]!, b] as const);
    let candidate: Candidate | null = null;
    for (const [a, b] of pieces) {
      const c = bestOf(a, b);
      if (c && (candidate == null || c.qhat > candidate.qhat)) candidate = c;
    }
    // A constant series (exact memory that never moved) has Q̂ = 0 everywhere: nothing to test.
    if (candidate == null || !(candidate.qhat > 0)) return found.sort((p, q) => p.index - q.index);
    const pValue = permutationP(pieces.map(([a, b]) => range(a, b)), d, n, candidate.qhat, opts, random);
    if (pValue > opts.alpha) return found.sort((p, q) => p.index - q.index);
    found.push({ index: candidate.index, qhat: candidate.qhat, pValue });
  }
}

/**
 * The share of random orders — each piece shuffled within itself, as the
 * change points found so far stand — whose largest Q̂ reaches `qhat`. Stops
 * as soon as the split can no longer be significant (on noise, after a few).
 */
function permutationP(pieces: Int32Array[], d: Float64Array, n: number, qhat: number, opts: EDivisiveOptions, random: () => number): number {
  const allowed = Math.floor(opts.alpha * (opts.permutations + 1) + 1e-9) - 1;
  let reached = 0;
  for (let k = 0; k < opts.permutations; k++) {
    let max = -Infinity;
    for (const order of pieces) {
      shuffle(order, random);
      const c = bestSplit(order, d, n, opts.minSegment);
      if (c && c.qhat > max) max = c.qhat;
    }
    if (max >= qhat * (1 - TIE)) reached++;
    if (reached > allowed) return (reached + 1) / (k + 2);
  }
  return (reached + 1) / (opts.permutations + 1);
}
