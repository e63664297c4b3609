import type { ModelBundle } from '../models/bundle.js';
import type { Anime } from '../data/types.js';
import type { Catalog } from './catalog.js';
import { ListedSeries } from './series.js';
import type { ItemSimilarity, SimilaritySources } from './similar-items.js';

/** Why an item was recommended, as a sentence plus the facts behind it (for clients that render their own). */
export interface Reason {
  kind: 'because_you_liked' | 'similar_users' | 'taste_match' | 'preferences' | 'similar_to' | 'popular' | 'starter' | 'new_title';
  text: string;
  /** Titles the reason refers to ("because you liked X and Y"). */
  animeIds?: number[];
  /** Tags the reason refers to ("matches your love of mecha"). */
  tags?: string[];
}

/** How many of a user's liked titles reasons draw on: plenty to explain a top-k list, and it keeps explaining under a millisecond. */
export const EXPLAINED_LIKES = 40;

/** A liked title from the user's history, with how strongly it counts. */
export interface LikedItem {
  item: number;
  weight: number;
  /** The user's score (1–10), or 0 when listed without one. */
  score?: number;
}

/** Joins names for a sentence: "A", "A and B". */
function titles(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Explains history-based recommendations. Built once per request from the user's liked titles:
 * each liked title's nearest neighbours (collaborative and content) vote for the candidates they
 * contain, so "because you liked X and Y" names the history titles that most pull the item up.
 * Candidates with no such neighbour came from the user-level signal (latent factors / EASE), which
 * is "people with your taste liked it"; loved tags add "matches your love of …".
 */
export class ReasonBuilder {
  private readonly contributors = new Map<number, { item: number; s: number }[]>();
  /** Liked items for on-demand pairwise similarity (the tag fallback has no cheap neighbour list). */
  private readonly strongest: readonly LikedItem[];
  private readonly pairwise: ((a: number, b: number) => number) | null;

  constructor(
    private readonly bundle: ModelBundle,
    private readonly catalog: Catalog,
    sources: SimilaritySources,
    liked: readonly LikedItem[],
    private readonly loved: ReadonlyMap<string, number>,
    /**
     * The items that will be explained (the page). When given, only votes for them are
     * collected, which is all `explain` reads for those items; omitted, every item is covered.
     */
    targets?: Iterable<number>,
  ) {
    const strongest = [...liked].sort((a, b) => b.weight - a.weight).slice(0, EXPLAINED_LIKES);
    this.strongest = strongest;
    // Neighbour lists are only read where they are precomputed slices (item-kNN, content model).
    // ALS would score the whole catalogue per liked title, and the tag fallback scans big tag
    // lists; tags are compared pairwise for the k returned items instead, and ALS-only signal
    // reads as "users who share your taste", which is what it is.
    const collaborative = sources.collaborative?.name === 'itemknn' ? sources.collaborative.model : undefined;
    const content = sources.content.name === 'tags' ? undefined : sources.content.model;
    const tags = sources.content.model as Partial<{ pair(a: number, b: number): number }>;
    this.pairwise = content === undefined && typeof tags.pair === 'function' ? (a, b) => tags.pair!(a, b) : null;
    let wanted: Uint8Array | null = null;
    if (targets !== undefined) {
      wanted = new Uint8Array(bundle.itemIds.length);
      for (const t of targets) wanted[t] = 1;
    }
    const sourcesAndPools: [ItemSimilarity | undefined, number][] = [
      [collaborative, 100],
      [content, 50],
    ];
    for (const { item, weight } of strongest) {
      for (const [source, pool] of sourcesAndPools) {
        if (!source) continue;
        const { items, scores } = source.similarItems(item, pool);
        const max = scores.length > 0 && scores[0]! > 0 ? scores[0]! : 1;
        for (let i = 0; i < items.length; i++) {
          const candidate = items[i]!;
          if (wanted !== null && wanted[candidate] === 0) continue;
          const s = (weight * scores[i]!) / max;
          if (!(s > 0)) continue;
          let list = this.contributors.get(candidate);
          if (list === undefined) this.contributors.set(candidate, (list = []));
          const existing = list.find((c) => c.item === item);
          if (existing) existing.s += s;
          else list.push({ item, s });
        }
      }
    }
  }

  private name(item: number): string {
    return this.catalog.get(this.bundle.itemIds[item]!)?.title ?? `anime ${this.bundle.itemIds[item]}`;
  }

  /** Loved tags the title has, strongest first. */
  matchingTags(animeId: number): string[] {
    const a = this.catalog.get(animeId);
    if (a === undefined || this.loved.size === 0) return [];
    return [...a.genres, ...this.catalog.tagsOf(a)]
      .filter((t) => this.loved.has(t))
      .sort((x, y) => this.loved.get(y)! - this.loved.get(x)!)
      .slice(0, 2);
  }

  explain(item: number): Reason[] {
    const reasons: Reason[] = [];
    // A title nobody in the training data listed can only have been ranked from what it is: say
    // that first, with the link to the list that best explains it ("from the studio behind X").
    if (this.bundle.popularity[item] === 0) {
      const anime = this.catalog.get(this.bundle.itemIds[item]!);
      if (anime !== undefined) reasons.push(this.newTitleReason(anime));
    }
    let list = this.contributors.get(item);
    if (this.pairwise !== null) {
      // Only clearly similar titles (half their tags shared) count as "because you liked".
      const extra: { item: number; s: number }[] = [];
      for (const { item: h, weight } of this.strongest) {
        const similarity = this.pairwise(h, item);
        const s = weight * similarity;
        if (s > 0 && similarity >= 0.5) extra.push({ item: h, s });
      }
      list = [...(list ?? []), ...extra];
    }
    if (list !== undefined && list.length > 0) {
      const top = [...list].sort((a, b) => b.s - a.s).slice(0, 2);
      reasons.push({
        kind: 'because_you_liked',
        text: `Because you liked ${titles(top.map((c) => this.name(c.item)))}`,
        animeIds: top.map((c) => this.bundle.itemIds[c.item]!),
      });
    }
    const tags = this.matchingTags(this.bundle.itemIds[item]!);
    if (tags.length > 0 && reasons[0]?.tags === undefined) reasons.push(tasteReason(tags));
    if (reasons.length === 0) reasons.push({ kind: 'similar_users', text: 'Popular with users who share your taste' });
    return reasons;
  }

  /** The strongest likes with their catalogue entries, and their series: built for the first unrated title explained. */
  private likedEntries: { anime: Anime; liked: LikedItem }[] | null = null;
  private listedSeries: ListedSeries | null = null;

  private likedAnime(): { anime: Anime; liked: LikedItem }[] {
    if (this.likedEntries !== null) return this.likedEntries;
    this.likedEntries = [];
    for (const liked of this.strongest) {
      const anime = this.catalog.get(this.bundle.itemIds[liked.item]!);
      if (anime !== undefined) this.likedEntries.push({ anime, liked });
    }
    return this.likedEntries;
  }

  private newTitleReason(anime: Anime): Reason {
    const when = newTitleLead(anime);
    const liked = this.likedAnime();
    const rated = (l: LikedItem): string => (l.score !== undefined && l.score > 0 ? `, which you rated ${l.score}` : '');
    this.listedSeries ??= new ListedSeries(
      liked.map(({ anime: a, liked: l }) => ({ anime: a, weight: l.weight })),
      this.catalog.franchises,
    );
    const series = this.listedSeries.match(anime);
    if (series !== null) {
      const listed = liked.find(({ anime: a }) => a.animeId === series.listedId)!;
      return { kind: 'new_title', text: `${when}: continues ${listed.anime.title}${rated(listed.liked)}`, animeIds: [series.listedId] };
    }
    for (const studio of anime.studios) {
      const same = liked.find(({ anime: a }) => a.studios.includes(studio));
      if (same !== undefined) {
        return {
          kind: 'new_title',
          text: `${when}, from ${studio}, the studio behind ${same.anime.title}${rated(same.liked)}`,
          animeIds: [same.anime.animeId],
        };
      }
    }
    const tags = this.matchingTags(anime.animeId);
    if (tags.length > 0)
      return { kind: 'new_title', text: `${when}: matches your love of ${titles(tags.map((t) => t.toLowerCase()))}`, tags };
    return { kind: 'new_title', text: `${when}: no ratings here yet, picked for its genres, studio and story` };
  }
}

export function tasteReason(tags: readonly string[]): Reason {
  return { kind: 'taste_match', text: `Matches your love of ${titles(tags.map((t) => t.toLowerCase()))}`, tags: [...tags] };
}

export function popularReason(animeId: number, catalog: Catalog): Reason {
  const a = catalog.get(animeId);
  const rank = catalog.popularityRank.get(animeId);
  const facts = [rank !== undefined ? `#${rank} most popular` : null, a?.malScore ? `rated ${a.malScore.toFixed(2)} on MAL` : null].filter(
    Boolean,
  );
  return { kind: 'popular', text: facts.length > 0 ? `Widely loved: ${facts.join(', ')}` : 'Popular with anirec users' };
}

/** How a title nobody rated yet is introduced: airing now, coming up, or new (with its season). */
function newTitleLead(anime: Anime): string {
  const season =
    anime.season !== null && anime.year !== null ? `${anime.season} ${anime.year}` : anime.year !== null ? String(anime.year) : null;
  if (anime.status === 'airing') return 'Airing now';
  if (anime.status === 'upcoming') return season !== null ? `Coming in ${season}` : 'Coming soon';
  return season !== null ? `New (${season})` : 'New';
}
