/** Item-kNN hyper-parameters and the tuned defaults (each documented where it is declared). */
import type { EntryWeighting } from '../sparse.js';

export interface ItemKnnParams {
  /**
   * Neighbours kept per item. Scoring sums whole neighbour rows, so this bounds both memory
   * (nItems × neighbours) and fold-in time; beyond ~100 the extra neighbours are weak and noisy.
   */
  neighbours: number;
  /**
   * Added to the cosine denominator: sim = co / (‖a‖‖b‖ + shrinkage). Damps similarities that rest
   * on a handful of shared users (two niche titles co-listed by two people are not "95% similar").
   */
  shrinkage: number;
  /**
   * 'binary': every listed title is a 1 (plain cosine over co-listings).
   * 'score': like EASE, listed-without-score is 1 and scored titles are scaled by how far they sit
   * above or below the user's mean, so titles people disliked build weaker links.
   */
  weighting: EntryWeighting;
  /** Items listed by fewer training users get no neighbours and are never recommended (too little evidence). */
  minCount: number;
}

/** The best point of `anirec tune --model itemknn` on validation users (docs/evaluation.md, "Hyper-parameter search"). */
export const DEFAULT_ITEMKNN_PARAMS: ItemKnnParams = { neighbours: 400, shrinkage: 0, weighting: 'score', minCount: 2 };
