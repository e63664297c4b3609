import type { AnimePredicate } from './filters.js';
import { createRng } from '../models/random.js';
import type { ModelContext } from './model-context.js';
import { selectPage, type Page, type PageRequest } from './paging.js';

/** How far down the popularity list the starter set reaches: well-known, not only the top 10. */
const STARTER_POOL = 400;
/** Titles below this MAL score are not "well-scored" enough to open with. */
const MIN_STARTER_SCORE = 7.3;

/**
 * Nothing known about the user: a diverse set of popular, well-scored titles. Each title's
 * relevance is popularity + MAL score + seeded noise, then MMR spreads the list across genres,
 * so two visitors (two seeds) see different, equally reasonable starting points instead of the
 * same ten blockbusters. The seed is returned so a client can page through one consistent list.
 */
export function starterPage(
  ctx: ModelContext,
  allowed: AnimePredicate,
  page: PageRequest,
  seed: number,
  /** Cuts the page from the scores (default selectPage; the engine groups franchises). */
  select: (scores: Float32Array) => Page = (scores) => selectPage(ctx, scores, null, allowed, page),
): Page {
  const { bundle, itemAnime } = ctx;
  const n = bundle.itemIds.length;
  const eligible: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = itemAnime[i];
    if (a !== undefined && (a.malScore ?? 0) >= MIN_STARTER_SCORE && allowed(a)) eligible.push(i);
  }
  eligible.sort((a, b) => bundle.popularity[b]! - bundle.popularity[a]! || a - b);
  // Strict filters (a niche genre, a hidden-gem rank) can leave few well-scored titles: then
  // everything that passes the filters is fair game, still ordered by popularity.
  let pool = eligible.slice(0, STARTER_POOL);
  if (pool.length < page.offset + page.k + 1) {
    const rest: number[] = [];
    for (let i = 0; i < n; i++) if (allowed(itemAnime[i])) rest.push(i);
    rest.sort((a, b) => bundle.popularity[b]! - bundle.popularity[a]! || a - b);
    pool = rest.slice(0, Math.max(STARTER_POOL, page.offset + page.k + 1));
  }
  // Seeded: the same seed gives the same starter list, so its pages stay consistent.
  const random = createRng(seed);
  const maxPop = Math.max(1e-9, ...pool.map((i) => bundle.popularity[i]!));
  const scores = new Float32Array(n).fill(-Infinity);
  for (const i of pool) {
    const quality = ((itemAnime[i]?.malScore ?? 6) - 6) / 3;
    scores[i] = bundle.popularity[i]! / maxPop + 0.5 * quality + 0.6 * random();
  }
  return select(scores);
}
