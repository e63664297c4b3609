import { Franchises } from '../data/franchises/franchises.js';
import type { Anime, AnimeRelation } from '../data/types.js';
import { emptyAnime, type Store } from '../store/index.js';
import { runSliced, runToEnd, type Steps, type TimeSlicer } from './time-slicer.js';

import type { AnimeSummary } from '../wire/anime.js';

/** What the API returns about a title (wire/anime.ts): enough to show a card, without the synopsis. */
export type { AnimeSummary };

type CatalogParts = Pick<Catalog, 'byId' | 'popularityRank' | 'vocabulary' | 'franchises'>;

/** Titles handled between two chances to yield in a sliced build (see time-slicer.ts). */
const STEP = 256;

/**
 * The whole catalogue in memory. Filters, reasons and title search run over every title on every
 * request, so they read from here instead of the store (16k titles is a few MB). It is a
 * snapshot: imports that add titles call `Catalog.load` again and swap it in.
 */
export class Catalog {
  readonly byId: Map<number, Anime>;
  /** Popularity rank by MAL members, 1-based. */
  readonly popularityRank: Map<number, number>;
  /** Every genre/theme/studio/format spelled as the catalogue spells it, keyed by lower case. */
  readonly vocabulary: { genres: Map<string, string>; themes: Map<string, string>; studios: Map<string, string> };
  /** Which titles belong together (data/franchises): relations where a source gave them, title stems otherwise. */
  readonly franchises: Franchises;

  /** `parts` is what `steps` built for these titles (a sliced build); without it they are built here. */
  constructor(
    readonly anime: readonly Anime[],
    relations: readonly AnimeRelation[] = [],
    parts: CatalogParts = runToEnd(Catalog.steps(anime, relations)),
  ) {
    this.franchises = parts.franchises;
    this.byId = parts.byId;
    this.popularityRank = parts.popularityRank;
    this.vocabulary = parts.vocabulary;
  }

  /** The same catalogue built in slices of the event loop (a server loading a new model). */
  static async build(anime: readonly Anime[], relations: readonly AnimeRelation[], slicer: TimeSlicer | null): Promise<Catalog> {
    return new Catalog(anime, relations, await runSliced(Catalog.steps(anime, relations), slicer));
  }

  private static *steps(anime: readonly Anime[], relations: readonly AnimeRelation[]): Steps<CatalogParts> {
    const byId = new Map<number, Anime>();
    const vocabulary = { genres: new Map<string, string>(), themes: new Map<string, string>(), studios: new Map<string, string>() };
    for (let i = 0; i < anime.length; i++) {
      const a = anime[i]!;
      byId.set(a.animeId, a);
      for (const g of a.genres) vocabulary.genres.set(g.toLowerCase(), g);
      for (const t of a.themes) vocabulary.themes.set(t.toLowerCase(), t);
      for (const t of a.demographics) vocabulary.themes.set(t.toLowerCase(), t);
      for (const s of a.studios) vocabulary.studios.set(s.toLowerCase(), s);
      if (i % STEP === STEP - 1) yield;
    }
    const ranked = anime.filter((a) => a.members !== null && a.members > 0);
    yield;
    ranked.sort((a, b) => b.members! - a.members! || a.animeId - b.animeId);
    yield;
    const popularityRank = new Map<number, number>();
    for (let i = 0; i < ranked.length; i++) {
      popularityRank.set(ranked[i]!.animeId, i + 1);
      if (i % (STEP * 8) === STEP * 8 - 1) yield;
    }
    const franchises = yield* Franchises.steps(anime, relations);
    return { byId, popularityRank, vocabulary, franchises };
  }

  static async load(store: Store): Promise<Catalog> {
    return new Catalog(await store.listAnime(), await store.animeRelations());
  }

  get size(): number {
    return this.anime.length;
  }

  get(id: number): Anime | undefined {
    return this.byId.get(id);
  }

  /**
   * Themes and demographics together: people say "I love mecha" and "I love seinen" the same way,
   * and MAL's split between the two lists is not something a user should need to know.
   */
  tagsOf(a: Anime): string[] {
    return a.demographics.length === 0 ? a.themes : [...a.themes, ...a.demographics];
  }

  summary(id: number): AnimeSummary {
    // A title the model knows but the catalogue does not (a placeholder from a ratings-only
    // import) still gets a card, named by its id.
    const a = this.byId.get(id) ?? { ...emptyAnime(id), title: `anime ${id}` };
    return {
      id: a.animeId,
      title: a.title,
      titleEnglish: a.titleEnglish,
      format: a.format,
      episodes: a.episodes,
      status: a.status,
      year: a.year,
      season: a.season,
      genres: a.genres,
      themes: this.tagsOf(a),
      studios: a.studios,
      malScore: a.malScore,
      members: a.members,
      popularityRank: this.popularityRank.get(a.animeId) ?? null,
      adult: a.adult,
      pictureUrl: a.pictureUrl,
    };
  }
}
