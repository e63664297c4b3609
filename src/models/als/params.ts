/** iALS hyper-parameters and the tuned defaults (each documented where it is declared). */
import type { EntryWeighting } from '../sparse.js';

export interface AlsParams {
  /** Embedding dimension k. Rendle et al. (2022) show iALS keeps improving with k when regularised well; 64–128 suits this data size. */
  factors: number;
  /** Epochs (one user pass + one item pass each). ~16 is enough with warm-started CG. */
  iterations: number;
  /** λ, the L2 weight; multiplied by (n_row + α0·n_other)^ν per row, see frequencyScaling. */
  regularization: number;
  /**
   * α0, the weight of the "every pair should score 0" term α0·Σ_all ŷ² (Rendle et al. 2022's
   * unobserved weight). Smaller trusts the observed lists more; larger pulls toward popularity-free scores.
   */
  unobservedWeight: number;
  /**
   * Weight of an observed pair's (1 − ŷ)² term, times the entry weight (1 in 'binary'; score-scaled
   * in 'score'). With α0 tuned this can stay 1 (only the ratio matters up to λ).
   */
  confidence: number;
  /** Conjugate-gradient steps per row per epoch (Takács et al. 2011): 2–4 warm-started steps approach the exact solve at O(k²) not O(k³). */
  cgSteps: number;
  /** ν: regularisation exponent on row frequency (Rendle et al. 2022 use ν = 1); 0 gives plain λ. */
  frequencyScaling: number;
  /** σ of the initialisation N(0, σ/√k): small, so early epochs are not dominated by noise. */
  initStd: number;
  /** 'binary' or 'score' entry weights, as in EASE / item-kNN. */
  weighting: EntryWeighting;
}

/**
 * The best point of `anirec tune --model als` (random trials on validation users; the figures
 * are in docs/evaluation.md, "Hyper-parameter search"). A large λ collapses the factors toward one
 * non-personal list, so the search keeps λ small.
 */
export const DEFAULT_ALS_PARAMS: AlsParams = {
  factors: 128,
  iterations: 12,
  regularization: 0.0007,
  unobservedWeight: 0.42,
  confidence: 1,
  cgSteps: 3,
  frequencyScaling: 1,
  initStd: 0.1,
  weighting: 'binary',
};
