import { DEFAULT_ANIREC_PARAMS } from '../models/hybrid/params.js';
import { DEFAULT_MODEL_PARAMS, type ModelName, type ModelParams } from '../models/train-model.js';
import type { Params, ParamSpace } from './hyperparams.js';

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
  /**
   * The hybrid's own settings (its components keep their tuned defaults): how many candidates each
   * component proposes, which is also most of a request's ranking cost, and how the ranker grows.
   * Keys name where a value goes: `candidates.<component>` or `ranker.<param>`.
   */
  anirec: {
    'candidates.ease': [50, 75, 100],
    'candidates.als': [25, 50, 100],
    'candidates.itemknn': [20, 40, 60],
    'candidates.content': [10, 20, 30],
    'candidates.popularity': [10, 20],
    'ranker.learningRate': { min: 0.03, max: 0.2, log: true },
    'ranker.maxLeaves': [15, 31, 63],
    'ranker.minDataInLeaf': [20, 50, 100],
  },
};

/** The full model parameters for one point of a model's search space (defaults everywhere else). */
export function modelParamsFor(name: ModelName, point: Params): ModelParams {
  if (name !== 'anirec') return { ...DEFAULT_MODEL_PARAMS, [name]: point };
  const candidates = { ...DEFAULT_MODEL_PARAMS.candidates };
  // Ranker settings the point does not name keep the hybrid's defaults.
  const ranker: Record<string, Params[string]> = { ...DEFAULT_ANIREC_PARAMS.ranker, ...DEFAULT_MODEL_PARAMS.anirec.ranker };
  for (const [key, value] of Object.entries(point)) {
    const [group, field] = key.split('.');
    if (group === 'candidates' && field !== undefined && field in candidates && typeof value === 'number') {
      candidates[field as keyof typeof candidates] = value;
    } else if (group === 'ranker' && field !== undefined) {
      ranker[field] = value;
    } else {
      throw new Error(`anirec search space: "${key}" is neither candidates.<component> nor ranker.<param>`);
    }
  }
  return { ...DEFAULT_MODEL_PARAMS, candidates, anirec: { ...DEFAULT_MODEL_PARAMS.anirec, ranker } };
}
