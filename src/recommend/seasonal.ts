/**
 * Seasonal lists ("This season for you"): a recommendation request for what is on now (a
 * `season` filter, or airing / upcoming titles only), where new seasons of series the user liked
 * come first. A sequel is the most dependable thing to recommend in a season, and the one a
 * collaborative model knows least about: it is new, so it has few or no ratings yet.
 */
import type { Anime } from '../data/types.js';
import type { UserRanking } from '../store/index.js';
import type { RankingTrace, RecommendationEngine, RecommendationList, RecommendedItem, RecommendOptions } from './engine.js';
import type { RecommendationFilters } from './filters.js';
import type { Reason } from './reasons.js';
import { franchisesOfList } from './franchise-lists.js';
import { ListedSeries, type SeriesMatch } from './series.js';
import { likeWeight, meanOf, type HistoryEntry } from './taste-profile.js';

/**
 * A season (or what is airing) has at most a few hundred titles: the engine ranks this many at
 * once, whatever the page, so every page is cut from the same order and the same scores.
 */
const SEASON_POOL = 400;

/** The reason of a title that continues a series on the list. */
export interface SeriesReason {
  kind: 'new_season';
  text: string;
  animeIds: number[];
}

export interface SeasonalItem extends Omit<RecommendedItem, 'score' | 'reasons'> {
  /** The model's score; null for a title the model cannot score yet (ranked by its series alone). */
  score: number | null;
  reasons: (Reason | SeriesReason)[];
}

export interface SeasonalList extends Omit<RecommendationList, 'items'> {
  items: SeasonalItem[];
}

/** True for filters that ask for what is on now: a season, or only airing and/or upcoming titles. */
export function isSeasonal(filters: RecommendationFilters): boolean {
  if (filters.season !== undefined) return true;
  return filters.status !== undefined && filters.status.length > 0 && !filters.status.includes('finished');
}

function seriesReason(match: SeriesMatch, entry: HistoryEntry, title: string): SeriesReason {
  const how =
    entry.score !== null && entry.score > 0
      ? `which you rated ${entry.score}/10`
      : entry.status === 'watching'
        ? 'which you are watching'
        : 'which you watched';
  return { kind: 'new_season', text: `New season of ${title}, ${how}`, animeIds: [match.listedId] };
}

/**
 * Known user or titles list with seasonal filters (isSeasonal; a season already resolved, not
 * `current`): the engine's ranking, with the titles that pass the filters and continue a liked
 * series on the list (series.ts) moved to the front (best-liked series first, then in the
 * engine's order) and their reason saying so. Those titles come from the catalogue, so a sequel
 * the model cannot score yet is still listed. Pages are slices of one deterministic order.
 */
export function seasonalRecommend(
  engine: RecommendationEngine,
  entries: readonly HistoryEntry[],
  options: RecommendOptions,
  seed = 0,
  precomputed: UserRanking | null = null,
  trace?: RankingTrace,
): SeasonalList {
  const filters = options.filters ?? {};
  const offset = options.offset ?? 0;
  const need = offset + options.k + 1;
  const ranked = engine.recommend(entries, { ...options, k: Math.max(SEASON_POOL, need), offset: 0 }, seed, precomputed, trace);
  const { catalog } = engine;

  const mean = meanOf(entries);
  const entryOf = new Map(entries.map((e) => [e.animeId, e]));
  const liked: { anime: Anime; weight: number }[] = [];
  for (const entry of entries) {
    const anime = catalog.get(entry.animeId);
    const weight = likeWeight(entry, mean);
    if (anime !== undefined && weight > 0) liked.push({ anime, weight });
  }
  const series = new ListedSeries(liked, catalog.franchises);
  const allowed = engine.filter(filters);
  const excludeListed = filters.excludeListed ?? true;
  const excludePlanned = filters.excludePlanned ?? true;
  const position = new Map(ranked.items.map((item, i) => [item.anime.id, i]));

  // Never a new season of a franchise the user dropped (in grouped lists, the default).
  const dropped = (options.franchise ?? 'group') === 'group' ? franchisesOfList(engine.ctx, entries).dropped : new Set<number>();
  const { itemIndex } = engine.ctx.bundle;
  const franchiseOf = (animeId: number): number => {
    const item = itemIndex.get(animeId);
    return item === undefined ? (catalog.franchises.of(animeId)?.id ?? animeId) : engine.ctx.franchiseItems.franchiseOf[item]!;
  };
  const continuations: { animeId: number; match: SeriesMatch }[] = [];
  for (const anime of catalog.anime) {
    if (!allowed(anime)) continue;
    if (dropped.size > 0 && dropped.has(franchiseOf(anime.animeId))) continue;
    const own = entryOf.get(anime.animeId);
    if (own !== undefined && (own.status === 'plan_to_watch' ? excludePlanned : excludeListed)) continue;
    const match = series.match(anime);
    if (match !== null) continuations.push({ animeId: anime.animeId, match });
  }
  const popularity = (id: number): number => catalog.popularityRank.get(id) ?? Number.MAX_SAFE_INTEGER;
  continuations.sort(
    (a, b) =>
      b.match.weight - a.match.weight ||
      (position.get(a.animeId) ?? Infinity) - (position.get(b.animeId) ?? Infinity) ||
      popularity(a.animeId) - popularity(b.animeId) ||
      a.animeId - b.animeId,
  );

  const first = new Set(continuations.map((c) => c.animeId));
  const ordered: SeasonalItem[] = continuations.map(({ animeId, match }) => {
    const found = position.get(animeId);
    const item = found === undefined ? null : ranked.items[found]!;
    const listedTitle = catalog.get(match.listedId)?.title ?? `anime ${match.listedId}`;
    const reason = seriesReason(match, entryOf.get(match.listedId)!, listedTitle);
    return {
      rank: 0,
      score: item?.score ?? null,
      anime: item?.anime ?? catalog.summary(animeId),
      franchise: item?.franchise ?? null,
      reason: reason.text,
      // The model's own new_title reason may name the same series ("continues X"): said once.
      reasons: [reason, ...(item?.reasons ?? []).filter((r) => !(r.kind === 'new_title' && r.animeIds?.includes(match.listedId)))],
    };
  });
  for (const item of ranked.items) if (!first.has(item.anime.id)) ordered.push(item);

  const page = ordered.slice(offset, offset + options.k).map((item, i) => ({ ...item, rank: offset + i + 1 }));
  // The engine was asked for more than the page needs, so `ordered` shows whether a next page exists.
  const hasMore = ordered.length > offset + options.k;
  const notes = [...ranked.notes];
  const unscored = page.filter((item) => item.score === null).length;
  if (unscored > 0)
    notes.push(
      `${unscored} title(s) here continue a series on your list but are new to the model: they are ranked by the series alone (score null).`,
    );
  return { ...ranked, items: page, offset, nextOffset: hasMore ? offset + page.length : null, notes };
}
