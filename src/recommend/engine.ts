import type { ModelBundle } from '../models/bundle.js';
import type { Store, UserRanking } from '../store/index.js';
import { Catalog, type AnimeSummary } from './catalog.js';
import { compileFilters, type AnimePredicate, type RecommendationFilters } from './filters.js';
import { buildModelContext, buildModelContextWith, type ModelContext } from './model-context.js';
import { selectPage, sparseScores, type Page, type PageRequest } from './paging.js';
import { matchedLikes, preferenceFilters, resolvePreferences, scorePreferences, type Preferences } from './preferences.js';
import { popularReason, ReasonBuilder, tasteReason, type Reason } from './reasons.js';
import { similarScores, widenWithTags, type SimilarityMode } from './similar-items.js';
import { UserIndex, type SimilarUser } from './similar-users.js';
import { starterPage } from './starter.js';
import { computeBaseline, tasteProfile, type HistoryEntry, type TasteProfile } from './taste-profile.js';
import { animeOf, type StoreSnapshot } from './store-snapshot.js';
import type { TimeSlicer } from './time-slicer.js';
import { TitleIndex, type TitleMatch } from './title-search.js';
import { ListRankings, type RankingSource } from './list-rankings.js';
import type { ScoredList } from './scored-list.js';
import {
  franchiseCard,
  franchisesOfList,
  groupedPageFromRanking,
  groupedSelect,
  removeHidden,
  type FranchiseCard,
  type FranchiseMode,
} from './franchise-lists.js';
import { isSeasonal } from './seasonal.js';
import { NO_LIST, type ListFranchises } from '../data/franchises/cards.js';
import { FILTER_FIELDS, LIST_RELATIVE_FILTER_FIELDS } from '../wire/filters.js';

export type { RankingSource } from './list-rankings.js';

export interface RecommendOptions {
  k: number;
  offset?: number;
  filters?: RecommendationFilters;
  /** MMR λ in [0, 1]; default 0 (starter lists default to 0.3: they should span genres). */
  diversity?: number;
  /** 'group' (default): one card per franchise, later entries held back (franchise-lists.ts); 'all': every title. */
  franchise?: FranchiseMode;
}

export interface RecommendedItem {
  rank: number;
  score: number;
  anime: AnimeSummary;
  /** The main reason as one sentence. */
  reason: string;
  reasons: Reason[];
  /** The franchise this card stands for, with its other entries; null for a title alone or in `franchise: 'all'` lists. */
  franchise: FranchiseCard | null;
}

export interface RecommendationList {
  items: RecommendedItem[];
  offset: number;
  /** Offset of the next page, or null when there is nothing more to show. */
  nextOffset: number | null;
  model: { kind: string; version: string };
  /** Anything the caller should know: titles the model does not know, fallbacks used. */
  notes: string[];
}

export interface SimilarList extends RecommendationList {
  modeUsed: SimilarityMode;
}

/** What a grouped list's cards need to list their franchises' other entries (see RecommendationEngine.list). */
interface CardContext {
  allowed: Uint8Array;
  exclude: Uint8Array | null;
  /** The model's score of an item it ranked, else null. */
  scoreOf: (item: number) => number | null;
}

/** scoreOf for a ranking kept as item indices and their scores. */
function rankingScoreOf(ranking: ArrayLike<number>, rankingScores: ArrayLike<number>): (item: number) => number | null {
  let scores: Map<number, number> | null = null;
  return (item) => {
    if (scores === null) {
      scores = new Map();
      for (let r = 0; r < ranking.length; r++) scores.set(ranking[r]!, rankingScores[r]!);
    }
    return scores.get(item) ?? null;
  };
}

/** scoreOf for scores over the whole catalogue (-Infinity: not ranked). */
function arrayScoreOf(scores: Float32Array): (item: number) => number | null {
  return (item) => (Number.isFinite(scores[item]!) ? scores[item]! : null);
}

/** A ranking rule of the "nothing else to go on" kind; the starter list uses it. */
const DEFAULT_STARTER_DIVERSITY = 0.3;

/** Compiled filter masks kept per engine (a mask is one byte per title: ~14 kB). */
const MASK_CACHE_SIZE = 256;

