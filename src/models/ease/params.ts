/** EASE hyper-parameters and the tuned defaults (each documented where it is declared). */
import type { EntryWeighting } from '../sparse.js';

export interface EaseParams {
  /** L2 regularisation λ added to the Gram diagonal (Steck 2019 finds hundreds work for ML/Netflix sizes). */
  lambda: number;
  /**
   * Optional cap: only the most-listed items enter the n×n inverse (O(n³) time, O(n²) memory).
   * Unset (the default), every item with ≥ minCount users does.
   */
  maxItems?: number;
  /** Items listed by fewer training users are left out even if under maxItems. */
  minCount: number;
  /**
   * 'binary': every listed title is a 1 (the classic EASE).
   * 'score': 1 for listed-without-score, scaled up for titles the user scored above their mean and
   * down for those below, so disliked titles pull less.
   */
  weighting: EntryWeighting;
}

/** The best point of `anirec tune --model ease` on validation users (docs/evaluation.md, "Hyper-parameter search"). */
export const DEFAULT_EASE_PARAMS: EaseParams = { lambda: 100, minCount: 3, weighting: 'score' };
