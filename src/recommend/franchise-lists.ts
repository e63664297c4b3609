/**
 * Lists with one card per franchise (the default; `franchise: 'all'` lists every title as before):
 * the rules live in data/franchises/cards.ts, shared with the offline evaluation; this module
 * applies them to the engine's rankings and builds each card's "+N more from <franchise>".
 */
import { cardHeads, hiddenByFranchise, listFranchises, type ListFranchises } from '../data/franchises/cards.js';
import { topKIndices } from '../models/top-k.js';
import type { AnimeSummary } from './catalog.js';
import type { ModelContext } from './model-context.js';
import { pageFromPool, poolSize, type Page, type PageRequest } from './paging.js';
import type { HistoryEntry } from './taste-profile.js';

export { FRANCHISE_MODES, type FranchiseMode } from '../wire/paging.js';

/** The other entries of a card's franchise that a click away shows. */
export interface FranchiseCard {
  /** The franchise's id: the MAL id of its first entry. */
  id: number;
  name: string;
  /** Its other entries the list may show (not listed, passing the filters), in release order. */
  more: { anime: AnimeSummary; score: number | null }[];
}

/** How many of a franchise's other entries a card carries (long-running franchises have a hundred). */
export const MAX_MORE = 20;

/** What a list means for franchises (started, dropped, watches specials). */
export function franchisesOfList(ctx: ModelContext, entries: readonly HistoryEntry[]): ListFranchises {
  const indexed: { index: number; status: HistoryEntry['status'] }[] = [];
  for (const entry of entries) {
    const index = ctx.bundle.itemIndex.get(entry.animeId);
    if (index !== undefined) indexed.push({ index, status: entry.status ?? null });
  }
  return listFranchises(ctx.franchiseItems, indexed);
}

/** Clears `eligible` where the title may not appear in a grouped list (before a filtered ranking). */
export function removeHidden(ctx: ModelContext, list: ListFranchises, eligible: Uint8Array, keepStarted: boolean): number {
  let count = 0;
  for (let i = 0; i < eligible.length; i++) {
    if (eligible[i] === 1 && hiddenByFranchise(ctx.franchiseItems, list, i, keepStarted)) eligible[i] = 0;
    count += eligible[i]!;
  }
  return count;
}

/**
 * A page of cards from a ranking (item indices best first, with their scores), or null when the
 * ranking runs out before the page is full and is not complete: the caller then ranks everything
 * (groupedSelect).
 */
export function groupedPageFromRanking(
  ctx: ModelContext,
  ranking: ArrayLike<number>,
  rankingScores: ArrayLike<number>,
  complete: boolean,
  exclude: Uint8Array | null,
  allowed: Uint8Array,
  list: ListFranchises,
  page: PageRequest,
  keepStarted: boolean,
): Page | null {
  const need = poolSize(page);
  const mayShow = (i: number): boolean => allowed[i] === 1 && (exclude === null || exclude[i] === 0);
  const heads = cardHeads(ctx.franchiseItems, list, ranking, need, keepStarted, mayShow);
  if (heads.positions.length < need && !complete) return null;
  return pageFromPool(
    ctx,
    heads.positions.map((r) => ranking[r]!),
    heads.positions.map((r) => rankingScores[r]!),
    page,
  );
}

/**
 * `selectPage` with one card per franchise, from scores over the whole catalogue (-Infinity =
 * cannot be recommended). Ranks a pool a few times the page first, and everything only when the
 * pool cannot fill the page (a narrow filter, a very deep page). `scores` is overwritten.
 */
export function groupedSelect(
  ctx: ModelContext,
  scores: Float32Array,
  exclude: Uint8Array | null,
  allowed: Uint8Array,
  list: ListFranchises,
  page: PageRequest,
  keepStarted: boolean,
): Page {
  for (let i = 0; i < scores.length; i++) if (allowed[i] === 0 || (exclude !== null && exclude[i] === 1)) scores[i] = -Infinity;
  let length = Math.min(scores.length, 4 * poolSize(page) + 64);
  for (;;) {
    const ranking = topKIndices(scores, length);
    const complete = ranking.length < length || length >= scores.length;
    const found = groupedPageFromRanking(
      ctx,
      ranking,
      Array.from(ranking, (i) => scores[i]!),
      complete,
      null,
      allowed,
      list,
      page,
      keepStarted,
    );
    if (found !== null) return found;
    length = scores.length;
  }
}

/**
 * The card's franchise with its other entries, or null for a title alone. `shown(item)` says
 * whether the list may show an entry (filters, not listed); `scoreOf` gives the model's score of
 * an entry when it was ranked.
 */
export function franchiseCard(
  ctx: ModelContext,
  animeId: number,
  shown: (animeId: number) => boolean,
  scoreOf: (animeId: number) => number | null,
): FranchiseCard | null {
  const franchise = ctx.catalog.franchises.of(animeId);
  if (franchise === undefined || franchise.entries.length < 2) return null;
  const more: FranchiseCard['more'] = [];
  for (const id of franchise.entries) {
    if (id === animeId || !shown(id)) continue;
    more.push({ anime: ctx.catalog.summary(id), score: scoreOf(id) });
    if (more.length >= MAX_MORE) break;
  }
  return { id: franchise.id, name: franchise.name, more };
}
