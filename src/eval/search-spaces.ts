import type { ModelName } from '../models/train-model.js';
import type { ParamSpace } from './hyperparams.js';

/**
 * What `anirec tune` searches for each model: ranges around the values the literature uses
 * (EASE: Steck 2019; iALS: Rendle et al. 2022; item-kNN: the shrinkage values of the Dacrema et al.
 * 2019 re-evaluation), wide enough that the winner is not on the edge of the grid.
 */
export const SEARCH_SPACES: Partial<Record<ModelName, ParamSpace>> = {
  ease: { lambda: [50, 100, 200, 300, 500, 800], weighting: ['binary', 'score'] },
  itemknn: { neighbours: [50, 100, 200, 400], shrinkage: [0, 10, 50], weighting: ['binary', 'score'] },
  als: {
    factors: [64, 128],
    regularization: { min: 0.0005, max: 0.05, log: true },
    unobservedWeight: { min: 0.02, max: 0.5, log: true },
    iterations: [12],
  },
  content: { metadataWeight: [0.5, 1, 2], textWeight: [0, 0.5, 1, 2], neighbours: [50, 100] },
  popularity: { mode: ['count', 'bayes'] },
};
