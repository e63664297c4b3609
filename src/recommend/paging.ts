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
export function selectPage(
  ctx: ModelContext,
  scores: Float32Array,
  exclude: Uint8Array | null,
  allowed: AnimePredicate | Uint8Array,
  page: PageRequest,
): Page {
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
  const pool = Array.from(topKIndices(masked, poolSize(page)));
  return pageFromPool(
    ctx,
    pool,
    pool.map((i) => masked[i]!),
    page,
  );
}

/** How many of the best eligible items a page needs: the page, one more (is there a next page?), and MMR's choice. */
export function poolSize(page: PageRequest): number {
  const need = page.offset + page.k + 1;
  return page.diversity > 0 ? Math.max(need * 3, need + 30) : need;
}

/** The page out of the best eligible items (best first) and their scores, diversified if asked. */
export function pageFromPool(ctx: ModelContext, pool: number[], poolScores: number[], page: PageRequest): Page {
  const need = page.offset + page.k + 1;
  if (page.diversity > 0) {
    const ranked = mmr(pool, poolScores, need, page.diversity, (a, b) => ctx.tagSimilarity.pair(a, b));
    const scoreOf = new Map(pool.map((item, i) => [item, poolScores[i]!]));
    const items = ranked.slice(page.offset, page.offset + page.k);
    return { items, scores: items.map((i) => scoreOf.get(i)!), hasMore: ranked.length > page.offset + page.k };
  }
  const items = pool.slice(page.offset, page.offset + page.k);
  return {
    items,
    scores: poolScores.slice(page.offset, page.offset + page.k),
    hasMore: Math.min(pool.length, need) > page.offset + page.k,
  };
}

/**
 * `selectPage` from a precomputed ranking instead of a scan of the catalogue: `ranking` holds
 * the best items, best first (ties: lower index first, as topKIndices orders them), with their
 * scores in `rankingScores`, and is complete when `complete` (every item that has a finite score
 * is in it). Walking it and skipping ineligible items gives exactly the page a full scan gives,
 * in O(page) instead of O(catalogue). Returns null when the ranking runs out before the page is
 * full and is not complete (narrow filters, deep pages): the caller then scores and scans.
 */
export function selectPageFromRanking(
  ctx: ModelContext,
  ranking: Int32Array,
  rankingScores: Float32Array,
  complete: boolean,
  exclude: Uint8Array | null,
  allowed: Uint8Array,
  page: PageRequest,
): Page | null {
  const size = poolSize(page);
  const pool: number[] = [];
  const poolScores: number[] = [];
  for (let r = 0; r < ranking.length && pool.length < size; r++) {
    const item = ranking[r]!;
    if (allowed[item] === 1 && (exclude === null || exclude[item] === 0)) {
      pool.push(item);
      poolScores.push(rankingScores[r]!);
    }
  }
  if (pool.length < size && !complete) return null;
  return pageFromPool(ctx, pool, poolScores, page);
}

/** Scores for a sparse candidate set: everything else cannot be recommended. */
export function sparseScores(n: number, candidates: ReadonlyMap<number, number>, out: Float32Array = new Float32Array(n)): Float32Array {
  out.fill(-Infinity);
  for (const [item, s] of candidates) out[item] = s;
  return out;
}
