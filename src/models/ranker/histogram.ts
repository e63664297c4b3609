/**
 * The best split a gradient histogram allows (the histograms are built by kernels.ts).
 *
 * A histogram has, per feature and bin, three float64 channels: gradient sum, hessian sum and
 * row count. Float64 keeps the subtraction trick (sibling = parent − child) exact enough that
 * the sibling's counts and sums match a directly built histogram.
 */
import { MISSING_BIN, type BinnedFeatures } from './binning.js';
import { HISTOGRAM_CHANNELS } from './kernels.js';

export interface SplitConstraints {
  lambdaL2: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  minGainToSplit: number;
}

/** The best split of one leaf; rows with value bin ≤ bin go left, missing rows follow defaultLeft. */
export interface SplitCandidate {
  /** −Infinity when no split satisfies the constraints. */
  gain: number;
  feature: number;
  bin: number;
  defaultLeft: boolean;
  leftGrad: number;
  leftHess: number;
  leftCount: number;
}

export function emptySplit(): SplitCandidate {
  return { gain: -Infinity, feature: -1, bin: 0, defaultLeft: false, leftGrad: 0, leftHess: 0, leftCount: 0 };
}

export interface NodeTotals {
  grad: number;
  hess: number;
  count: number;
}

/**
 * Scans every active feature's bins for the split with the largest loss reduction
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ). When the leaf has missing values both directions for
 * them are tried (the learned default direction); when it has none, unseen missing values at
 * prediction time follow the larger child. Ties keep the first candidate, so results are
 * deterministic. Writes into `best` and returns whether a split was found.
 */
export function findBestSplit(
  hist: Float64Array,
  binned: BinnedFeatures,
  activeFeatures: Int32Array,
  totals: NodeTotals,
  constraints: SplitConstraints,
  best: SplitCandidate,
): boolean {
  const { lambdaL2, minDataInLeaf, minSumHessianInLeaf, minGainToSplit } = constraints;
  const { binStride, valueBins } = binned;
  const parentScore = (totals.grad * totals.grad) / (totals.hess + lambdaL2);
  best.gain = -Infinity;
  best.feature = -1;
  for (let a = 0; a < activeFeatures.length; a++) {
    const f = activeFeatures[a]!;
    const base = f * binStride * HISTOGRAM_CHANNELS;
    const missingSlot = base + MISSING_BIN * HISTOGRAM_CHANNELS;
    const missingGrad = hist[missingSlot]!;
    const missingHess = hist[missingSlot + 1]!;
    const missingCount = hist[missingSlot + 2]!;
    const nBins = valueBins[f]!;
    let accGrad = 0;
    let accHess = 0;
    let accCount = 0;
    for (let b = 1; b <= nBins; b++) {
      const slot = base + b * HISTOGRAM_CHANNELS;
      accGrad += hist[slot]!;
      accHess += hist[slot + 1]!;
      accCount += hist[slot + 2]!;
      // Two options: missing rows go right (left = value bins ≤ b), or left (left adds them).
      for (let option = 0; option < (missingCount > 0 ? 2 : 1); option++) {
        const leftGrad = option === 0 ? accGrad : accGrad + missingGrad;
        const leftHess = option === 0 ? accHess : accHess + missingHess;
        const leftCount = option === 0 ? accCount : accCount + missingCount;
        const rightCount = totals.count - leftCount;
        const rightHess = totals.hess - leftHess;
        if (leftCount < minDataInLeaf || rightCount < minDataInLeaf) continue;
        if (leftHess < minSumHessianInLeaf || rightHess < minSumHessianInLeaf) continue;
        const rightGrad = totals.grad - leftGrad;
        const gain = (leftGrad * leftGrad) / (leftHess + lambdaL2) + (rightGrad * rightGrad) / (rightHess + lambdaL2) - parentScore;
        if (gain > minGainToSplit && gain > best.gain) {
          best.gain = gain;
          best.feature = f;
          best.bin = b;
          best.defaultLeft = missingCount > 0 ? option === 1 : leftCount >= rightCount;
          best.leftGrad = leftGrad;
          best.leftHess = leftHess;
          best.leftCount = leftCount;
        }
      }
    }
  }
  return best.feature >= 0;
}
