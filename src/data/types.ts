/**
 * The canonical data model: every importer turns its source format into these shapes,
 * and everything downstream (store, models, API) speaks only these. See docs/data-model.md.
 */

/** Release format as MyAnimeList names it. Unknown or missing values become null, not a guess. */
export const ANIME_FORMATS = ['TV', 'Movie', 'OVA', 'ONA', 'Special', 'TV Special', 'Music', 'CM', 'PV'] as const;
export type AnimeFormat = (typeof ANIME_FORMATS)[number];

export const AIRING_STATUSES = ['finished', 'airing', 'upcoming'] as const;
export type AiringStatus = (typeof AIRING_STATUSES)[number];

export const SEASONS = ['winter', 'spring', 'summer', 'fall'] as const;
export type Season = (typeof SEASONS)[number];

/** A user's list status for one title, in MyAnimeList's vocabulary. */
export const LIST_STATUSES = ['watching', 'completed', 'on_hold', 'dropped', 'plan_to_watch'] as const;
export type ListStatus = (typeof LIST_STATUSES)[number];

/** One anime title, keyed by its MyAnimeList id. Arrays are empty (never null) when unknown. */
export interface Anime {
  animeId: number;
  /** Main title as MAL shows it (usually romaji). */
  title: string;
  titleEnglish: string | null;
  titleJapanese: string | null;
  synonyms: string[];
  format: AnimeFormat | null;
  episodes: number | null;
  status: AiringStatus | null;
  year: number | null;
  season: Season | null;
  genres: string[];
  themes: string[];
  demographics: string[];
  studios: string[];
  /** Original source material: Manga, Light novel, Original, ... */
  source: string | null;
  /** Age rating text such as "PG-13 - Teens 13 or older"; `Rx`/hentai titles are adult. */
  ageRating: string | null;
  /** True for adult (hentai / Rx) titles, which recommendations exclude unless asked. */
  adult: boolean;
  /** MyAnimeList mean score (1–10) at the time the source was captured. */
  malScore: number | null;
  /** Number of MAL users with the title on their list, at capture time. */
  members: number | null;
  synopsis: string | null;
  pictureUrl: string | null;
}

/**
 * What one source knows about a title. Importers emit patches; the store merges patches for the
 * same MAL id field by field, so a later source fills gaps without erasing what an earlier one knew.
 */
export type AnimePatch = { animeId: number } & Partial<Omit<Anime, 'animeId'>>;

/** One list entry: a user has a title on their list, maybe with a score. */
export interface Interaction {
  /** The user's id or name in the source (e.g. "1234" in a Kaggle file, a MAL user name). */
  user: string;
  animeId: number;
  /** The user's score 1–10, or null when the title is listed without a score. */
  score: number | null;
  status: ListStatus | null;
  /** Unix epoch milliseconds of the last update, when the source has one. */
  updatedAt: number | null;
  /** 1-based line in the source file, so checks made after parsing (unknown anime) can point at the row. */
  line?: number;
  /** The title as the file names it, for telling the user which titles are unknown; never stored. */
  title?: string;
}

/** Why a row was not imported. Stable codes so summaries and tests can count them. */
export const SKIP_REASONS = [
  'malformed_row',
  'missing_field',
  'bad_number',
  'score_out_of_range',
  'unknown_status',
  'duplicate_row',
  'unknown_anime',
  'bad_encoding',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A row the importer could not use, located precisely enough for a person to fix it. */
export interface RowProblem {
  file: string;
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  /** Column name (or XML element / JSON path) that was wrong, when one is to blame. */
  column?: string;
  reason: SkipReason;
  message: string;
}

/**
 * A chunk of parsed records. Importers yield chunks (not single rows) so that a 20M-row file
 * crosses the async boundary a few hundred times, not 20M times.
 */
export interface ImportChunk {
  anime: AnimePatch[];
  interactions: Interaction[];
  problems: RowProblem[];
  /** Data rows read from the source in this chunk (valid or not), for progress and summaries. */
  rowsRead: number;
  /** Bytes of the (uncompressed) input consumed so far, for progress; null when unknown. */
  bytesRead: number | null;
  /**
   * Relation lists of titles, from catalogue sources that have them (AniList). Absent when the
   * source has none, which is not the same as a title listed with no relations.
   */
  relations?: TitleRelations[];
}

/** Where the interactions of an import come from, so users of different datasets never collide. */
export interface UserNamespace {
  /** e.g. "kaggle2016", "kaggle2020", "mal", "anilist". */
  source: string;
}

/**
 * How one anime relates to another, in MyAnimeList's vocabulary (the key space every source
 * shares). A relation reads "relatedId is the <relation> of animeId": 9253 → 30484 `sequel` says
 * Steins;Gate 0 is a sequel of Steins;Gate. AniList's relation types map onto these in
 * src/data/anilist/mapping.ts; docs/data-model.md has the table.
 */
export const RELATION_TYPES = [
  'sequel',
  'prequel',
  'side_story',
  'parent_story',
  'summary',
  'full_story',
  'alternative_version',
  'alternative_setting',
  'spin_off',
  'character',
  'other',
] as const;
export type RelationType = (typeof RELATION_TYPES)[number];

/** A directed relation between two anime, both ends MAL anime ids. */
export interface AnimeRelation {
  animeId: number;
  relatedId: number;
  relation: RelationType;
}

/**
 * Every relation one source lists for one title. The list is complete (possibly empty), so the
 * store can drop a relation the source no longer lists instead of keeping a stale one forever.
 */
export interface TitleRelations {
  animeId: number;
  relations: Array<Omit<AnimeRelation, 'animeId'>>;
}

export function isRelationType(value: unknown): value is RelationType {
  return typeof value === 'string' && (RELATION_TYPES as readonly string[]).includes(value);
}
