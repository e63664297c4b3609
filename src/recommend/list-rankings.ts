import { env } from '../env/env.js';
import { createHash } from 'node:crypto';
import type { History } from '../models/types.js';
import type { UserRanking } from '../store/index.js';
import { topKIndices } from '../models/top-k.js';
import { toHistory } from './fold-in.js';
import type { ModelContext } from './model-context.js';
import { selectPage, selectPageFromRanking, type Page, type PageRequest } from './paging.js';
import { EXPLAINED_LIKES, type LikedItem } from './reasons.js';
import { listContent, PRECOMPUTED_RANKING_LENGTH, RANKING_LENGTH, rankingKeyOf, type ScoredList } from './scored-list.js';
import { likeWeight, lovedTags, meanOf, type HistoryEntry } from './taste-profile.js';

/** A short fingerprint of a list's content (what a precomputed ranking was computed from). */
function fingerprint(content: string): string {
  return createHash('sha1').update(content).digest('base64url');
}

/** Where a recommendation's ranking came from: the score cache, a precomputed ranking, or the model. */
export type RankingSource = 'cached' | 'precomputed' | 'scored';

/**
 * The rankings of users' lists under one model: scoring a list, the cache of recently scored
 * lists, precomputed rankings, and the rankings of filtered requests. Part of an engine, which
 * is immutable apart from these caches.
 */
export class ListRankings {
  /**
   * Scratch buffers, reused: every request runs synchronously from scoring to the finished list,
   * so one request never sees another's data, and no catalogue-sized array is allocated per request.
   */
  private readonly scratchScores: Float32Array;
  private readonly scratchRanking = new Int32Array(Math.max(RANKING_LENGTH, PRECOMPUTED_RANKING_LENGTH));
  /** Recently scored lists by content, least recently used first (see scoredList). */
  private readonly scoreCache = new Map<string, ScoredList>();

  constructor(private readonly ctx: ModelContext) {
    this.scratchScores = new Float32Array(ctx.bundle.itemIds.length);
  }

  /**
   * The list's ranking: from the cache when an identical list was seen recently, else from a
   * precomputed ranking that still matches the list, else by scoring it. Scoring is most of a
   * request's cost (the hybrid runs five models and a ranker), and the same list comes back for
   * every page, filter change and reload, so recent lists are kept, keyed by a fingerprint of their
   * content (ids, scores and statuses): feedback changes the list and therefore the key, so a
   * cached ranking can never be stale, and a new model gets a new engine with an empty cache.
   */
  scoredList(key: string, entries: readonly HistoryEntry[], precomputed: UserRanking | null): { list: ScoredList; source: RankingSource } {
    const cached = this.scoreCache.get(key);
    if (cached !== undefined) {
      // Re-insert so the Map's order stays least-recently-used first.
      this.scoreCache.delete(key);
      this.scoreCache.set(key, cached);
      return { list: cached, source: 'cached' };
    }
    const fromStore = precomputed === null ? null : this.fromPrecomputed(key, entries, precomputed);
    const list = fromStore ?? this.score(entries);
    this.remember(key, list);
    return { list, source: fromStore !== null ? 'precomputed' : 'scored' };
  }

  /**
   * The ranking of a filtered request's eligible titles: cached like any scored list, under a key
   * of its own. `eligibleOf` builds the mask, only when the list is scored.
   */
  filteredList(
    filteredKey: string,
    entries: readonly HistoryEntry[],
    eligibleOf: () => Uint8Array,
  ): { list: ScoredList; source: RankingSource } {
    const cached = this.scoreCache.get(filteredKey);
    if (cached !== undefined) {
      this.remember(filteredKey, cached);
      return { list: cached, source: 'cached' };
    }
    const list = this.score(entries, eligibleOf());
    this.remember(filteredKey, list);
    return { list, source: 'scored' };
  }

  private remember(key: string, list: ScoredList): void {
    // An entry is a list's ranking, not its scores for the whole catalogue, so thousands fit and
    // cold traffic does not churn the catalogue's worth of floats per request through the GC.
    if (env.scoreCacheEntries <= 0) return;
    this.scoreCache.delete(key);
    if (this.scoreCache.size >= env.scoreCacheEntries) this.scoreCache.delete(this.scoreCache.keys().next().value!);
    this.scoreCache.set(key, list);
  }

  /**
   * Runs the model on a history and keeps its best `length` items, best first. The scores for the
   * whole catalogue stay in the scratch buffer until the next call (a scan may need them).
   */
  private rankHistory(history: History, length: number, eligible?: Uint8Array): { ranking: Int32Array; rankingScores: Float32Array } {
    const scores = this.scratchScores;
    if (history.items.length > 0) this.ctx.bundle.recommender.scoreFoldIn(history, scores, eligible);
    else scores.fill(-Infinity);
    if (eligible !== undefined) for (let i = 0; i < scores.length; i++) if (eligible[i] === 0) scores[i] = -Infinity;
    const top = topKIndices(scores, length, this.scratchRanking);
    // Kept for as long as the list stays cached: both arrays in one buffer, one allocation.
    const buffer = new ArrayBuffer(top.length * 8);
    const ranking = new Int32Array(buffer, 0, top.length);
    const rankingScores = new Float32Array(buffer, top.length * 4, top.length);
    ranking.set(top);
    for (let r = 0; r < ranking.length; r++) rankingScores[r] = scores[ranking[r]!]!;
    return { ranking, rankingScores };
  }

