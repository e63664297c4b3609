/**
 * GraphQL documents sent to AniList (https://graphql.anilist.co, schema at https://anilist.github.io/ApiV2-GraphQL-Docs/).
 * Every query asks for the same Media fields so one mapper handles all of them; the catalogue
 * crawl also asks for relations (CATALOGUE_MEDIA_FIELDS).
 */

/** Media fields the mapper reads (see mapping.ts). */
export const MEDIA_FIELDS = `
  id
  idMal
  title { romaji english native }
  synonyms
  format
  episodes
  status
  season
  seasonYear
  genres
  tags { name category isAdult rank isMediaSpoiler isGeneralSpoiler }
  studios(isMain: true) { nodes { name } }
  source
  isAdult
  averageScore
  popularity
  description(asHtml: false)
  coverImage { large }
  updatedAt
`;

/**
 * Relations to other media. `version: 2` is the only way to get COMPILATION and CONTAINS instead
 * of an older, vaguer type. `type` tells anime from manga, whose MAL ids are a separate numbering.
 */
export const RELATION_FIELDS = `
  relations { edges { relationType(version: 2) node { id idMal type } } }
`;

/**
 * Fields of the catalogue queries (pages of all or of changed titles). A person's list does not
 * ask for relations: it is not where catalogue relations come from, and edges for up to 500
 * entries a chunk would multiply the answer's size; the titles crawl brings them.
 */
export const CATALOGUE_MEDIA_FIELDS = `${MEDIA_FIELDS}${RELATION_FIELDS}`;

/**
 * A user's whole anime list, one chunk at a time (perChunk ≤ 500). `score(format: POINT_10)` gives
 * 0–10 whatever scoring system the user picked; 0 means "not scored".
 */
export const USER_LIST_QUERY = `
query UserAnimeList($userName: String!, $chunk: Int!, $perChunk: Int!) {
  MediaListCollection(userName: $userName, type: ANIME, chunk: $chunk, perChunk: $perChunk) {
    hasNextChunk
    user { id name }
    lists {
      name
      isCustomList
      status
      entries {
        id
        mediaId
        status
        score(format: POINT_10)
        progress
        repeat
        updatedAt
        media { ${MEDIA_FIELDS} }
      }
    }
  }
}
`;

/** All anime, page by page, in id order (stable, so a stored page number is a valid resume cursor). */
export const MEDIA_PAGE_QUERY = `
query AnimePage($page: Int!, $perPage: Int!) {
  Page(page: $page, perPage: $perPage) {
    pageInfo { hasNextPage currentPage }
    media(type: ANIME, sort: [ID]) { ${CATALOGUE_MEDIA_FIELDS} }
  }
}
`;

/**
 * Anime changed on AniList after a unix time (seconds), oldest change first so that titles edited
 * during the crawl move to the end instead of shifting pages that were already read.
 */
export const MEDIA_UPDATED_PAGE_QUERY = `
query AnimeUpdatedPage($page: Int!, $perPage: Int!, $updatedAfter: Int!) {
  Page(page: $page, perPage: $perPage) {
    pageInfo { hasNextPage currentPage }
    media(type: ANIME, updatedAt_greater: $updatedAfter, sort: [UPDATED_AT, ID]) { ${CATALOGUE_MEDIA_FIELDS} }
  }
}
`;

/** Specific titles by MyAnimeList id (perPage ≤ 50). */
export const MEDIA_BY_MAL_IDS_QUERY = `
query AnimeByMalIds($idMal: [Int]!, $page: Int!, $perPage: Int!) {
  Page(page: $page, perPage: $perPage) {
    pageInfo { hasNextPage currentPage }
    media(type: ANIME, idMal_in: $idMal, sort: [ID]) { ${MEDIA_FIELDS} }
  }
}
`;