/**
 * The filter fields that decide which catalogue titles may be shown, in the schema's order: the
 * mask cache key. Derived from the filter schema, so a new filter can never be left out of the key
 * (two requests differing only in it would share a mask).
 */
const MASK_FIELDS = FILTER_FIELDS.filter((field) => !(LIST_RELATIVE_FILTER_FIELDS as readonly string[]).includes(field));

function maskKey(filters: RecommendationFilters): string {
  return JSON.stringify(MASK_FIELDS.map((field) => filters[field] ?? null));
}

/** The mask key of a request without filters (adult titles are still left out). */
const UNFILTERED = maskKey({});

/**
 * Every recommendation mode over one loaded model and one catalogue snapshot. Immutable after
 * `create`: the server builds a new engine for a new model and swaps the reference, so a request
 * that started on the old engine finishes on it.
 */
/**
 * Where a `recommend` call got its ranking (the score cache, a precomputed ranking, or the model),
 * written into an object the caller passes, for metrics: the engine itself stays immutable.
 */
export interface RankingTrace {
  source: RankingSource;
}

export class RecommendationEngine {
  readonly titles: TitleIndex;
  /** Filter masks by maskKey, least recently used first (requests mostly repeat a few filter sets). */
  private readonly masks = new Map<string, Uint8Array>();
  /** Scratch buffers for one request at a time (requests run synchronously; see ListRankings). */
  private readonly scratchScores: Float32Array;
  private readonly scratchExclude: Uint8Array;
  private readonly scratchEligible: Uint8Array;
  private readonly rankings: ListRankings;

  private constructor(
    readonly ctx: ModelContext,
    readonly users: UserIndex,
    readonly version: string,
    titles: TitleIndex = new TitleIndex(ctx.catalog),
    /** Fingerprint of the catalogue, when it came from a store snapshot (see fromSnapshot). */
    readonly catalogHash: string | null = null,
  ) {
    this.titles = titles;
    this.scratchScores = new Float32Array(ctx.bundle.itemIds.length);
    this.scratchExclude = new Uint8Array(ctx.bundle.itemIds.length);
    this.scratchEligible = new Uint8Array(ctx.bundle.itemIds.length);
    this.rankings = new ListRankings(ctx);
    this.allowedMask({}); // the default filter, ready for the first request
  }

  /** Loads the catalogue and the interaction snapshot (for profiles and similar users) from the store. */
  static async create(bundle: ModelBundle, store: Store, version: string): Promise<RecommendationEngine> {
    const catalog = await Catalog.load(store);
    const columns = await store.allInteractions();
    const ctx = buildModelContext(bundle, catalog, computeBaseline(columns, catalog));
    return new RecommendationEngine(ctx, new UserIndex(columns), version);
  }

  /**
   * The same engine from a store snapshot read elsewhere (a worker thread: readInWorker), with
   * the catalogue built in slices of the event loop when a slicer is given: how a server builds
   * a new model next to the one it keeps serving. When the snapshot left the
   * catalogue out (unchanged since `previous` was built), `previous`'s catalogue and title index
   * are shared: both are read-only.
   */
  static async fromSnapshot(
    bundle: ModelBundle,
    snapshot: StoreSnapshot,
    version: string,
    slicer: TimeSlicer | null = null,
    previous: RecommendationEngine | null = null,
  ): Promise<RecommendationEngine> {
    let catalog: Catalog;
    let titles: TitleIndex;
    if (snapshot.catalogue === null) {
      if (previous?.catalogHash !== snapshot.catalogHash)
        throw new Error('store snapshot without its catalogue, and no engine with that catalogue to share it with');
      catalog = previous.catalog;
      titles = previous.titles;
    } else {
      catalog = await Catalog.build(await animeOf(snapshot.catalogue.animeChunks, slicer), snapshot.catalogue.relations, slicer);
      titles = new TitleIndex(catalog, snapshot.catalogue.titles);
    }
    const ctx = buildModelContextWith(bundle, catalog, snapshot.baseline, snapshot.tags);
    const users = new UserIndex(snapshot.users);
    await slicer?.maybeYield();
    return new RecommendationEngine(ctx, users, version, titles, snapshot.catalogHash);
  }

