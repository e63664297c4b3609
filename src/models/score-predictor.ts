import type { History, ItemSimilarity, TrainingData } from './types.js';

/**
 * Predicts the 1–10 score a user would give a title, for MAE/RMSE and prediction monitoring
 * (the ranking models only order titles). Koren's baseline estimate
 *   b(u, i) = μ + b_i + b_u
 * with shrunk item biases from training and the user's bias from their fold-in scores, plus an
 * optional item-neighbourhood correction: the user's residuals on titles similar to i,
 *   r̂(u, i) = b(u, i) + Σ_h s(h, i)·(r_uh − b(u, h)) / (Σ_h |s(h, i)| + λ).
 */
export interface ScorePredictorParams {
  /** Pseudo-ratings pulling an item's bias toward 0 (few ratings → trust the global mean). */
  itemShrinkage: number;
  /** Same for the user's bias, computed from their history at prediction time. */
  userShrinkage: number;
  /** Added to the neighbourhood weight sum, so a residual from one weak neighbour moves little. */
  neighbourShrinkage: number;
}

export const DEFAULT_SCORE_PREDICTOR_PARAMS: ScorePredictorParams = { itemShrinkage: 10, userShrinkage: 5, neighbourShrinkage: 1 };

/** Item-item similarities as neighbour lists (e.g. item-kNN's), used for the residual correction. */
export class ScorePredictor {
  constructor(
    readonly globalMean: number,
    readonly itemBias: Float32Array,
    readonly params: ScorePredictorParams,
    private readonly neighbours: ItemSimilarity | null = null,
    private readonly neighbourCount = 200,
  ) {}

  /** Predicted scores (clamped to 1–10) for `items`, from the user's scored history alone. */
  predict(history: History, items: Int32Array): Float32Array {
    const { globalMean, itemBias, params } = this;
    let residualSum = 0;
    let scored = 0;
    for (let h = 0; h < history.items.length; h++) {
      const score = history.scores[h]!;
      if (score <= 0) continue;
      residualSum += score - globalMean - itemBias[history.items[h]!]!;
      scored++;
    }
    const userBias = residualSum / (scored + params.userShrinkage);
    const out = new Float32Array(items.length);
    for (let t = 0; t < items.length; t++) out[t] = globalMean + itemBias[items[t]!]! + userBias;
    if (this.neighbours !== null && scored > 0) this.addNeighbourCorrection(history, items, userBias, out);
    for (let t = 0; t < out.length; t++) out[t] = Math.min(10, Math.max(1, out[t]!));
    return out;
  }

  private addNeighbourCorrection(history: History, items: Int32Array, userBias: number, out: Float32Array): void {
    const wanted = new Map<number, number>();
    items.forEach((item, t) => wanted.set(item, t));
    const numerator = new Float64Array(items.length);
    const denominator = new Float64Array(items.length);
    for (let h = 0; h < history.items.length; h++) {
      const score = history.scores[h]!;
      if (score <= 0) continue;
      const item = history.items[h]!;
      const residual = score - (this.globalMean + this.itemBias[item]! + userBias);
      const { items: near, scores: sims } = this.neighbours!.similarItems(item, this.neighbourCount);
      for (let n = 0; n < near.length; n++) {
        const t = wanted.get(near[n]!);
        if (t === undefined) continue;
        numerator[t]! += sims[n]! * residual;
        denominator[t]! += Math.abs(sims[n]!);
      }
    }
    for (let t = 0; t < items.length; t++) {
      if (denominator[t]! > 0) out[t]! += numerator[t]! / (denominator[t]! + this.params.neighbourShrinkage);
    }
  }
}

export function trainScorePredictor(
  data: TrainingData,
  params: Partial<ScorePredictorParams> = {},
  neighbours: ItemSimilarity | null = null,
): ScorePredictor {
  const p = { ...DEFAULT_SCORE_PREDICTOR_PARAMS, ...params };
  let sum = 0;
  let n = 0;
  for (let e = 0; e < data.scores.length; e++) {
    if (data.scores[e]! > 0) {
      sum += data.scores[e]!;
      n++;
    }
  }
  const globalMean = n > 0 ? sum / n : 7;
  const residualSum = new Float64Array(data.nItems);
  const count = new Float64Array(data.nItems);
  for (let e = 0; e < data.scores.length; e++) {
    const score = data.scores[e]!;
    if (score <= 0) continue;
    const item = data.indices[e]!;
    residualSum[item]! += score - globalMean;
    count[item]!++;
  }
  const itemBias = new Float32Array(data.nItems);
  for (let i = 0; i < data.nItems; i++) itemBias[i] = residualSum[i]! / (count[i]! + p.itemShrinkage);
  return new ScorePredictor(globalMean, itemBias, p, neighbours);
}
