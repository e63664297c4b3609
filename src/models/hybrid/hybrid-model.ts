import type { RankerModel } from '../ranker/index.js';
import type { History, Recommender } from '../types.js';
import { CandidateGenerator } from './candidates.js';
import { buildFeatures, featureNames, type BaseView } from './features.js';
import type { ItemStats } from './item-stats.js';

/** The candidates of one request, ranked, with everything needed to explain them. */
export interface RankedCandidates {
  items: Int32Array;
  scores: Float32Array;
  /** Each component's view (scores and top list), by component name, for reasons. */
  views: Map<string, BaseView>;
}

/**
 * Non-candidates still get an order (filters in the API may reject most candidates), but always
 * below every candidate: the ranker's outputs are small numbers, this is far below them.
 */
const FALLBACK_BASE = -1e4;

/**
 * The anirec model: several recommenders each propose their top items for the user; a
 * LambdaMART ranker trained on held-out users re-ranks the union using the recommenders' scores
 * and ranks, item facts (popularity, scores, format, year) and how the item fits the user's
 * tastes and scores (genre affinity, franchise of titles they loved or disliked).
 */
export class HybridRecommender implements Recommender {
  readonly kind = 'anirec';
  readonly nItems: number;
  readonly featureNames: string[];

  constructor(
    readonly generator: CandidateGenerator,
    readonly stats: ItemStats,
    readonly ranker: RankerModel,
  ) {
    this.nItems = generator.nItems;
    this.featureNames = featureNames(generator.names);
  }

  rankCandidates(history: History): RankedCandidates {
    return this.rank(history, false);
  }

  /** `reuse`: the views may be the generator's reused buffers (only while serving one scoreFoldIn). */
  private rank(history: History, reuse: boolean): RankedCandidates {
    const { views, candidates } = reuse ? this.generator.generateReusing(history) : this.generator.generate(history);
    const features = buildFeatures(history, candidates, views, this.stats);
    const predicted = this.ranker.predict(features, candidates.length);
    const order = Array.from(candidates.keys()).sort((a, b) => predicted[b]! - predicted[a]! || candidates[a]! - candidates[b]!);
    return {
      items: Int32Array.from(order, (i) => candidates[i]!),
      scores: Float32Array.from(order, (i) => predicted[i]!),
      views: new Map(this.generator.names.map((name, i) => [name, views[i]!])),
    };
  }

  scoreFoldIn(history: History, out: Float32Array): void {
    const ranked = this.rank(history, true);
    const primary = ranked.views.get(this.generator.names[0]!)!.scores;
    let max = -Infinity;
    let min = Infinity;
    for (let i = 0; i < this.nItems; i++) {
      const s = primary[i]!;
      if (Number.isFinite(s)) {
        if (s > max) max = s;
        if (s < min) min = s;
      }
    }
    const span = max > min ? max - min : 1;
    for (let i = 0; i < this.nItems; i++) {
      const s = primary[i]!;
      out[i] = Number.isFinite(s) ? FALLBACK_BASE + (s - min) / span : -Infinity;
    }
    for (let r = 0; r < ranked.items.length; r++) out[ranked.items[r]!] = ranked.scores[r]!;
  }

  async save(dir: string): Promise<void> {
    // Imported lazily: hybrid-artifacts imports this class to load models, and registers the
    // loader when first loaded.
    const { saveHybrid } = await import('./hybrid-artifacts.js');
    await saveHybrid(this, dir);
  }
}
