import type { Anime, AnimeFormat, AiringStatus, ListStatus, Season } from '../../data/types.js';
import { LIST_STATUSES } from '../../data/types.js';

/** The `anime` table's row as better-sqlite3 returns it. */
export interface AnimeRow {
  anime_id: number;
  title: string;
  title_english: string | null;
  title_japanese: string | null;
  synonyms: string;
  format: string | null;
  episodes: number | null;
  status: string | null;
  year: number | null;
  season: string | null;
  genres: string;
  themes: string;
  demographics: string;
  studios: string;
  source: string | null;
  age_rating: string | null;
  adult: number;
  mal_score: number | null;
  members: number | null;
  synopsis: string | null;
  picture_url: string | null;
  updated_at: number;
}

export function animeFromRow(row: AnimeRow): Anime {
  return {
    animeId: row.anime_id,
    title: row.title,
    titleEnglish: row.title_english,
    titleJapanese: row.title_japanese,
    synonyms: JSON.parse(row.synonyms) as string[],
    format: row.format as AnimeFormat | null,
    episodes: row.episodes,
    status: row.status as AiringStatus | null,
    year: row.year,
    season: row.season as Season | null,
    genres: JSON.parse(row.genres) as string[],
    themes: JSON.parse(row.themes) as string[],
    demographics: JSON.parse(row.demographics) as string[],
    studios: JSON.parse(row.studios) as string[],
    source: row.source,
    ageRating: row.age_rating,
    adult: row.adult === 1,
    malScore: row.mal_score,
    members: row.members,
    synopsis: row.synopsis,
    pictureUrl: row.picture_url,
  };
}

/** Named parameters for the anime upsert statement. */
export function animeToParams(anime: Anime, now: number): Record<string, unknown> {
  return {
    anime_id: anime.animeId,
    title: anime.title,
    title_english: anime.titleEnglish,
    title_japanese: anime.titleJapanese,
    synonyms: JSON.stringify(anime.synonyms),
    format: anime.format,
    episodes: anime.episodes,
    status: anime.status,
    year: anime.year,
    season: anime.season,
    genres: JSON.stringify(anime.genres),
    themes: JSON.stringify(anime.themes),
    demographics: JSON.stringify(anime.demographics),
    studios: JSON.stringify(anime.studios),
    source: anime.source,
    age_rating: anime.ageRating,
    adult: anime.adult ? 1 : 0,
    mal_score: anime.malScore,
    members: anime.members,
    synopsis: anime.synopsis,
    picture_url: anime.pictureUrl,
    updated_at: now,
  };
}

/** List statuses are stored as small integers (index + 1; NULL when unknown) to keep rows short. */
export function statusToCode(status: ListStatus | null): number | null {
  return status === null ? null : LIST_STATUSES.indexOf(status) + 1;
}

export function statusFromCode(code: number | null): ListStatus | null {
  return code === null || code === 0 ? null : (LIST_STATUSES[code - 1] ?? null);
}
