import type { Anime, AnimeFormat, AiringStatus, Season } from '../../data/types.js';

export { statusFromCode, statusToCode } from '../sqlite/rows.js';

/** The `anime` table's row as node-postgres returns it (jsonb parsed, bigint as a number: see connection.ts). */
export interface AnimePgRow {
  anime_id: number;
  title: string;
  title_english: string | null;
  title_japanese: string | null;
  synonyms: string[];
  format: string | null;
  episodes: number | null;
  status: string | null;
  year: number | null;
  season: string | null;
  genres: string[];
  themes: string[];
  demographics: string[];
  studios: string[];
  source: string | null;
  age_rating: string | null;
  adult: boolean;
  mal_score: number | null;
  members: number | null;
  synopsis: string | null;
  picture_url: string | null;
  updated_at: number;
}

export function animeFromRow(row: AnimePgRow): Anime {
  return {
    animeId: row.anime_id,
    title: row.title,
    titleEnglish: row.title_english,
    titleJapanese: row.title_japanese,
    synonyms: row.synonyms,
    format: row.format as AnimeFormat | null,
    episodes: row.episodes,
    status: row.status as AiringStatus | null,
    year: row.year,
    season: row.season as Season | null,
    genres: row.genres,
    themes: row.themes,
    demographics: row.demographics,
    studios: row.studios,
    source: row.source,
    ageRating: row.age_rating,
    adult: row.adult,
    malScore: row.mal_score,
    members: row.members,
    synopsis: row.synopsis,
    pictureUrl: row.picture_url,
  };
}

/** The row as a JSON object for `jsonb_populate_recordset(NULL::anime, …)`: one parameter for a whole batch. */
export function animeToRecord(anime: Anime, now: number): AnimePgRow {
  return {
    anime_id: anime.animeId,
    title: anime.title,
    title_english: anime.titleEnglish,
    title_japanese: anime.titleJapanese,
    synonyms: anime.synonyms,
    format: anime.format,
    episodes: anime.episodes,
    status: anime.status,
    year: anime.year,
    season: anime.season,
    genres: anime.genres,
    themes: anime.themes,
    demographics: anime.demographics,
    studios: anime.studios,
    source: anime.source,
    age_rating: anime.ageRating,
    adult: anime.adult,
    mal_score: anime.malScore,
    members: anime.members,
    synopsis: anime.synopsis,
    picture_url: anime.pictureUrl,
    updated_at: now,
  };
}

export const ANIME_COLUMNS = [
  'anime_id',
  'title',
  'title_english',
  'title_japanese',
  'synonyms',
  'format',
  'episodes',
  'status',
  'year',
  'season',
  'genres',
  'themes',
  'demographics',
  'studios',
  'source',
  'age_rating',
  'adult',
  'mal_score',
  'members',
  'synopsis',
  'picture_url',
  'updated_at',
] as const;
