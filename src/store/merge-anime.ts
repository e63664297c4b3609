import type { Anime, AnimePatch } from '../data/types.js';

/** A record with every field unknown, the starting point for the first patch of a title. */
export function emptyAnime(animeId: number): Anime {
  return {
    animeId,
    title: '',
    titleEnglish: null,
    titleJapanese: null,
    synonyms: [],
    format: null,
    episodes: null,
    status: null,
    year: null,
    season: null,
    genres: [],
    themes: [],
    demographics: [],
    studios: [],
    source: null,
    ageRating: null,
    adult: false,
    malScore: null,
    members: null,
    synopsis: null,
    pictureUrl: null,
  };
}

function isKnown(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'number') return Number.isFinite(value);
  return true;
}

/**
 * Merges what one source knows into the record so far. A field the patch knows replaces the old
 * value; a field it leaves empty never erases one, so importing the 2016 catalogue after the
 * Jikan one keeps the synopses, and vice versa. Synonyms are a union because sources list
 * different alternative titles and title search wants them all.
 */
export function mergeAnime(existing: Anime | null, patch: AnimePatch): Anime {
  const merged: Anime = existing ? { ...existing } : emptyAnime(patch.animeId);
  for (const [key, value] of Object.entries(patch) as [keyof Anime, unknown][]) {
    if (key === 'animeId' || !isKnown(value)) continue;
    if (key === 'synonyms') {
      const union = new Set([...merged.synonyms, ...(value as string[])]);
      merged.synonyms = [...union];
    } else if (key === 'adult') {
      // Once any source flags a title as adult it stays adult: a false negative is the costly error.
      merged.adult = merged.adult || value === true;
    } else {
      (merged as unknown as Record<string, unknown>)[key] = value;
    }
  }
  if (merged.title === '') merged.title = merged.titleEnglish ?? merged.titleJapanese ?? `Anime #${merged.animeId}`;
  return merged;
}
