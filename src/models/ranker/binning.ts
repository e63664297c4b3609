/**
 * Quantile binning, computed once per training run: every feature value becomes a uint8 bin so
 * split finding works on small histograms instead of sorted floats.
 *
 * Bin 0 holds missing values (NaN); value bins are 1..valueBins[f]. Value bin b holds the values
 * v with upperBounds[b − 2] < v ≤ upperBounds[b − 1], and the last bound is +Infinity. A split
 * "bin ≤ s goes left" is therefore exactly "value ≤ upperBounds[s − 1] goes left", which is what
 * the saved model evaluates on raw floats: training and prediction can never disagree.
 */
import { createRng } from '../random.js';

export const MISSING_BIN = 0;

/** Rows used to place bin boundaries; more changes the boundaries very little (LightGBM uses 200k too). */
export const DEFAULT_BIN_SAMPLE_ROWS = 200_000;

export interface BinnedFeatures {
  nRows: number;
  nFeatures: number;
  /** Row-major nRows × nFeatures, so one row's bins share a cache line when building histograms. */
  bins: Uint8Array;
  /** Per feature, the inclusive upper bound of each value bin (the last is +Infinity). */
  upperBounds: Float32Array[];
  /** Per feature, the number of value bins (missing bin not counted). */
  valueBins: Int32Array;
  /** Histogram slots per feature: the largest valueBins + 1, so every feature's slots line up. */
  binStride: number;
}

/**
 * A threshold strictly between two neighbouring float32 values that is itself a float32, so a
 * value exactly at either side always falls on the same side of it as in training.
 */
export function boundaryBetween(low: number, high: number): number {
  const mid = Math.fround((low + high) / 2);
  return mid < high ? mid : low;
}

/**
 * Upper bounds of at most maxBins quantile bins for ascending, NaN-free values. Few distinct
 * values each get their own bin; otherwise bins are closed greedily at the distinct value that
 * brings the bin's count closest to an equal share of what remains, so a heavily repeated value
 * (e.g. many zeros) takes one bin without squeezing the bins that follow it.
 */
export function computeBinUpperBounds(sortedValues: Float32Array, maxBins: number): Float32Array {
  const n = sortedValues.length;
  if (n === 0) return Float32Array.of(Infinity);
  // Typed arrays rather than growing lists: this runs once per feature and fit, cold.
  const distinct = new Float64Array(n);
  const counts = new Int32Array(n);
  let nDistinct = 0;
  for (let i = 0; i < n; i++) {
    const v = sortedValues[i]!;
    if (nDistinct > 0 && distinct[nDistinct - 1] === v) counts[nDistinct - 1]!++;
    else {
      distinct[nDistinct] = v;
      counts[nDistinct++] = 1;
    }
  }
  const bounds: number[] = [];
  if (nDistinct <= maxBins) {
    for (let i = 0; i + 1 < nDistinct; i++) bounds.push(boundaryBetween(distinct[i]!, distinct[i + 1]!));
  } else {
    let closedCount = 0;
    let binCount = 0;
    for (let i = 0; i + 1 < nDistinct && bounds.length < maxBins - 1; i++) {
      binCount += counts[i]!;
      const target = (n - closedCount) / (maxBins - bounds.length);
      const overshootIfExtended = binCount + counts[i + 1]! - target;
      if (binCount >= target || overshootIfExtended > target - binCount) {
        bounds.push(boundaryBetween(distinct[i]!, distinct[i + 1]!));
        closedCount += binCount;
        binCount = 0;
      }
    }
  }
  bounds.push(Infinity);
  return Float32Array.from(bounds);
}

const SIGN = 0x80000000;

/**
 * Sorts NaN-free float32 values ascending in place, as Float32Array.prototype.sort does (−0
 * before +0), by a three-pass radix sort of their bits flipped into unsigned order: the library
 * sort compares element by element and was most of the binning's time.
 */
export function sortFloat32(values: Float32Array): Float32Array {
  const n = values.length;
  if (n < 2) return values;
  let keys = new Uint32Array(n);
  let spare = new Uint32Array(n);
  keys.set(new Uint32Array(values.buffer, values.byteOffset, n));
  // Negative floats order backwards by their bits: flip them all; positives just gain the top bit.
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    keys[i] = k & SIGN ? ~k >>> 0 : (k | SIGN) >>> 0;
  }
  const counts = new Int32Array(2048);
  for (let pass = 0; pass < 3; pass++) {
    const shift = pass * 11;
    const mask = pass === 2 ? 1023 : 2047;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & mask]!++;
    // A digit every key shares (often the exponent's) needs no pass.
    if (counts[(keys[0]! >>> shift) & mask] === n) continue;
    let total = 0;
    for (let d = 0; d <= mask; d++) {
      const c = counts[d]!;
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      spare[counts[(k >>> shift) & mask]!++] = k;
    }
    const sorted = spare;
    spare = keys;
    keys = sorted;
  }
  const out = new Uint32Array(values.buffer, values.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    out[i] = k & SIGN ? (k ^ SIGN) >>> 0 : ~k >>> 0;
  }
  return values;
}

