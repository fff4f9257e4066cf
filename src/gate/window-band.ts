// The history gate's test for a noisy figure (step time, sampled memory): is
// the current run's value outside what the window's runs spread over? The
// unit of replication is the run, not the step — steps within a run share
// its clocks, its neighbours and its warm-up, so run-to-run noise is what a
// new run has to be told from, and pooling the window's steps would count
// that noise as signal. So each window run contributes one value (the
// median of its steps, or its sampled peak), and:
//
// 1. runs more than 3.5 robust standard deviations (1.4826 × the median
//    absolute deviation) from the window's median are set aside as outliers
//    (Hampel's identifier: a slow run from a noisy neighbour must not widen
//    the band for every pull request after it);
// 2. the current value x is judged against the Student-t prediction interval
//    for one more run from the K' runs kept, with their mean m and standard
//    deviation s:  t = (x − m) / (s · √(1 + 1/K')),  p = P(|T_{K'−1}| ≥ |t|).
//
// This is Bencher's t-test threshold over a rolling window, made robust to
// the slow runs a shared or throttled runner produces. docs/design.md says
// what it costs and gains against pooling steps into a Mann-Whitney test;
// test/history-gate.e2e.test.ts measures both on the change-point tests' noise.
import { gammaln, mean, median, sampleStandardDeviation } from 'simple-statistics';

/** 1 / Φ⁻¹(3/4): scales a median absolute deviation to a normal standard deviation. */
const MAD_TO_SD = 1.482602218505602;

/**
 * The regularised incomplete beta function I_x(a, b), by its continued
 * fraction (modified Lentz; Numerical Recipes §6.4), accurate to ~1e-12.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    f *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    f *= step;
    if (Math.abs(step - 1) < 1e-14) break;
  }
  return (front * f) / a;
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom. */
export function studentTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5));
}

/** The t with P(|T_df| ≥ t) = p, by bisection (the band's half-width in scales). */
export function studentQuantile(p: number, df: number): number {
  let lo = 0;
  let hi = 1;
  while (studentTwoSidedP(hi, df) > p) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTwoSidedP(mid, df) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface Band {
  /** The mean of the runs kept: the window's level. */
  level: number;
  /** Their standard deviation. */
  sd: number;
  /** The prediction interval at the test's alpha: a value outside it has p < alpha. */
  low: number;
  high: number;
  /** Two-sided p of the current value against the window. */
  p: number;
  /** Runs in the window, and how many of them were set aside as outliers. */
  runs: number;
  outliers: number;
}

/** Hampel's identifier: how far from the median, in robust standard deviations, a run is still kept. */
export const OUTLIER_LIMIT = 3.5;

/**
 * The current value against the window's runs. A window whose kept runs all
 * agree (sd 0) has a band of width 0: any other value is outside it (p = 0),
 * and the relative threshold alone decides.
 */
export function bandTest(window: readonly number[], current: number, alpha: number): Band {
  if (window.length < 2) throw new Error('bandTest: the window needs at least two runs');
  const mid = median([...window]);
  const robust = MAD_TO_SD * median(window.map((v) => Math.abs(v - mid)));
  // With a MAD of 0 (most runs equal), the runs equal to the median are the level.
  const kept = window.filter((v) => (robust === 0 ? v === mid : Math.abs(v - mid) <= OUTLIER_LIMIT * robust));
  const k = kept.length;
  const level = mean(kept);
  const sd = k > 1 ? sampleStandardDeviation(kept) : 0;
  const width = sd * Math.sqrt(1 + 1 / k);
  const half = width === 0 ? 0 : width * studentQuantile(alpha, k - 1);
  const p = width === 0 ? (current === level ? 1 : 0) : studentTwoSidedP((current - level) / width, k - 1);
  return { level, sd, low: level - half, high: level + half, p, runs: window.length, outliers: window.length - k };
}

/**
 * How many of the newest values, in a row, Hampel's identifier sets aside on
 * the same side of the window's median. One is a slow run; two or more in a
 * row are more likely a new level that the change-point test cannot confirm
 * yet (a noisy series needs about four runs at a new level before E-Divisive
 * can call it at p < 0.001), and a run at that level must not be judged
 * against the old one.
 */
export function newestAside(window: readonly number[]): number {
  if (window.length < 3) return 0;
  const mid = median([...window]);
  const robust = MAD_TO_SD * median(window.map((v) => Math.abs(v - mid)));
  const side = (v: number) => (robust === 0 ? (v === mid ? 0 : Math.sign(v - mid)) : Math.abs(v - mid) <= OUTLIER_LIMIT * robust ? 0 : Math.sign(v - mid));
  const last = side(window[window.length - 1]!);
  if (last === 0) return 0;
  let r = 0;
  for (let i = window.length - 1; i >= 0 && side(window[i]!) === last; i--) r++;
  return r;
}
