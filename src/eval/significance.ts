import { createRng, randomInt } from '../models/random.js';
import { mean, quantileSorted, sampleStd, studentTQuantile, studentTTwoSided } from './stats.js';

/**
 * Paired tests on per-user metric arrays: a[i] and b[i] must be the same user under models A and
 * B. Pairing removes the (large) between-user variance, which is what makes small differences
 * between recommenders detectable. Pairs where either value is NaN are dropped.
 */

export interface PairedTestOptions {
  /** Default 0.95. */
  confidence?: number;
  /** Bootstrap only: resamples, default 10,000. */
  samples?: number;
  /** Bootstrap only: default 0. */
  seed?: number;
}

export interface PairedTestResult {
  test: 'paired-bootstrap' | 'paired-t';
  /** Pairs used. */
  n: number;
  meanA: number;
  meanB: number;
  /** mean(a − b): positive when A is higher. */
  meanDifference: number;
  /** Confidence interval for meanDifference. */
  low: number;
  high: number;
  confidence: number;
  /** Two-sided p-value for H0: mean difference = 0. */
  pValue: number;
  /** t statistic (t-test) or the number of resamples (bootstrap). */
  statistic: number;
}

function pairs(a: ArrayLike<number>, b: ArrayLike<number>): { a: Float64Array; b: Float64Array; d: Float64Array } {
  if (a.length !== b.length) throw new RangeError(`paired test: arrays differ in length (${a.length} vs ${b.length})`);
  const keep: number[] = [];
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!) && !Number.isNaN(b[i]!)) keep.push(i);
  const outA = Float64Array.from(keep, (i) => a[i]!);
  const outB = Float64Array.from(keep, (i) => b[i]!);
  return { a: outA, b: outB, d: outA.map((v, i) => v - outB[i]!) };
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

/**
 * Paired bootstrap (Efron & Tibshirani 1993, §16.4): the CI is the percentile interval of
 * resampled mean differences; the p-value resamples the differences re-centred on zero (H0
 * true) and counts resampled means at least as far from zero as the observed one, with the +1
 * correction so p is never exactly 0.
 */
export function pairedBootstrapTest(a: ArrayLike<number>, b: ArrayLike<number>, options: PairedTestOptions = {}): PairedTestResult {
  const confidence = options.confidence ?? 0.95;
  checkConfidence(confidence);
  const samples = options.samples ?? 10_000;
  const { a: ca, b: cb, d } = pairs(a, b);
  const n = d.length;
  const observed = mean(d);
  const base = {
    test: 'paired-bootstrap' as const,
    n,
    meanA: mean(ca),
    meanB: mean(cb),
    meanDifference: observed,
    confidence,
    statistic: samples,
  };
  if (n === 0) return { ...base, low: NaN, high: NaN, pValue: NaN };
  const rng = createRng(options.seed ?? 0);
  const means = new Float64Array(samples);
  let extreme = 0;
  // Tolerance so float noise in a sum of exact zeros cannot turn "equal" into "more extreme".
  const threshold = Math.abs(observed) - 1e-12 * Math.max(1, Math.abs(observed));
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[randomInt(rng, n)]!;
    const m = sum / n;
    means[s] = m;
    // mean of re-centred resample = m − observed.
    if (Math.abs(m - observed) >= threshold) extreme++;
  }
  means.sort();
  const alpha = 1 - confidence;
  return {
    ...base,
    low: quantileSorted(means, alpha / 2),
    high: quantileSorted(means, 1 - alpha / 2),
    pValue: (extreme + 1) / (samples + 1),
  };
}

/** Paired Student t-test on the differences, df = n − 1. */
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>, options: PairedTestOptions = {}): PairedTestResult {
  const confidence = options.confidence ?? 0.95;
  checkConfidence(confidence);
  const { a: ca, b: cb, d } = pairs(a, b);
  const n = d.length;
  const observed = mean(d);
  const base = { test: 'paired-t' as const, n, meanA: mean(ca), meanB: mean(cb), meanDifference: observed, confidence };
  if (n < 2) return { ...base, low: NaN, high: NaN, pValue: NaN, statistic: NaN };
  const sd = sampleStd(d, observed);
  const se = sd / Math.sqrt(n);
  if (se === 0 || se < 1e-15 * Math.abs(observed)) {
    // Every pair differs by the same amount: no uncertainty left, so the test is decided exactly.
    const same = Math.abs(observed) < 1e-15;
    return { ...base, low: observed, high: observed, pValue: same ? 1 : 0, statistic: same ? 0 : Math.sign(observed) * Infinity };
  }
  const t = observed / se;
  const half = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * se;
  return { ...base, low: observed - half, high: observed + half, pValue: studentTTwoSided(t, n - 1), statistic: t };
}
