/**
 * NDCG pieces shared by the LambdaRank objective and the early-stopping metric:
 * gain 2^label − 1, discount 1/log2(2 + position) with 0-based positions, ideal DCG truncated at k.
 * Rows of equal score rank in row order, so the ranking of equal scores (e.g. every score at
 * round 0) is deterministic.
 */
import { sortByScore } from './kernels.js';

export function gainsOf(labels: Float32Array): Float64Array {
  const gains = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) gains[i] = 2 ** labels[i]! - 1;
  return gains;
}

/** discounts[p] = 1 / log2(2 + p) for every position a query of the dataset can have. */
export function discountTable(groupOffsets: Int32Array): Float64Array {
  let longest = 0;
  for (let q = 0; q + 1 < groupOffsets.length; q++) longest = Math.max(longest, groupOffsets[q + 1]! - groupOffsets[q]!);
  const discounts = new Float64Array(longest);
  for (let p = 0; p < longest; p++) discounts[p] = 1 / Math.log2(2 + p);
  return discounts;
}

/** Per query, 1 / (ideal DCG@k), or 0 when the query has no relevant row (it carries no ranking signal). */
export function inverseIdealDcgs(gains: Float64Array, groupOffsets: Int32Array, k: number, discounts: Float64Array): Float64Array {
  const nQueries = groupOffsets.length - 1;
  const inverse = new Float64Array(nQueries);
  let sorted = new Float64Array(0);
  for (let q = 0; q < nQueries; q++) {
    const start = groupOffsets[q]!;
    const n = groupOffsets[q + 1]! - start;
    if (sorted.length < n) sorted = new Float64Array(n);
    const view = sorted.subarray(0, n);
    view.set(gains.subarray(start, start + n));
    view.sort().reverse();
    let ideal = 0;
    for (let p = 0; p < Math.min(k, n); p++) ideal += view[p]! * discounts[p]!;
    inverse[q] = ideal > 0 ? 1 / ideal : 0;
  }
  return inverse;
}

/** The per-dataset NDCG tables both the objective and the evaluator need. */
export interface NdcgTables {
  gains: Float64Array;
  discounts: Float64Array;
  /** Per query, 1 / ideal DCG@k (0 when the query has no relevant row). */
  inverseIdeal: Float64Array;
}

export function ndcgTables(labels: Float32Array, groupOffsets: Int32Array, k: number): NdcgTables {
  const gains = gainsOf(labels);
  const discounts = discountTable(groupOffsets);
  return { gains, discounts, inverseIdeal: inverseIdealDcgs(gains, groupOffsets, k, discounts) };
}

/** Mean NDCG@k of a score vector over the queries of one dataset, with the sort buffers reused across calls. */
export class NdcgEvaluator {
  private readonly gains: Float64Array;
  private readonly discounts: Float64Array;
  private readonly inverseIdeal: Float64Array;
  private readonly order: Int32Array;

  constructor(
    labels: Float32Array,
    private readonly groupOffsets: Int32Array,
    private readonly k: number,
  ) {
    ({ gains: this.gains, discounts: this.discounts, inverseIdeal: this.inverseIdeal } = ndcgTables(labels, groupOffsets, k));
    // Each query's rows in the order of the previous call: the next sort starts from it.
    this.order = Int32Array.from({ length: labels.length }, (_, i) => i);
  }

  /** Queries without any relevant row are left out of the mean; 0 when no query has one. */
  evaluate(scores: Float64Array): number {
    let sum = 0;
    let counted = 0;
    for (let q = 0; q + 1 < this.groupOffsets.length; q++) {
      const inverse = this.inverseIdeal[q]!;
      if (inverse === 0) continue;
      const start = this.groupOffsets[q]!;
      const end = this.groupOffsets[q + 1]!;
      sortByScore(this.order, scores, start, end);
      let dcg = 0;
      for (let p = 0; p < Math.min(this.k, end - start); p++) dcg += this.gains[this.order[start + p]!]! * this.discounts[p]!;
      sum += dcg * inverse;
      counted++;
    }
    return counted > 0 ? sum / counted : 0;
  }
}

/** Mean NDCG@k of one-off scores (e.g. a baseline's), for tests and reports. */
export function meanNdcg(scores: ArrayLike<number>, labels: Float32Array, groupOffsets: Int32Array, k: number): number {
  return new NdcgEvaluator(labels, groupOffsets, k).evaluate(Float64Array.from(scores));
}
