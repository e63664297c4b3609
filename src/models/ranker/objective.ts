/**
 * What the booster needs from a loss: a starting score and per-row first and second derivatives.
 * 'lambdarank' lives in lambdarank.ts; the pointwise logistic baseline is small enough to live here.
 */
import { LambdaRankObjective } from './lambdarank.js';
import type { RankerObjective } from './params.js';

export interface GradientObjective {
  readonly name: RankerObjective;
  initialScore(): number;
  /** Writes grad and hess (derivatives of the loss w.r.t. the scores) for every row of the given queries. */
  computeGradients(scores: Float64Array, grad: Float64Array, hess: Float64Array, queries: Int32Array): void;
}

/** Keeps Newton steps finite for rows the model is already certain about. */
const MIN_LOGISTIC_HESSIAN = 1e-16;
/** The base rate's log-odds are clamped so an all-positive or all-negative set still starts finite. */
const MIN_BASE_RATE = 1e-6;

/** Pointwise logistic loss on "label > 0": ignores queries and grades, a baseline for LambdaMART. */
export class BinaryLogisticObjective implements GradientObjective {
  readonly name = 'binary';

  constructor(
    private readonly labels: Float32Array,
    private readonly groupOffsets: Int32Array,
  ) {}

  initialScore(): number {
    let positives = 0;
    for (let i = 0; i < this.labels.length; i++) if (this.labels[i]! > 0) positives++;
    const rate = Math.min(1 - MIN_BASE_RATE, Math.max(MIN_BASE_RATE, positives / Math.max(1, this.labels.length)));
    return Math.log(rate / (1 - rate));
  }

  computeGradients(scores: Float64Array, grad: Float64Array, hess: Float64Array, queries: Int32Array): void {
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i]!;
      for (let row = this.groupOffsets[q]!, end = this.groupOffsets[q + 1]!; row < end; row++) {
        const probability = 1 / (1 + Math.exp(-scores[row]!));
        grad[row] = probability - (this.labels[row]! > 0 ? 1 : 0);
        hess[row] = Math.max(probability * (1 - probability), MIN_LOGISTIC_HESSIAN);
      }
    }
  }
}

export function createObjective(name: RankerObjective, labels: Float32Array, groupOffsets: Int32Array, ndcgAt: number): GradientObjective {
  return name === 'lambdarank' ? new LambdaRankObjective(labels, groupOffsets, ndcgAt) : new BinaryLogisticObjective(labels, groupOffsets);
}
