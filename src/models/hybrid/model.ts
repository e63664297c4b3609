import type { RankerModel } from '../ranker/index.js';
import type { History, Recommender } from '../types.js';
import { CandidateGenerator } from './candidates.js';
import { buildFeatures, featureNames, type BaseView } from './features.js';
import { topKIndices } from '../top-k.js';
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
 * Fallback tiers, one per component in order: an item the first component cannot judge (a title
 * nobody rated, for the collaborative ones) is ordered by the next that can (content), below
 * every item the earlier one judged. Each tier spans [0, 1] after normalisation, so a gap of 2
 * keeps the tiers apart.
 */
const FALLBACK_TIER_GAP = 2;

/**
 * How many candidates a filtered request gets at least: with a narrow filter (this season's titles,
 * one genre of one era) the components' eligible top lists may overlap or run dry (collaborative
 * models cannot score titles nobody rated), and titles past the candidates are only in fallback
 * order, not ranked.
 */
export const MIN_ELIGIBLE_CANDIDATES = 200;

/**
 * The anirec model: several recommenders each propose their top items for the user; a
 * LambdaMART ranker trained on held-out users re-ranks the union using the recommenders' scores
 * and ranks, item facts (popularity, scores, format, year) and how the item fits the user's
 * tastes and scores (genre affinity, franchise of titles they loved or disliked).
 */
export class AnirecHybrid implements Recommender {
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

  components(): ReadonlyMap<string, Recommender> {
    return new Map(this.generator.components.map((c) => [c.name, c.model]));
  }

  rankCandidates(history: History): RankedCandidates {
    return this.rank(history, false, undefined, null);
  }

  /**
   * `reuse`: the views may be the generator's reused buffers (only while serving one scoreFoldIn).
   * `fallbackOut`: when given, the fallback order for every item is written into it first; with
   * `eligible`, its best eligible items then top the candidates up to MIN_ELIGIBLE_CANDIDATES.
   */
  private rank(history: History, reuse: boolean, eligible: Uint8Array | undefined, fallbackOut: Float32Array | null): RankedCandidates {
    const generated = reuse ? this.generator.generateReusing(history, eligible) : this.generator.generate(history);
    const { views } = generated;
    let { candidates } = generated;
    if (fallbackOut !== null) {
      writeFallbackOrder(views, fallbackOut);
      if (eligible !== undefined && candidates.length < MIN_ELIGIBLE_CANDIDATES)
        candidates = this.topUp(history, candidates, eligible, fallbackOut);
    }
    const features = buildFeatures(history, candidates, views, this.stats);
    const predicted = this.ranker.predict(features, candidates.length);
    const order = Array.from(candidates.keys()).sort((a, b) => predicted[b]! - predicted[a]! || candidates[a]! - candidates[b]!);
    return {
      items: Int32Array.from(order, (i) => candidates[i]!),
      scores: Float32Array.from(order, (i) => predicted[i]!),
      views: new Map(this.generator.names.map((name, i) => [name, views[i]!])),
    };
  }

  private scratch: Float32Array | null = null;

  /** The candidates plus the best eligible items of the fallback order that are not yet among them. */
  private topUp(history: History, candidates: Int32Array, eligible: Uint8Array, fallback: Float32Array): Int32Array {
    const masked = (this.scratch ??= new Float32Array(this.nItems));
    for (let i = 0; i < this.nItems; i++) masked[i] = eligible[i] === 1 ? fallback[i]! : -Infinity;
    for (const item of history.items) masked[item] = -Infinity;
    for (const item of candidates) masked[item] = -Infinity;
    const extra = topKIndices(masked, MIN_ELIGIBLE_CANDIDATES - candidates.length);
    const out = new Int32Array(candidates.length + extra.length);
    out.set(candidates);
    out.set(extra, candidates.length);
    return out;
  }

  scoreFoldIn(history: History, out: Float32Array, eligible?: Uint8Array): void {
    const ranked = this.rank(history, true, eligible, out);
    for (let r = 0; r < ranked.items.length; r++) out[ranked.items[r]!] = ranked.scores[r]!;
  }

  async save(dir: string): Promise<void> {
    // Imported lazily: hybrid-artifacts imports this class to load models, and registers the
    // loader when first loaded.
    const { saveHybrid } = await import('./hybrid-artifacts.js');
    await saveHybrid(this, dir);
  }
}

/**
 * Every item's order below all candidates: by the first component that can judge it (tiers, see
 * FALLBACK_TIER_GAP), each component's scores scaled to [0, 1]. -Infinity only when no component
 * can judge the item.
 */
function writeFallbackOrder(views: readonly BaseView[], out: Float32Array): void {
  out.fill(-Infinity);
  const n = out.length;
  // Items no earlier tier could judge, shrinking tier by tier: most are judged by the first
  // components, so later tiers look at few items, and tiers after the last unjudged one at none.
  // (A plain loop: Int32Array.from with a mapping function is several times slower here.)
  const pending = new Int32Array(n);
  for (let i = 0; i < n; i++) pending[i] = i;
  let pendingCount = n;
  for (let tier = 0; tier < views.length && pendingCount > 0; tier++) {
    const { scores } = views[tier]!;
    let max = -Infinity;
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      // Finite scores only: NaN fails both comparisons, ±Infinity is excluded by name.
      if (s > max && s !== Infinity) max = s;
      if (s < min && s !== -Infinity) min = s;
    }
    if (max === -Infinity) continue;
    const span = max > min ? max - min : 1;
    const base = FALLBACK_BASE - FALLBACK_TIER_GAP * tier;
    let still = 0;
    for (let p = 0; p < pendingCount; p++) {
      const i = pending[p]!;
      const s = scores[i]!;
      // s - s is 0 exactly for finite s (NaN for NaN and ±Infinity).
      if (s - s === 0) out[i] = base + (s - min) / span;
      else pending[still++] = i;
    }
    pendingCount = still;
  }
}