  /** Which model this engine's precomputed rankings belong to (see rankingKeyOf). */
  get rankingKey(): string {
    return this.rankings.rankingKey;
  }

  /** A known user's best `length` titles for `anirec precompute` (not cached: each list is seen once). */
  rankList(userId: number, entries: readonly HistoryEntry[], length?: number): UserRanking {
    return this.rankings.rankList(userId, entries, length);
  }

  get catalog(): Catalog {
    return this.ctx.catalog;
  }

  get modelInfo(): { kind: string; version: string } {
    return { kind: this.ctx.bundle.manifest.kind, version: this.version };
  }

  /** Compiles filters; throws FilterError (→ 400) for names the catalogue does not know. */
  filter(filters: RecommendationFilters = {}): AnimePredicate {
    return compileFilters(filters, this.ctx.catalog);
  }

  /**
   * The filters as a 0/1 mask over item indices (1 = may be shown), compiled once per distinct
   * filter set and cached. Throws FilterError like `filter`. The mask is shared: never write to it.
   */
  allowedMask(filters: RecommendationFilters = {}, key = maskKey(filters)): Uint8Array {
    let mask = this.masks.get(key);
    if (mask !== undefined) {
      this.masks.delete(key);
      this.masks.set(key, mask);
      return mask;
    }
    const predicate = compileFilters(filters, this.ctx.catalog);
    const { itemAnime } = this.ctx;
    mask = new Uint8Array(itemAnime.length);
    for (let i = 0; i < itemAnime.length; i++) mask[i] = predicate(itemAnime[i]) ? 1 : 0;
    if (this.masks.size >= MASK_CACHE_SIZE) this.masks.delete(this.masks.keys().next().value!);
    this.masks.set(key, mask);
    return mask;
  }

  private page(options: RecommendOptions, defaultDiversity = 0): PageRequest {
    return { k: options.k, offset: options.offset ?? 0, diversity: options.diversity ?? defaultDiversity };
  }

  /**
   * `cards`: for a grouped list, which entries of a card's franchise it may show (filters, not
   * on the list) and the model's scores of the ones it ranked.
   */
  private list(
    page: Page,
    offset: number,
    reasons: (item: number) => Reason[],
    notes: string[],
    cards: CardContext | null = null,
  ): RecommendationList {
    const { itemIds, itemIndex } = this.ctx.bundle;
    const shown = (animeId: number): boolean => {
      const item = itemIndex.get(animeId);
      return item !== undefined && cards!.allowed[item] === 1 && (cards!.exclude === null || cards!.exclude[item] === 0);
    };
    const scoreOf = (animeId: number): number | null => {
      const item = itemIndex.get(animeId);
      return item === undefined ? null : cards!.scoreOf(item);
    };
    return {
      items: page.items.map((item, i) => {
        const r = reasons(item);
        const animeId = itemIds[item]!;
        const franchise = cards === null ? null : franchiseCard(this.ctx, animeId, shown, scoreOf);
        return {
          rank: offset + i + 1,
          score: page.scores[i]!,
          anime: this.ctx.catalog.summary(animeId),
          reason: r[0]!.text,
          reasons: r,
          franchise,
        };
      }),
      offset,
      nextOffset: page.hasMore ? offset + page.items.length : null,
      model: this.modelInfo,
      notes,
    };
  }

