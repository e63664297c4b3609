/**
 * MyAnimeList files tags in three groups (genres, themes, demographics); the 2016 and 2020
 * Kaggle dumps mix them in one `genre` column and use pre-2022 names. This sorts mixed lists
 * into the three groups and maps old names to current ones, so titles from every source share
 * one vocabulary (content similarity and genre filters depend on it).
 */

const DEMOGRAPHICS = new Set(['Josei', 'Kids', 'Seinen', 'Shoujo', 'Shounen']);

const GENRES = new Set([
  'Action', 'Adventure', 'Avant Garde', 'Award Winning', 'Boys Love', 'Comedy', 'Drama', 'Ecchi', 'Erotica',
  'Fantasy', 'Girls Love', 'Gourmet', 'Hentai', 'Horror', 'Mystery', 'Romance', 'Sci-Fi', 'Slice of Life',
  'Sports', 'Supernatural', 'Suspense',
]);

/** Pre-2022 MAL tag names → current ones. */
const RENAMED: Record<string, string> = {
  'Shoujo Ai': 'Girls Love',
  'Shounen Ai': 'Boys Love',
  Yuri: 'Girls Love',
  Yaoi: 'Boys Love',
  Thriller: 'Suspense',
  Dementia: 'Avant Garde',
  Cars: 'Racing',
  Game: 'Strategy Game',
  Police: 'Detective',
  'Super Power': 'Super Power',
  Kids: 'Kids',
};

export interface SortedTags {
  genres: string[];
  themes: string[];
  demographics: string[];
}

export function canonicalTag(tag: string): string {
  return RENAMED[tag] ?? tag;
}

export function sortTags(tags: readonly string[]): SortedTags {
  const sorted: SortedTags = { genres: [], themes: [], demographics: [] };
  const seen = new Set<string>();
  for (const raw of tags) {
    const tag = canonicalTag(raw.trim());
    if (tag === '' || seen.has(tag)) continue;
    seen.add(tag);
    if (DEMOGRAPHICS.has(tag)) sorted.demographics.push(tag);
    else if (GENRES.has(tag)) sorted.genres.push(tag);
    else sorted.themes.push(tag);
  }
  return sorted;
}
