import { createRng, randomInt } from '../models/random.js';

/** Distribution functions and interval estimates shared by evaluate() and the significance tests. */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

// Continued fraction for the incomplete beta (modified Lentz), as in Numerical Recipes §6.4.
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast only on one side of the mean; use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Student t CDF P(T ≤ t) with df degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Two-sided p-value P(|T| ≥ |t|). */
export function studentTTwoSided(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5));
}

/** t such that P(T ≤ t) = p, by bisection on the CDF (called a handful of times per report). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  let lo = -1;
  let hi = 1;
  while (studentTCdf(lo, df) > p) lo *= 2;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Linear-interpolated quantile (R type 7) of an ascending array. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Values with NaN removed, as a Float64Array. */
export function finiteValues(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++;
  const out = new Float64Array(n);
  for (let i = 0, j = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) out[j++] = values[i]!;
  return out;
}

export function mean(values: Float64Array): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample standard deviation (n − 1). */
export function sampleStd(values: Float64Array, m = mean(values)): number {
  if (values.length < 2) return NaN;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i]! - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

/** Means of `samples` seeded bootstrap resamples of `values`, sorted ascending. */
export function bootstrapMeans(values: Float64Array, samples: number, seed: number): Float64Array {
  const n = values.length;
  const means = new Float64Array(samples);
  if (n === 0) return means.fill(NaN);
  const rng = createRng(seed);
  for (let b = 0; b < samples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[randomInt(rng, n)]!;
    means[b] = sum / n;
  }
  return means.sort();
}

export type CiMethod = 'bootstrap' | 'normal';

export interface CiOptions {
  /** 'bootstrap' (percentile, seeded) or 'normal' (mean ± t·SE). Default 'bootstrap'. */
  method?: CiMethod;
  /** Default 0.95. */
  confidence?: number;
  /** Bootstrap resamples; default 1000. */
  samples?: number;
  /** Bootstrap seed; default 0. */
  seed?: number;
}

export interface MeanEstimate {
  mean: number;
  low: number;
  high: number;
  /** Values used (NaN excluded). */
  n: number;
}

/** Mean of the non-NaN values with a confidence interval. */
export function meanWithCi(values: ArrayLike<number>, options: CiOptions = {}): MeanEstimate {
  const clean = finiteValues(values);
  const m = mean(clean);
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (clean.length < 2) return { mean: m, low: NaN, high: NaN, n: clean.length };
  const alpha = 1 - confidence;
  if ((options.method ?? 'bootstrap') === 'normal') {
    const half = studentTQuantile(1 - alpha / 2, clean.length - 1) * (sampleStd(clean, m) / Math.sqrt(clean.length));
    return { mean: m, low: m - half, high: m + half, n: clean.length };
  }
  const means = bootstrapMeans(clean, options.samples ?? 1000, options.seed ?? 0);
  return { mean: m, low: quantileSorted(means, alpha / 2), high: quantileSorted(means, 1 - alpha / 2), n: clean.length };
}