  /** `eligible`: rank only these items, with candidates chosen among them (a filtered request). */
  private score(entries: readonly HistoryEntry[], eligible?: Uint8Array): ScoredList {
    const { history, unknown } = toHistory(this.ctx.bundle, entries);
    const { ranking, rankingScores } = this.rankHistory(history, RANKING_LENGTH, eligible);
    return {
      history,
      unknown,
      ranking,
      rankingScores,
      rankingComplete: ranking.length < RANKING_LENGTH,
      origin: 'scored',
      liked: this.likedItems(entries),
      loved: lovedTags(entries, this.ctx.catalog, this.ctx.baseline),
    };
  }

  /** Which model this engine's precomputed rankings belong to (see rankingKeyOf). */
  get rankingKey(): string {
    return rankingKeyOf(this.ctx.bundle);
  }

  /** A short fingerprint of a list (what a precomputed ranking was computed from). */
  listKey(entries: readonly HistoryEntry[]): string {
    return fingerprint(listContent(entries));
  }

  /** A known user's best `length` titles for `anirec precompute` (not cached: each list is seen once). */
  rankList(userId: number, entries: readonly HistoryEntry[], length = PRECOMPUTED_RANKING_LENGTH): UserRanking {
    const { ranking, rankingScores } = this.rankHistory(toHistory(this.ctx.bundle, entries).history, length);
    return {
      userId,
      listKey: this.listKey(entries),
      animeIds: Int32Array.from(ranking, (i) => this.ctx.bundle.itemIds[i]!),
      scores: rankingScores,
    };
  }

  /**
   * A precomputed ranking as a ScoredList: only its titles have scores, so pages it cannot fill
   * are recomputed. Null when it no longer matches the list (feedback since) or has no usable titles.
   */
  private fromPrecomputed(key: string, entries: readonly HistoryEntry[], ranking: UserRanking): ScoredList | null {
    if (ranking.listKey !== key) return null;
    const { history, unknown } = toHistory(this.ctx.bundle, entries);
    if (history.items.length === 0) return null;
    const items: number[] = [];
    const scores: number[] = [];
    ranking.animeIds.forEach((animeId, r) => {
      const item = this.ctx.bundle.itemIndex.get(animeId);
      if (item === undefined) return;
      items.push(item);
      scores.push(ranking.scores[r]!);
    });
    return {
      history,
      unknown,
      ranking: Int32Array.from(items),
      rankingScores: Float32Array.from(scores),
      rankingComplete: false,
      origin: 'precomputed',
      liked: this.likedItems(entries),
      loved: lovedTags(entries, this.ctx.catalog, this.ctx.baseline),
    };
  }

  /** The titles the user liked, strongest first (reasons read the strongest few on every request). */
  private likedItems(entries: readonly HistoryEntry[]): LikedItem[] {
    const mean = meanOf(entries);
    const liked: LikedItem[] = [];
    for (const entry of entries) {
      const item = this.ctx.bundle.itemIndex.get(entry.animeId);
      const weight = likeWeight(entry, mean);
      if (item !== undefined && weight > 0) liked.push({ item, weight, score: entry.score ?? 0 });
    }
    // Only the strongest are ever read; a cached list keeps just those (a known user lists ~100).
    return liked.sort((a, b) => b.weight - a.weight).slice(0, EXPLAINED_LIKES);
  }

  /**
   * A page of an unfiltered request: from the list's kept ranking, re-scored when a stored
   * (shorter) precomputed ranking cannot fill it, and from a scan of the catalogue when even the
   * list's best RANKING_LENGTH titles cannot.
   */
  unfilteredPage(
    key: string,
    entries: readonly HistoryEntry[],
    scored: ScoredList,
    exclude: Uint8Array,
    allowed: Uint8Array,
    page: PageRequest,
  ): { page: Page; rescored: boolean } {
    let result = selectPageFromRanking(this.ctx, scored.ranking, scored.rankingScores, scored.rankingComplete, exclude, allowed, page);
    let list = scored;
    let scratchHoldsScores = false;
    let rescored = false;
    if (result === null && list.origin === 'precomputed') {
      list = this.score(entries);
      scratchHoldsScores = true;
      this.remember(key, list);
      rescored = true;
      result = selectPageFromRanking(this.ctx, list.ranking, list.rankingScores, list.rankingComplete, exclude, allowed, page);
    }
    if (result === null) {
      rescored = true;
      if (!scratchHoldsScores) this.ctx.bundle.recommender.scoreFoldIn(list.history, this.scratchScores);
      result = selectPage(this.ctx, this.scratchScores, exclude, allowed, page);
    }
    return { page: result, rescored };
  }

  /**
   * A page of a filtered request from the ranking of its eligible titles; deeper than that
   * ranking, the eligible titles are scored again and scanned.
   */
  filteredPage(scored: ScoredList, exclude: Uint8Array, allowed: Uint8Array, eligibleOf: () => Uint8Array, page: PageRequest): Page {
    const result = selectPageFromRanking(this.ctx, scored.ranking, scored.rankingScores, scored.rankingComplete, exclude, allowed, page);
    if (result !== null) return result;
    const eligible = eligibleOf();
    this.ctx.bundle.recommender.scoreFoldIn(scored.history, this.scratchScores, eligible);
    return selectPage(this.ctx, this.scratchScores, exclude, allowed, page);
  }
}
