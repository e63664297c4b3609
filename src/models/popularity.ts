import { readArray, registerModelKind, writeArray, writeManifest } from './artifacts.js';
import { join } from 'node:path';
import type { History, Recommender, TrainingData } from './types.js';

export interface PopularityParams {
  /** 'count': most listed first. 'bayes': best Bayesian-average score first (mean shrunk toward the global mean). */
  mode: 'count' | 'bayes';
  /** Prior weight of the Bayesian average, in pseudo-ratings. */
  priorWeight: number;
  /** In 'bayes' mode, items listed by fewer users are ranked after all others (a 10/10 from two fans is not a hit). */
  minCount: number;
}

export const DEFAULT_POPULARITY_PARAMS: PopularityParams = { mode: 'count', priorWeight: 50, minCount: 20 };

/** The floor every other model must beat: the same list for everyone. */
export class PopularityRecommender implements Recommender {
  readonly kind = 'popularity';

  constructor(
    readonly itemScores: Float32Array,
    readonly params: PopularityParams,
  ) {}

  get nItems(): number {
    return this.itemScores.length;
  }

  scoreFoldIn(_history: History, out: Float32Array): void {
    out.set(this.itemScores);
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'item-scores.bin'), this.itemScores);
    writeManifest(dir, { kind: this.kind, formatVersion: 1, params: this.params });
  }
}

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

registerModelKind(
  'popularity',
  (dir, manifest) => new PopularityRecommender(readArray(join(dir, 'item-scores.bin'), Float32Array), manifest.params as PopularityParams),
);
