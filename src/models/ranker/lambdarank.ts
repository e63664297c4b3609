/**
 * LambdaMART gradients (Burges 2010, "From RankNet to LambdaRank to LambdaMART").
 *
 * For each pair of rows of a query with different labels, with h the more relevant one and
 * Δs = s_h − s_l, the pair loss is |ΔNDCG| · log(1 + e^(−Δs)), where |ΔNDCG| is the change in
 * NDCG if the two rows swapped positions in the current ranking. Its derivatives give
 *   λ = |ΔNDCG| · ρ,  ρ = 1 / (1 + e^(Δs))      (gradient −λ for h, +λ for l)
 *   w = |ΔNDCG| · ρ (1 − ρ)                      (hessian for both)
 * and the trees take Newton steps −ΣG / (ΣH + λ2) per leaf.
 *
 * Truncation as LightGBM's lambdarank_truncation_level: only pairs whose better-ranked row
 * (in the current order) sits in the top ndcgAt positions are used, so pairs entirely below the
 * cut-off, which barely move NDCG@k, cost nothing. ΔNDCG uses the full discounts of both
 * positions and is normalised by the ideal DCG@ndcgAt of the query.
 */
import { ndcgTables, sortRowsByScore } from './ndcg.js';
import type { GradientObjective } from './objective.js';

export class LambdaRankObjective implements GradientObjective {
  readonly name = 'lambdarank';
  private readonly gains: Float64Array;
  private readonly discounts: Float64Array;
  private readonly inverseIdeal: Float64Array;
  private readonly order: Int32Array;

  constructor(
    labels: Float32Array,
    private readonly groupOffsets: Int32Array,
    private readonly truncation: number,
  ) {
    ({ gains: this.gains, discounts: this.discounts, inverseIdeal: this.inverseIdeal } = ndcgTables(labels, groupOffsets, truncation));
    this.order = new Int32Array(labels.length);
  }

  /** Scores start at 0: only their order within a query matters. */
  initialScore(): number {
    return 0;
  }

  computeGradients(scores: Float64Array, grad: Float64Array, hess: Float64Array, queries: Int32Array): void {
    for (let i = 0; i < queries.length; i++) this.computeQuery(queries[i]!, scores, grad, hess);
  }

  private computeQuery(query: number, scores: Float64Array, grad: Float64Array, hess: Float64Array): void {
    const start = this.groupOffsets[query]!;
    const end = this.groupOffsets[query + 1]!;
    grad.fill(0, start, end);
    hess.fill(0, start, end);
    const inverseIdeal = this.inverseIdeal[query]!;
    if (inverseIdeal === 0 || end - start < 2) return;
    const { gains, discounts, order } = this;
    sortRowsByScore(order, scores, start, end);
    const n = end - start;
    const topPositions = Math.min(this.truncation, n - 1);
    for (let i = 0; i < topPositions; i++) {
      const rowI = order[start + i]!;
      const gainI = gains[rowI]!;
      const scoreI = scores[rowI]!;
      const discountI = discounts[i]!;
      let gradI = 0;
      let hessI = 0;
      for (let j = i + 1; j < n; j++) {
        const rowJ = order[start + j]!;
        const gainJ = gains[rowJ]!;
        if (gainI === gainJ) continue;
        // Positive when i is the more relevant row: Δs = s_high − s_low.
        const iIsHigher = gainI > gainJ;
        const scoreGap = iIsHigher ? scoreI - scores[rowJ]! : scores[rowJ]! - scoreI;
        const deltaNdcg = Math.abs(gainI - gainJ) * (discountI - discounts[j]!) * inverseIdeal;
        const misorder = 1 / (1 + Math.exp(scoreGap));
        const lambda = deltaNdcg * misorder;
        const weight = deltaNdcg * misorder * (1 - misorder);
        if (iIsHigher) {
          gradI -= lambda;
          grad[rowJ]! += lambda;
        } else {
          gradI += lambda;
          grad[rowJ]! -= lambda;
        }
        hessI += weight;
        hess[rowJ]! += weight;
      }
      grad[rowI]! += gradI;
      hess[rowI]! += hessI;
    }
  }
}