  /**
   * Known user or new user from titles: fold-in of their list, filtered, paged, explained.
   * An empty (or entirely unknown) list falls back to the starter set rather than failing.
   */
  recommend(
    entries: readonly HistoryEntry[],
    options: RecommendOptions,
    seed = 0,
    precomputed: UserRanking | null = null,
    trace?: RankingTrace,
  ): RecommendationList {
    const filters = options.filters ?? {};
    const mask = maskKey(filters);
    const allowed = this.allowedMask(filters, mask);
    const page = this.page(options);
    const exclude = this.scratchExclude.fill(0);
    const excludeListed = filters.excludeListed ?? true;
    const excludePlanned = filters.excludePlanned ?? true;
    for (const entry of entries) {
      const item = this.ctx.bundle.itemIndex.get(entry.animeId);
      if (item === undefined) continue;
      const planned = entry.status === 'plan_to_watch';
      if (planned ? excludePlanned : excludeListed) exclude[item] = 1;
    }
    // The list's fingerprint keys the cache (27 characters instead of the list's content, which is
    // ~20 characters per entry) and is what a precomputed ranking was stored under.
    const key = this.rankings.listKey(entries);
    const filtered = mask !== UNFILTERED;
    // Grouped lists hold back what the list's franchises rule out (franchise-lists.ts); seasonal
    // lists keep new seasons of what the user watches, and a re-watch list (excludeListed: false)
    // the user's own franchises.
    const franchises = (options.franchise ?? 'group') === 'group' ? franchisesOfList(this.ctx, entries) : null;
    const keepStarted = isSeasonal(filters) || !excludeListed;
    // Filters restrict the candidates before ranking: a filtered request gets a ranking of the
    // titles it allows (kept per list and filter set), so a narrow filter (this season, one era)
    // gets the model's order of those titles, not what of an unfiltered short list survives it.
    // The eligible mask is a pass over the whole catalogue (and the franchise rules), needed only
    // when the filtered ranking is scored, rescanned or explained in a note: a cached filtered
    // ranking usually fills the page without it, so it is built on first use.
    let eligibleMask: Uint8Array | null = null;
    let eligibleCount = 0;
    const eligibleOf = (): Uint8Array => {
      if (eligibleMask !== null) return eligibleMask;
      const built = this.scratchEligible;
      for (let i = 0; i < built.length; i++) eligibleCount += built[i] = allowed[i] === 1 && exclude[i] === 0 ? 1 : 0;
      if (franchises !== null) eligibleCount = removeHidden(this.ctx, franchises, built, keepStarted);
      return (eligibleMask = built);
    };
    const grouping = franchises === null ? 'a' : keepStarted ? 's' : 'g';
    const found = filtered
      ? this.rankings.filteredList(`${key}|${mask}|${excludeListed ? 1 : 0}${excludePlanned ? 1 : 0}${grouping}`, entries, eligibleOf)
      : this.rankings.scoredList(key, entries, precomputed);
    const scored = found.list;
    if (trace) trace.source = found.source;
    const notes: string[] = [];
    const { unknown } = scored;
    if (unknown.length > 0)
      notes.push(`${unknown.length} listed title(s) are unknown to the model and were ignored: ${unknown.slice(0, 10).join(', ')}`);
    if (scored.history.items.length === 0) {
      notes.push('No usable history: showing the starter set of popular, well-scored titles.');
      return this.starterList(options, seed, notes);
    }
    let result: Page;
    if (franchises !== null) {
      result = this.groupedPage(scored, exclude, allowed, filtered ? eligibleOf : null, franchises, keepStarted, page, trace);
    } else if (!filtered) {
      const unfiltered = this.rankings.unfilteredPage(key, entries, scored, exclude, allowed, page);
      result = unfiltered.page;
      if (unfiltered.rescored && trace) trace.source = 'scored';
    } else {
      result = this.rankings.filteredPage(scored, exclude, allowed, eligibleOf, page);
    }
    if (filtered && result.items.length < page.k && scored.rankingComplete) {
      eligibleOf();
      const left = excludeListed || excludePlanned ? ' once the titles on the list are left out' : '';
      const ranked = scored.ranking.length;
      notes.push(
        ranked < eligibleCount
          ? `${eligibleCount} title(s) match these filters${left}, but the ${this.ctx.bundle.manifest.kind} model can rank only ${ranked} of them: it cannot score titles nobody in its training data listed (the default anirec model can).`
          : franchises !== null
            ? `Only ${page.offset + result.items.length} title(s) or franchise(s) match these filters${left}.`
            : `Only ${ranked} title(s) match these filters${left}.`,
      );
    }
    const reasons = new ReasonBuilder(this.ctx.bundle, this.ctx.catalog, this.ctx.sources, scored.liked, scored.loved, result.items);
    const cards = franchises === null ? null : { allowed, exclude, scoreOf: rankingScoreOf(scored.ranking, scored.rankingScores) };
    return this.list(result, page.offset, (item) => reasons.explain(item), notes, cards);
  }

