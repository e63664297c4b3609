/** Popularity's parameters and defaults (each documented where it is declared). */

export interface PopularityParams {
  /** 'count': most listed first. 'bayes': best Bayesian-average score first (mean shrunk toward the global mean). */
  mode: 'count' | 'bayes';
  /** Prior weight of the Bayesian average, in pseudo-ratings. */
  priorWeight: number;
  /** In 'bayes' mode, items listed by fewer users are ranked after all others (a 10/10 from two fans is not a hit). */
  minCount: number;
}

export const DEFAULT_POPULARITY_PARAMS: PopularityParams = { mode: 'count', priorWeight: 50, minCount: 20 };
