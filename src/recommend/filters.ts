import { AnirecError } from '../errors/errors.js';
import { SEASONS, type Anime, type Season } from '../data/types.js';
import { SEASON_FILTER_FORM, type RecommendationFilters } from '../wire/filters.js';
import type { Catalog } from './catalog.js';
import { closestWords } from './title-search.js';

export type { RecommendationFilters } from '../wire/filters.js';

/** A filter value that names something the catalogue does not have: the API turns this into a 400. */
export class FilterError extends AnirecError {
  declare readonly field: string;
  declare readonly suggestions: string[];

  constructor(field: string, message: string, suggestions: string[] = []) {
    super('bad_request', message, { field, suggestions });
    this.name = 'FilterError';
  }
}

export interface SeasonRef {
  year: number;
  season: Season;
}

/** `2025-fall` → { year: 2025, season: 'fall' }; null for anything else (including `current`). */
export function parseSeason(value: string): SeasonRef | null {
  const match = /^([0-9]{4})-([a-z]+)$/.exec(value);
  if (match === null || !(SEASONS as readonly string[]).includes(match[2]!)) return null;
  return { year: Number(match[1]), season: match[2] as Season };
}

export function formatSeason(ref: SeasonRef): string {
  return `${ref.year}-${ref.season}`;
}

/**
 * The anime season a moment falls in, as MAL counts them: winter = January–March, spring =
 * April–June, summer = July–September, fall = October–December. UTC, so every server process
 * agrees whatever its time zone.
 */
export function seasonOfDate(date: Date): SeasonRef {
  return { year: date.getUTCFullYear(), season: SEASONS[Math.floor(date.getUTCMonth() / 3)]! };
}

/** The filters with `season: current` replaced by the season `now` is in (other values unchanged). */
export function resolveSeasonFilter(filters: RecommendationFilters, now: Date): RecommendationFilters {
  return filters.season === 'current' ? { ...filters, season: formatSeason(seasonOfDate(now)) } : filters;
}

function compileSeason(value: string | undefined): SeasonRef | null {
  if (value === undefined) return null;
  // A programming error, not a bad request: routes resolve `current` with their clock first.
  if (value === 'current')
    throw new Error('season "current" reached compileFilters; resolve it with resolveSeasonFilter(filters, now) first');
  const ref = parseSeason(value);
  if (ref === null || ref.year < 1900 || ref.year > 2100)
    throw new FilterError('season', `season ${JSON.stringify(value)} is not a season; use ${SEASON_FILTER_FORM}.`);
  return ref;
}

/** Maps user-typed tags to the catalogue's spelling, case-insensitively; unknown tags are an error with suggestions. */
function resolveTags(values: readonly string[] | undefined, vocabulary: Map<string, string>, field: string, kind: string): Set<string> {
  const out = new Set<string>();
  for (const value of values ?? []) {
    const found = vocabulary.get(value.trim().toLowerCase());
    if (found === undefined) {
      const suggestions = closestWords(value, vocabulary.values());
      const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => JSON.stringify(s)).join(' or ')}?` : '';
      throw new FilterError(field, `unknown ${kind} ${JSON.stringify(value)}.${hint} GET /v1/tags lists every ${kind}.`, suggestions);
    }
    out.add(found);
  }
  return out;
}

/** `names`: the two request fields as the caller wrote them (yearMin/yearMax, but minPopularityRank/maxPopularityRank). */
function checkRange(min: number | undefined, max: number | undefined, field: string, names = [`${field}Min`, `${field}Max`]): void {
  if (min !== undefined && max !== undefined && min > max) {
    throw new FilterError(field, `${names[0]} (${min}) is greater than ${names[1]} (${max}); swap them or drop one.`);
  }
}

/** A compiled filter: answers "may this title be recommended?" without re-reading the request. */
export type AnimePredicate = (anime: Anime | undefined) => boolean;

/**
 * Turns filters into a predicate, checking names against the catalogue first so a typo like
 * "Mecah" is a clear 400 ("did you mean Mecha?") instead of silently returning nothing.
 * Titles whose value is unknown do not pass a filter on that value (a year-range request should
 * not return titles of unknown year).
 */
export function compileFilters(filters: RecommendationFilters, catalog: Catalog): AnimePredicate {
  const genres = resolveTags(filters.genres, catalog.vocabulary.genres, 'genres', 'genre');
  const excludeGenres = resolveTags(filters.excludeGenres, catalog.vocabulary.genres, 'excludeGenres', 'genre');
  const themes = resolveTags(filters.themes, catalog.vocabulary.themes, 'themes', 'theme');
  const excludeThemes = resolveTags(filters.excludeThemes, catalog.vocabulary.themes, 'excludeThemes', 'theme');
  checkRange(filters.yearMin, filters.yearMax, 'year');
  checkRange(filters.episodesMin, filters.episodesMax, 'episodes');
  checkRange(filters.minPopularityRank, filters.maxPopularityRank, 'popularityRank', ['minPopularityRank', 'maxPopularityRank']);
  const season = compileSeason(filters.season);
  const formats = filters.formats && filters.formats.length > 0 ? new Set<string>(filters.formats) : null;
  const statuses = filters.status && filters.status.length > 0 ? new Set<string>(filters.status) : null;
  const { yearMin, yearMax, episodesMin, episodesMax, minScore, minPopularityRank, maxPopularityRank } = filters;
  const includeAdult = filters.includeAdult === true;
  const ranks = catalog.popularityRank;

  return (anime) => {
    if (anime === undefined) return false;
    if (anime.adult && !includeAdult) return false;
    if (formats !== null && (anime.format === null || !formats.has(anime.format))) return false;
    if (statuses !== null && (anime.status === null || !statuses.has(anime.status))) return false;
    if (season !== null && (anime.year !== season.year || anime.season !== season.season)) return false;
    if (yearMin !== undefined && (anime.year === null || anime.year < yearMin)) return false;
    if (yearMax !== undefined && (anime.year === null || anime.year > yearMax)) return false;
    if (episodesMin !== undefined && (anime.episodes === null || anime.episodes < episodesMin)) return false;
    if (episodesMax !== undefined && (anime.episodes === null || anime.episodes > episodesMax)) return false;
    if (minScore !== undefined && (anime.malScore === null || anime.malScore < minScore)) return false;
    if (minPopularityRank !== undefined || maxPopularityRank !== undefined) {
      const rank = ranks.get(anime.animeId);
      if (rank === undefined) return false;
      if (minPopularityRank !== undefined && rank < minPopularityRank) return false;
      if (maxPopularityRank !== undefined && rank > maxPopularityRank) return false;
    }
    if (genres.size > 0 || excludeGenres.size > 0) {
      let have = 0;
      for (const g of anime.genres) {
        if (excludeGenres.has(g)) return false;
        if (genres.has(g)) have++;
      }
      if (have < genres.size) return false;
    }
    if (themes.size > 0 || excludeThemes.size > 0) {
      let have = 0;
      for (const list of [anime.themes, anime.demographics]) {
        for (const t of list) {
          if (excludeThemes.has(t)) return false;
          if (themes.has(t)) have++;
        }
      }
      if (have < themes.size) return false;
    }
    return true;
  };
}