  /**
   * A page of cards (one per franchise) from the list's kept ranking; when the ranking cannot fill
   * it (hidden titles, a narrow filter, a deep page), from the model's scores for every title.
   */
  private groupedPage(
    scored: ScoredList,
    exclude: Uint8Array,
    allowed: Uint8Array,
    eligibleOf: (() => Uint8Array) | null,
    franchises: ListFranchises,
    keepStarted: boolean,
    page: PageRequest,
    trace?: RankingTrace,
  ): Page {
    const fromRanking = groupedPageFromRanking(
      this.ctx,
      scored.ranking,
      scored.rankingScores,
      scored.rankingComplete,
      exclude,
      allowed,
      franchises,
      page,
      keepStarted,
    );
    if (fromRanking !== null) return fromRanking;
    if (trace) trace.source = 'scored';
    const eligible = eligibleOf?.() ?? null;
    this.ctx.bundle.recommender.scoreFoldIn(scored.history, this.scratchScores, eligible ?? undefined);
    return groupedSelect(this.ctx, this.scratchScores, exclude, eligible ?? allowed, franchises, page, keepStarted);
  }

  /** Nothing known: a seeded, diverse set of popular well-scored titles. */
  starter(options: RecommendOptions, seed: number): RecommendationList {
    return this.starterList(options, seed, []);
  }

  private starterList(options: RecommendOptions, seed: number, notes: string[]): RecommendationList {
    const page = this.page(options, DEFAULT_STARTER_DIVERSITY);
    const grouped = (options.franchise ?? 'group') === 'group';
    const allowed = this.allowedMask(options.filters);
    let cards: CardContext | null = null;
    const result = starterPage(this.ctx, this.filter(options.filters), page, seed, (scores) => {
      if (!grouped) return selectPage(this.ctx, scores, null, allowed, page);
      cards = { allowed, exclude: null, scoreOf: arrayScoreOf(scores) };
      return groupedSelect(this.ctx, scores, null, allowed, NO_LIST, page, false);
    });
    return this.list(result, page.offset, (item) => [popularReason(this.ctx.bundle.itemIds[item]!, this.ctx.catalog)], notes, cards);
  }

  /** New user from liked/disliked genres, themes, studios, formats and era. */
  fromPreferences(prefs: Preferences, options: RecommendOptions): RecommendationList {
    const resolved = resolvePreferences(prefs, this.ctx);
    const allowed = this.allowedMask(preferenceFilters(prefs, resolved, options.filters ?? {}));
    const page = this.page(options);
    const scored = scorePreferences(this.ctx, resolved, allowed);
    const grouped = (options.franchise ?? 'group') === 'group';
    const result = grouped
      ? groupedSelect(this.ctx, scored.scores, null, scored.allowed, NO_LIST, page, false)
      : selectPage(this.ctx, scored.scores, null, scored.allowed, page);
    const cards = grouped ? { allowed: scored.allowed, exclude: null, scoreOf: arrayScoreOf(scored.scores) } : null;
    const { itemIds } = this.ctx.bundle;
    const seedNames = scored.seeds.slice(0, 2).map((i) => this.ctx.catalog.get(itemIds[i]!)?.title ?? `anime ${itemIds[i]}`);
    const notes =
      resolved.liked.size + resolved.studios.size === 0
        ? ['No liked genres, themes or studios given: ranking by popularity and score within your constraints.']
        : [];
    if (result.items.length < page.k) notes.push(`Only ${page.offset + result.items.length} title(s) match these preferences and filters.`);
    return this.list(
      result,
      page.offset,
      (item) => {
        const a = this.ctx.itemAnime[item];
        const matched = a ? matchedLikes(a, resolved, this.ctx).slice(0, 3) : [];
        if (matched.length > 0) return [{ ...tasteReason(matched), kind: 'preferences' }];
        if (seedNames.length > 0) return [{ kind: 'similar_users', text: `Popular with fans of ${seedNames.join(' and ')}` }];
        return [popularReason(itemIds[item]!, this.ctx.catalog)];
      },
      notes,
      cards,
    );
  }

