import type { TrainingData } from '../types.js';
import { PopularityRecommender } from './model.js';
import { DEFAULT_POPULARITY_PARAMS, type PopularityParams } from './params.js';

export function trainPopularity(data: TrainingData, params: Partial<PopularityParams> = {}): PopularityRecommender {
  const p = { ...DEFAULT_POPULARITY_PARAMS, ...params };
  const count = new Float64Array(data.nItems);
  const sum = new Float64Array(data.nItems);
  const scored = new Float64Array(data.nItems);
  let globalSum = 0;
  let globalScored = 0;
  for (let e = 0; e < data.indices.length; e++) {
    const item = data.indices[e]!;
    count[item]!++;
    const s = data.scores[e]!;
    if (s > 0) {
      sum[item]! += s;
      scored[item]!++;
      globalSum += s;
      globalScored++;
    }
  }
  const globalMean = globalScored > 0 ? globalSum / globalScored : 0;
  const scores = new Float32Array(data.nItems);
  for (let i = 0; i < data.nItems; i++) {
    if (p.mode === 'count') {
      scores[i] = count[i]! > 0 ? count[i]! : -Infinity;
    } else {
      const bayes = (sum[i]! + p.priorWeight * globalMean) / (scored[i]! + p.priorWeight);
      // Rarely listed items sort after every established one, still ordered by their average.
      scores[i] = count[i]! === 0 ? -Infinity : count[i]! < p.minCount ? bayes - 100 : bayes;
    }
  }
  return new PopularityRecommender(scores, p);
}
