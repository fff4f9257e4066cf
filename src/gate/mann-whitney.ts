// The Mann-Whitney U test (Wilcoxon rank-sum) on two sets of step times: is
// one shifted against the other? Exact p-values for small samples without
// ties, the normal approximation (tie and continuity corrected) otherwise.
// Rank sums and the normal distribution come from simple-statistics.
import { errorFunction, wilcoxonRankSum } from 'simple-statistics';

export interface MannWhitneyResult {
  /** U of the second sample: pairs (x, y) with y > x, ties counting ½. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
  /** The smallest two-sided p these sample sizes can give (exact, without ties). */
  minP: number;
}

/** C(m + n, m) must stay exactly representable for the exact distribution. */
function exactIsRepresentable(m: number, n: number): boolean {
  let c = 1;
  for (let i = 1; i <= Math.min(m, n); i++) {
    c = (c * (Math.max(m, n) + i)) / i;
    if (c > Number.MAX_SAFE_INTEGER) return false;
  }
  return true;
}

/**
 * How many of the C(m + n, m) orderings give each U = 0 … m·n: the
 * coefficients of the Gaussian binomial [m + n choose m]_q, built one factor
 * (1 − q^(n+i)) / (1 − q^i) at a time. Every intermediate is itself a Gaussian
 * binomial's coefficient, so the counts are exact below 2^53.
 */
export function uDistribution(m: number, n: number): number[] {
  const size = m * n + 1;
  let poly = new Array<number>(size).fill(0);
  poly[0] = 1;
  for (let i = 1; i <= m; i++) {
    const next = poly.slice();
    // × (1 − q^(n+i))
    for (let k = size - 1; k >= n + i; k--) next[k] -= poly[k - n - i]!;
    // ÷ (1 − q^i): a running sum with stride i
    for (let k = i; k < size; k++) next[k] += next[k - i]!;
    poly = next;
  }
  return poly;
}

/** Exact two-sided p of U for sizes (m, n), assuming no ties. */
function exactP(u: number, m: number, n: number): number {
  const counts = uDistribution(m, n);
  const total = counts.reduce((a, b) => a + b, 0);
  let lower = 0;
  for (let k = 0; k <= Math.floor(u); k++) lower += counts[k]!;
  let upper = 0;
  for (let k = Math.ceil(u); k < counts.length; k++) upper += counts[k]!;
  return Math.min(1, (2 * Math.min(lower, upper)) / total);
}

/** The smallest exact two-sided p for sizes (m, n): complete separation, 2 / C(m + n, m). */
export function minimumP(m: number, n: number): number {
  let c = 1;
  for (let i = 1; i <= Math.min(m, n); i++) c = (c * (Math.max(m, n) + i)) / i;
  return Math.min(1, 2 / c);
}

/** P(|Z| ≥ z) for a standard normal Z, through the error function (accurate to ~1e-7 relative). */
function twoSidedNormal(z: number): number {
  return Math.min(1, 1 - errorFunction(Math.abs(z) / Math.SQRT2));
}

/** Sizes of the groups of equal values in the pooled sample (only groups > 1). */
function tieGroups(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const groups: number[] = [];
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) run++;
    else {
      if (run > 1) groups.push(run);
      run = 1;
    }
  }
  return groups;
}

/** Two-sided Mann-Whitney U test of x (e.g. the baseline) against y (the current run). */
export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new Error('mannWhitney: both samples need at least one value');
  const u = wilcoxonRankSum(y, x) - (n * (n + 1)) / 2;
  const ties = tieGroups([...x, ...y]);
  const minP = minimumP(m, n);
  if (ties.length === 0 && exactIsRepresentable(m, n)) {
    return { u, p: exactP(u, m, n), method: 'exact', minP };
  }
  const total = m + n;
  const tieTerm = ties.reduce((s, t) => s + t ** 3 - t, 0) / (total * (total - 1));
  const variance = ((m * n) / 12) * (total + 1 - tieTerm);
  if (variance <= 0) return { u, p: 1, method: 'normal', minP };
  const mean = (m * n) / 2;
  const diff = Math.abs(u - mean);
  const z = Math.max(0, diff - 0.5) / Math.sqrt(variance);
  return { u, p: twoSidedNormal(z), method: 'normal', minP };
}
