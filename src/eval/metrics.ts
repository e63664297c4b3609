import type { TrainingData } from '../models/types.js';

/**
 * Ranking and rating metrics as pure functions over typed arrays. Per-user functions return one
 * number so callers can keep per-user arrays for paired significance tests.
 *
 * Ranking metrics take a `hits` vector: hits[i] = 1 when the item at rank i (0-based, best first)
 * is relevant. It is computed once per user (relevanceAtRanks) and shared by every metric and k.
 * Metrics normalised by the number of relevant items are undefined (NaN) when there are none;
 * the evaluator skips such users instead of counting them as zeros.
 */

/** True when `item` is in `sorted` (ascending). Held-out sets are small, so binary search beats a mask. */
export function containsSorted(sorted: Int32Array, item: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** hits[i] = 1 when ranked[i] is in `relevantSorted` (ascending item indices). */
export function relevanceAtRanks(ranked: Int32Array, relevantSorted: Int32Array, out?: Uint8Array): Uint8Array {
  const hits = out !== undefined && out.length >= ranked.length ? out.subarray(0, ranked.length) : new Uint8Array(ranked.length);
  for (let i = 0; i < ranked.length; i++) hits[i] = containsSorted(relevantSorted, ranked[i]!) ? 1 : 0;
  return hits;
}

// 1 / log2(rank + 2) for rank 0, 1, …: grown on demand, shared by DCG and ideal DCG.
let discounts = new Float64Array(0);
function discount(k: number): Float64Array {
  if (discounts.length < k) {
    const next = new Float64Array(Math.max(k, 64));
    for (let i = 0; i < next.length; i++) next[i] = 1 / Math.log2(i + 2);
    discounts = next;
  }
  return discounts;
}

function hitsInTopK(hits: Uint8Array, k: number): number {
  const n = Math.min(k, hits.length);
  let count = 0;
  for (let i = 0; i < n; i++) count += hits[i]!;
  return count;
}

/** NDCG@k with binary relevance: DCG over the top k divided by the DCG of min(k, nRelevant) hits at the top. */
export function ndcgAtK(hits: Uint8Array, nRelevant: number, k: number): number {
  if (nRelevant <= 0) return NaN;
  const d = discount(k);
  const n = Math.min(k, hits.length);
  let dcg = 0;
  for (let i = 0; i < n; i++) if (hits[i] === 1) dcg += d[i]!;
  const ideal = Math.min(k, nRelevant);
  let idcg = 0;
  for (let i = 0; i < ideal; i++) idcg += d[i]!;
  return dcg / idcg;
}

/** Recall@k normalised by min(k, nRelevant) (Liang et al. 2018), so a perfect top k scores 1 even when nRelevant > k. */
export function recallAtK(hits: Uint8Array, nRelevant: number, k: number): number {
  if (nRelevant <= 0) return NaN;
  return hitsInTopK(hits, k) / Math.min(k, nRelevant);
}

/** Precision@k; a list shorter than k (catalogue exhausted) still divides by k. */
export function precisionAtK(hits: Uint8Array, k: number): number {
  if (k <= 0) return NaN;
  return hitsInTopK(hits, k) / k;
}

/** AP@k: mean of precision@i over the ranks i of hits within the top k, divided by min(k, nRelevant). */
export function averagePrecisionAtK(hits: Uint8Array, nRelevant: number, k: number): number {
  if (nRelevant <= 0) return NaN;
  const n = Math.min(k, hits.length);
  let found = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (hits[i] === 1) {
      found++;
      sum += found / (i + 1);
    }
  }
  return sum / Math.min(k, nRelevant);
}

/** 1 when any of the top k is relevant, else 0. */
export function hitRateAtK(hits: Uint8Array, k: number): number {
  return hitsInTopK(hits, k) > 0 ? 1 : 0;
}

/** Number of training users listing each item. */
export function itemUserCounts(trainData: TrainingData): Float64Array {
  const counts = new Float64Array(trainData.nItems);
  for (let p = 0; p < trainData.indices.length; p++) counts[trainData.indices[p]!]! += 1;
  return counts;
}

/**
 * Self-information −log2(p) of each item, p = share of training users who listed it (Zhou et al.
 * 2010). Items no training user listed count as listed by one, so their novelty is the largest
 * finite value log2(nUsers) rather than Infinity, which would swamp every mean.
 */
export function selfInformation(trainData: TrainingData): Float64Array {
  const counts = itemUserCounts(trainData);
  const nUsers = Math.max(1, trainData.nUsers);
  const info = new Float64Array(trainData.nItems);
  for (let i = 0; i < info.length; i++) info[i] = Math.log2(nUsers / Math.max(1, counts[i]!));
  return info;
}

/** Mean self-information of the top k of `ranked`; NaN for an empty list. */
export function noveltyAtK(ranked: Int32Array, info: Float64Array, k: number): number {
  const n = Math.min(k, ranked.length);
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += info[ranked[i]!]!;
  return sum / n;
}

/**
 * Catalogue coverage@k: distinct items appearing in anyone's top k, over the vocabulary size.
 * A population-level number: it has no per-user value.
 */
export function catalogueCoverageAtK(lists: readonly Int32Array[], nItems: number, k: number): number {
  if (nItems <= 0) return NaN;
  const seen = new Uint8Array(nItems);
  let distinct = 0;
  for (const list of lists) {
    const n = Math.min(k, list.length);
    for (let i = 0; i < n; i++) {
      const item = list[i]!;
      if (seen[item] === 0) {
        seen[item] = 1;
        distinct++;
      }
    }
  }
  return distinct / nItems;
}

/** Mean absolute error of one user's predictions; NaN when there are none. */
export function meanAbsoluteError(predicted: Float32Array, actual: Float32Array): number {
  if (predicted.length !== actual.length) throw new RangeError('meanAbsoluteError: length mismatch');
  if (actual.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i]! - actual[i]!);
  return sum / actual.length;
}

/** Root mean squared error of one user's predictions; NaN when there are none. */
export function rootMeanSquaredError(predicted: Float32Array, actual: Float32Array): number {
  if (predicted.length !== actual.length) throw new RangeError('rootMeanSquaredError: length mismatch');
  if (actual.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = predicted[i]! - actual[i]!;
    sum += e * e;
  }
  return Math.sqrt(sum / actual.length);
}
