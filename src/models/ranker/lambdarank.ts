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
import { lambdaShare } from './kernels.js';
import { ndcgTables } from './ndcg.js';
import type { GradientObjective } from './objective.js';
import type { SharedLambdaTables } from './threads.js';

function shared<T extends Float64Array | Int32Array>(values: T): T {
  const copy = new (values.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(values.byteLength));
  copy.set(values);
  return copy;
}

/** The loss's per-row and per-query tables, in shared memory so worker threads can take queries (threads.ts). */
export class LambdaRankObjective implements GradientObjective {
  readonly name = 'lambdarank';
  readonly tables: SharedLambdaTables;

  constructor(labels: Float32Array, groupOffsets: Int32Array, truncation: number) {
    const { gains, discounts, inverseIdeal } = ndcgTables(labels, groupOffsets, truncation);
    // Each query's rows in the previous round's order: the next sort starts from it.
    const order = Int32Array.from({ length: labels.length }, (_, i) => i);
    this.tables = {
      groupOffsets: shared(groupOffsets),
      gains: shared(gains),
      discounts: shared(discounts),
      inverseIdeal: shared(inverseIdeal),
      order: shared(order),
      truncation,
    };
  }

  /** Scores start at 0: only their order within a query matters. */
  initialScore(): number {
    return 0;
  }

  computeGradients(scores: Float64Array, grad: Float64Array, hess: Float64Array, queries: Int32Array): void {
    const t = this.tables;
    lambdaShare(
      queries,
      0,
      queries.length,
      t.groupOffsets,
      t.gains,
      t.discounts,
      t.inverseIdeal,
      t.order,
      scores,
      grad,
      hess,
      t.truncation,
    );
  }
}
