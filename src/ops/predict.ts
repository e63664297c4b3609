import type { ModelBundle } from '../models/bundle.js';
import type { History } from '../models/types.js';
import type { StoredInteraction } from '../store/index.js';

/**
 * What the production model would have said about one title just before the user scored it.
 *
 * History: the user's list as it was then — the title itself and entries updated later are left
 * out, and so are plan-to-watch entries (training leaves them out too; see training-set.ts).
 * Entries without a timestamp (e.g. from dataset imports) are taken to be older.
 *
 * Rank: 1 + the titles the user had not listed that the model scores higher (ties count half),
 * so rank 1 = the model's first recommendation; hit = rank ≤ k, i.e. the title was in the top-k
 * the user would have been shown.
 *
 * Score: the recommenders rank, they do not predict ratings, so the score is calibrated per user
 * by quantile mapping. p = the share of the user's own rated titles that the model scores below
 * the target; the prediction is the user's own rating distribution at quantile p (linear
 * interpolation). A title the model likes more than everything the user rated gets the user's top
 * score. Needs ≥ MIN_CALIBRATION rated titles, else the score is null (rank/hit still count).
 * Caveat: models whose fold-in scores the history items themselves high (ALS) put the target
 * lower than it deserves, biasing predictions down; EASE (zero diagonal) and item-kNN (no
 * self-similarity) score history items leave-one-out, so they compare like with like. A constant
 * bias does not affect drift detection, which compares a model with its own earlier days.
 */

export const MIN_CALIBRATION = 3;

export interface HeldOutPrediction {
  rank: number;
  candidates: number;
  hit: boolean;
  predictedScore: number | null;
}

/** Returns null when the model does not know the title (it cannot rank what it has never seen). */
export function predictHeldOut(
  bundle: ModelBundle,
  list: readonly StoredInteraction[],
  target: StoredInteraction,
  k: number,
): HeldOutPrediction | null {
  const targetIndex = bundle.itemIndex.get(target.animeId);
  if (targetIndex === undefined) return null;
  const items: number[] = [];
  const ratings: number[] = [];
  const seen = new Uint8Array(bundle.itemIds.length);
  for (const entry of list) {
    if (entry.animeId === target.animeId || entry.status === 'plan_to_watch') continue;
    if (entry.updatedAt !== null && target.updatedAt !== null && entry.updatedAt > target.updatedAt) continue;
    const index = bundle.itemIndex.get(entry.animeId);
    if (index === undefined || seen[index]) continue;
    seen[index] = 1;
    items.push(index);
    ratings.push(entry.score ?? 0);
  }
  const history: History = { items: Int32Array.from(items), scores: Float32Array.from(ratings) };
  let scores: Float32Array;
  if (items.length === 0) {
    // What the server shows a user it knows nothing about (recommendForHistory's fallback).
    scores = bundle.popularity;
  } else {
    scores = new Float32Array(bundle.itemIds.length);
    bundle.recommender.scoreFoldIn(history, scores);
  }
  const own = scores[targetIndex]!;
  let higher = 0;
  let ties = 0;
  for (let j = 0; j < scores.length; j++) {
    if (seen[j] || j === targetIndex) continue;
    const s = scores[j]!;
    if (s > own) higher++;
    else if (s === own) ties++;
  }
  const rank = 1 + higher + Math.floor(ties / 2);
  const candidates = scores.length - items.length;

  const rated: Array<[number, number]> = [];
  for (let e = 0; e < items.length; e++) if (ratings[e]! > 0) rated.push([scores[items[e]!]!, ratings[e]!]);
  let predictedScore: number | null = null;
  if (rated.length >= MIN_CALIBRATION) {
    let below = 0;
    for (const [s] of rated) below += s < own ? 1 : s === own ? 0.5 : 0;
    predictedScore = quantile(
      rated.map(([, r]) => r).sort((a, b) => a - b),
      below / rated.length,
    );
  }
  return { rank, candidates, hit: rank <= k, predictedScore };
}

/** Linear-interpolation quantile of ascending values, p in [0, 1]. */
export function quantile(sorted: readonly number[], p: number): number {
  const pos = Math.min(1, Math.max(0, p)) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