/** The bin of one value: 0 for NaN, else 1 + the first bound the value does not exceed. */
export function binOf(value: number, upperBounds: Float32Array): number {
  if (Number.isNaN(value)) return MISSING_BIN;
  let lo = 0;
  let hi = upperBounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= upperBounds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/** Row indices for placing boundaries: all rows, or a seeded uniform sample without replacement. */
export function boundarySampleRows(nRows: number, sampleRows: number, seed: number): Int32Array {
  const all = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) all[i] = i;
  if (nRows <= sampleRows) return all;
  const rng = createRng(seed);
  for (let i = 0; i < sampleRows; i++) {
    const j = i + Math.floor(rng() * (nRows - i));
    const tmp = all[i]!;
    all[i] = all[j]!;
    all[j] = tmp;
  }
  return all.subarray(0, sampleRows).sort();
}

export interface BinningOptions {
  maxBins: number;
  sampleRows?: number;
  seed?: number;
}

/**
 * Bin upper bounds of the features w, w + T, … (thread w of T, see threads.ts) from the sample
 * rows, into bounds[f · maxBins …] with their count in valueBins[f]. The sample is read in
 * memory order, every one of this thread's features at once: a column at a time would stride
 * through the matrix once per feature.
 */
export function boundsShare(
  features: Float32Array,
  nFeatures: number,
  sample: Int32Array,
  maxBins: number,
  bounds: Float32Array,
  valueBins: Int32Array,
  w: number,
  T: number,
): void {
  const mine: number[] = [];
  for (let f = w; f < nFeatures; f += T) mine.push(f);
  const columns = mine.map(() => new Float32Array(sample.length));
  const present = new Int32Array(mine.length);
  for (let i = 0; i < sample.length; i++) {
    const base = sample[i]! * nFeatures;
    for (let k = 0; k < mine.length; k++) {
      const v = features[base + mine[k]!]!;
      if (!Number.isNaN(v)) columns[k]![present[k]!++] = v;
    }
  }
  for (let k = 0; k < mine.length; k++) {
    const featureBounds = computeBinUpperBounds(sortFloat32(columns[k]!.subarray(0, present[k]!)), maxBins);
    bounds.set(featureBounds, mine[k]! * maxBins);
    valueBins[mine[k]!] = featureBounds.length;
  }
}

/** Bins rows r0..r1 − 1 of the row-major matrix into bins, with the bounds boundsShare wrote. */
export function binRowsShare(
  features: Float32Array,
  nFeatures: number,
  bounds: Float32Array,
  maxBins: number,
  valueBins: Int32Array,
  bins: Uint8Array,
  r0: number,
  r1: number,
): void {
  const views: Float32Array[] = [];
  for (let f = 0; f < nFeatures; f++) views.push(bounds.subarray(f * maxBins, f * maxBins + valueBins[f]!));
  for (let row = r0, at = r0 * nFeatures; row < r1; row++) {
    for (let f = 0; f < nFeatures; f++, at++) bins[at] = binOf(features[at]!, views[f]!);
  }
}

export function checkMaxBins(maxBins: number): void {
  if (maxBins < 1 || maxBins > 255) throw new RangeError(`binning: maxBins must be in [1, 255], got ${maxBins}`);
}

/** The binned matrix from the bounds and bins the shares wrote. */
export function binnedFrom(
  bins: Uint8Array,
  nRows: number,
  nFeatures: number,
  bounds: Float32Array,
  maxBins: number,
  valueBins: Int32Array,
): BinnedFeatures {
  const upperBounds = Array.from({ length: nFeatures }, (_, f) => bounds.slice(f * maxBins, f * maxBins + valueBins[f]!));
  let binStride = 1;
  for (let f = 0; f < nFeatures; f++) binStride = Math.max(binStride, valueBins[f]! + 1);
  return { nRows, nFeatures, bins, upperBounds, valueBins: valueBins.slice(), binStride };
}

/** Bins a row-major feature matrix on this thread: boundaries from a sample of rows, then every row binned. */
export function binFeatures(features: Float32Array, nRows: number, nFeatures: number, options: BinningOptions): BinnedFeatures {
  checkMaxBins(options.maxBins);
  const { maxBins } = options;
  const sample = boundarySampleRows(nRows, options.sampleRows ?? DEFAULT_BIN_SAMPLE_ROWS, options.seed ?? 0);
  const bounds = new Float32Array(nFeatures * maxBins);
  const valueBins = new Int32Array(nFeatures);
  boundsShare(features, nFeatures, sample, maxBins, bounds, valueBins, 0, 1);
  const bins = new Uint8Array(nRows * nFeatures);
  binRowsShare(features, nFeatures, bounds, maxBins, valueBins, bins, 0, nRows);
  return binnedFrom(bins, nRows, nFeatures, bounds, maxBins, valueBins);
}
