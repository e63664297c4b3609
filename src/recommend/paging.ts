import { topKIndices } from '../models/top-k.js';
import { mmr } from './diversity.js';
import type { AnimePredicate } from './filters.js';
import type { ModelContext } from './model-context.js';

export interface PageRequest {
  k: number;
  /** Items to skip: page 2 of size 10 is offset 10. Rankings are deterministic, so pages never repeat. */
  offset: number;
  /** MMR λ in [0, 1]; 0 = pure relevance. */
  diversity: number;
}

export interface Page {
  items: number[];
  scores: number[];
  /** True when at least one more eligible item exists after this page. */
  hasMore: boolean;
}

/**
 * One page of the best eligible items. Paging re-ranks from the top each time (offset + k + 1
 * items, diversified the same way), so page 2 is exactly what page 1 would have shown next: no
 * repeats and no gaps, without server-side cursors.
 *
 * `allowed` is a compiled filter or, faster, its precomputed 0/1 mask over item indices (see
 * RecommendationEngine.allowedMask). `scores` is overwritten with the masked scores (-Infinity
 * for what may not be shown): callers pass a buffer of their own, so no catalogue-sized copy is
 * made per request.
 */
export function selectPage(ctx: ModelContext, scores: Float32Array, exclude: Uint8Array | null, allowed: AnimePredicate | Uint8Array, page: PageRequest): Page {
  const masked = scores;
  const n = scores.length;
  if (allowed instanceof Uint8Array) {
    if (exclude !== null) {
      for (let i = 0; i < n; i++) if (exclude[i] === 1 || allowed[i] === 0) masked[i] = -Infinity;
    } else {
      for (let i = 0; i < n; i++) if (allowed[i] === 0) masked[i] = -Infinity;
    }
  } else {
    const { itemAnime } = ctx;
    for (let i = 0; i < n; i++) if ((exclude !== null && exclude[i] === 1) || !allowed(itemAnime[i])) masked[i] = -Infinity;
  }
  const need = page.offset + page.k + 1;
  let ranked: number[];
  if (page.diversity > 0) {
    const pool = Array.from(topKIndices(masked, Math.max(need * 3, need + 30)));
    ranked = mmr(pool, pool.map((i) => masked[i]!), need, page.diversity, (a, b) => ctx.tagSimilarity.pair(a, b));
  } else {
    ranked = Array.from(topKIndices(masked, need));
  }
  const items = ranked.slice(page.offset, page.offset + page.k);
  return { items, scores: items.map((i) => masked[i]!), hasMore: ranked.length > page.offset + page.k };
}

/** Scores for a sparse candidate set: everything else cannot be recommended. */
export function sparseScores(n: number, candidates: ReadonlyMap<number, number>, out: Float32Array = new Float32Array(n)): Float32Array {
  out.fill(-Infinity);
  for (const [item, s] of candidates) out[item] = s;
  return out;
}