  /** More like this: similar titles to one title, by co-listing, content, or both. */
  similar(animeId: number, mode: SimilarityMode, options: RecommendOptions): SimilarList {
    const item = this.ctx.bundle.itemIndex.get(animeId)!;
    const page = this.page(options);
    const pool = Math.max(200, 3 * (page.offset + page.k + 1));
    const exclude = this.scratchExclude.fill(0);
    exclude[item] = 1;
    const mask = maskKey(options.filters ?? {});
    const allowed = this.allowedMask(options.filters, mask);
    let found = similarScores(this.ctx.sources, item, mode, pool);
    const filtered = mask !== UNFILTERED;
    const grouped = (options.franchise ?? 'group') === 'group';
    // The title's own franchise is where it came from, not more like it: one click away on its page.
    const franchises = grouped ? franchisesOfList(this.ctx, [{ animeId, score: null, status: 'completed' }]) : null;
    if (filtered) {
      const eligible = this.scratchEligible;
      for (let i = 0; i < eligible.length; i++) eligible[i] = allowed[i] === 1 && exclude[i] === 0 ? 1 : 0;
      if (franchises !== null) removeHidden(this.ctx, franchises, eligible, false);
      found = widenWithTags(found, this.ctx.tagSimilarity, item, eligible, page.offset + page.k + 1);
    }
    const scores = sparseScores(exclude.length, found.scores, this.scratchScores);
    let result: Page;
    let cards: CardContext | null = null;
    if (franchises !== null) {
      cards = { allowed, exclude, scoreOf: arrayScoreOf(scores) };
      result = groupedSelect(this.ctx, scores, exclude, allowed, franchises, page, false);
    } else {
      result = selectPage(this.ctx, scores, exclude, allowed, page);
    }
    const name = this.ctx.catalog.get(animeId)?.title ?? `anime ${animeId}`;
    const notes: string[] = [];
    if (found.modeUsed !== mode)
      notes.push(`No collaborative neighbours for ${name} (too few users listed it): showing content similarity.`);
    if (mode !== 'collaborative' && this.ctx.sources.content.name === 'tags')
      notes.push('This model has no content component: content similarity uses genres, themes and studios only.');
    if (filtered && result.items.length < page.k)
      notes.push(`Only ${page.offset + result.items.length} title(s) similar to ${name} match these filters.`);
    if (mode === 'collaborative' && this.ctx.sources.collaborative === null)
      notes.push(
        `The ${this.ctx.bundle.manifest.kind} model has no item-to-item similarity; train itemknn, als or anirec for collaborative "more like this".`,
      );
    const list = this.list(
      result,
      page.offset,
      (candidate) => {
        const by = found.foundBy.get(candidate) ?? new Set();
        const shared = this.sharedTags(animeId, this.ctx.bundle.itemIds[candidate]!);
        const sharedText = shared.length > 0 ? ` (${shared.join(', ').toLowerCase()})` : '';
        const text =
          by.has('collaborative') && by.has('content')
            ? `Similar to ${name} in content${sharedText} and audience`
            : by.has('collaborative')
              ? `Watched and liked by the same people as ${name}`
              : `Similar in content to ${name}${sharedText}`;
        return [{ kind: 'similar_to', text, animeIds: [animeId], ...(shared.length > 0 ? { tags: shared } : {}) }];
      },
      notes,
      cards,
    );
    return { ...list, modeUsed: found.modeUsed };
  }

  private sharedTags(a: number, b: number): string[] {
    const x = this.ctx.catalog.get(a);
    const y = this.ctx.catalog.get(b);
    if (!x || !y) return [];
    const tags = new Set([...y.genres, ...this.ctx.catalog.tagsOf(y)]);
    return [...x.genres, ...this.ctx.catalog.tagsOf(x)].filter((t) => tags.has(t)).slice(0, 3);
  }

  /** True when the model can rank titles like this one (it is in the model's item space). */
  knowsAnime(animeId: number): boolean {
    return this.ctx.bundle.itemIndex.has(animeId);
  }

  searchTitles(query: string, limit: number, includeAdult = false): TitleMatch[] {
    return this.titles.search(query, { limit, includeAdult });
  }

  similarUsers(entries: readonly HistoryEntry[], k: number, excludeUserId: number | null): SimilarUser[] {
    return this.users.similar(entries, k, excludeUserId);
  }

  profile(entries: readonly HistoryEntry[]): TasteProfile {
    return tasteProfile(entries, this.ctx.catalog, this.ctx.baseline);
  }
}
