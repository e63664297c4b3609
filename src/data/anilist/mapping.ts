/**
 * AniList → canonical model.
 *
 * Titles are keyed by MyAnimeList id (`idMal`); AniList media without one cannot be joined to the
 * rest of the catalogue and are skipped (the caller counts or reports them).
 *
 * Deliberately NOT mapped:
 * - `averageScore` → `malScore`: AniList's score comes from a different user base and scale, so
 *   calling it a MAL score would be wrong. `malScore` is left out of the patch.
 * - `popularity` → `members`: that is AniList's member count, not MAL's. Left out too.
 * - `ageRating`: AniList has no rating text; `adult` comes from `isAdult`.
 *
 * Patches only carry what AniList actually knows: null scalars and empty arrays are omitted, so
 * merging an AniList patch never erases a value another source supplied.
 *
 * Relations (`mapRelations`) keep only edges whose both ends are anime with a MAL id: AniList links
 * an anime to its manga and novels too, and MAL numbers manga separately, so a manga's `idMal`
 * would name an unrelated anime.
 */
import type { AiringStatus, AnimeFormat, AnimePatch, Interaction, ListStatus, RelationType, Season, TitleRelations } from '../types.js';

export interface AniListTag {
  name: string;
  category?: string | null;
  isAdult?: boolean | null;
  rank?: number | null;
  isMediaSpoiler?: boolean | null;
  isGeneralSpoiler?: boolean | null;
}

export interface AniListMedia {
  id: number;
  idMal?: number | null;
  title?: { romaji?: string | null; english?: string | null; native?: string | null } | null;
  synonyms?: string[] | null;
  format?: string | null;
  episodes?: number | null;
  status?: string | null;
  season?: string | null;
  seasonYear?: number | null;
  genres?: string[] | null;
  tags?: AniListTag[] | null;
  studios?: { nodes?: Array<{ name: string } | null> | null } | null;
  source?: string | null;
  isAdult?: boolean | null;
  averageScore?: number | null;
  popularity?: number | null;
  description?: string | null;
  coverImage?: { large?: string | null; extraLarge?: string | null; medium?: string | null } | null;
  updatedAt?: number | null;
  /** Only the catalogue queries ask for it (see queries.ts); absent means "not requested". */
  relations?: { edges?: Array<AniListMediaEdge | null> | null } | null;
}

/** One `relations` edge: `node` is the `relationType` of the media the edge hangs off. */
export interface AniListMediaEdge {
  relationType?: string | null;
  node?: { id?: number | null; idMal?: number | null; type?: string | null } | null;
}

export interface AniListMediaListEntry {
  id?: number;
  mediaId?: number;
  status?: string | null;
  /** Requested as `score(format: POINT_10)`: 0–10, 0 = not scored. */
  score?: number | null;
  progress?: number | null;
  repeat?: number | null;
  /** Unix seconds; 0 when never set. */
  updatedAt?: number | null;
  media?: AniListMedia | null;
}

export interface AniListMediaList {
  name?: string | null;
  isCustomList?: boolean | null;
  status?: string | null;
  entries?: Array<AniListMediaListEntry | null> | null;
}

export interface AniListMediaListCollection {
  hasNextChunk?: boolean | null;
  user?: { id: number; name: string } | null;
  lists?: Array<AniListMediaList | null> | null;
}

const FORMATS: Record<string, AnimeFormat> = {
  TV: 'TV',
  TV_SHORT: 'TV',
  MOVIE: 'Movie',
  OVA: 'OVA',
  ONA: 'ONA',
  SPECIAL: 'Special',
  MUSIC: 'Music',
};

/** CANCELLED and HIATUS have no MAL equivalent and map to null rather than a guess. */
const AIRING: Record<string, AiringStatus> = {
  FINISHED: 'finished',
  RELEASING: 'airing',
  NOT_YET_RELEASED: 'upcoming',
};

const LIST_STATUS: Record<string, ListStatus> = {
  CURRENT: 'watching',
  REPEATING: 'watching',
  COMPLETED: 'completed',
  PAUSED: 'on_hold',
  DROPPED: 'dropped',
  PLANNING: 'plan_to_watch',
};

/** AniList MediaSource enum → MyAnimeList's wording. */
const SOURCES: Record<string, string> = {
  ORIGINAL: 'Original',
  MANGA: 'Manga',
  LIGHT_NOVEL: 'Light novel',
  VISUAL_NOVEL: 'Visual novel',
  VIDEO_GAME: 'Game',
  GAME: 'Game',
  NOVEL: 'Novel',
  WEB_NOVEL: 'Web novel',
  DOUJINSHI: 'Other',
  ANIME: 'Other',
  LIVE_ACTION: 'Other',
  COMIC: 'Other',
  MULTIMEDIA_PROJECT: 'Other',
  PICTURE_BOOK: 'Picture book',
  OTHER: 'Other',
};

/**
 * AniList MediaRelation (asked for as `relationType(version: 2)`) → MyAnimeList's relation names.
 * Both describe the related title as seen from the title the edge belongs to, so the direction
 * carries over unchanged.
 * - COMPILATION (the related title compiles this one, e.g. a recap film of a TV series) is what
 *   MAL calls a summary; CONTAINS, its inverse, is MAL's full story.
 * - ALTERNATIVE covers both of MAL's alternative version and alternative setting; AniList does not
 *   tell them apart, so it maps to the more common alternative_version.
 * - ADAPTATION and SOURCE almost always lead to a manga or novel, whose edges are dropped as
 *   non-anime; the rare one between two anime is still a link within a franchise, kept as other.
 */
export const ANILIST_RELATIONS: Readonly<Record<string, RelationType>> = {
  SEQUEL: 'sequel',
  PREQUEL: 'prequel',
  SIDE_STORY: 'side_story',
  PARENT: 'parent_story',
  SUMMARY: 'summary',
  COMPILATION: 'summary',
  CONTAINS: 'full_story',
  ALTERNATIVE: 'alternative_version',
  SPIN_OFF: 'spin_off',
  CHARACTER: 'character',
  OTHER: 'other',
  ADAPTATION: 'other',
  SOURCE: 'other',
};

export function mapRelationType(relationType: string | null | undefined): RelationType | null {
  // hasOwn: a relationType such as "constructor" must not find Object.prototype's.
  return relationType && Object.hasOwn(ANILIST_RELATIONS, relationType) ? (ANILIST_RELATIONS[relationType] ?? null) : null;
}

export const DEMOGRAPHIC_TAGS = new Set(['Shounen', 'Seinen', 'Shoujo', 'Josei', 'Kids']);
/** Tag categories that describe what a show is about (AniList names them "Theme-Action", "Setting-Scene", ...). */
const THEME_CATEGORY_PREFIXES = ['Theme', 'Setting', 'Cast'];
/** Tags voted below this relevance (0–100) are noise for recommendations. */
export const MIN_TAG_RANK = 50;

export function mapFormat(format: string | null | undefined): AnimeFormat | null {
  return (format && FORMATS[format]) || null;
}

export function mapAiringStatus(status: string | null | undefined): AiringStatus | null {
  return (status && AIRING[status]) || null;
}

export function mapListStatus(status: string | null | undefined): ListStatus | null {
  return (status && LIST_STATUS[status]) || null;
}

export function mapSeason(season: string | null | undefined): Season | null {
  const s = season?.toLowerCase();
  return s === 'winter' || s === 'spring' || s === 'summer' || s === 'fall' ? s : null;
}

/** AniList descriptions are HTML-ish (`<br>`, `<i>`, entities); return plain text. */
export function stripHtml(text: string | null | undefined): string | null {
  if (!text) return null;
  const out = text
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => decodeEntity(e) ?? m)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return out === '' ? null : out;
}

function decodeEntity(e: string): string | null {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“' };
  if (e[0] === '#') {
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : null;
  }
  return named[e.toLowerCase()] ?? null;
}

function nonEmpty(s: string | null | undefined): string | null {
  const t = s?.trim();
  return t ? t : null;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Media → patch keyed by MAL id, or null when the media has no MAL id. */
export function mapMedia(media: AniListMedia): AnimePatch | null {
  const idMal = media.idMal;
  if (typeof idMal !== 'number' || !Number.isInteger(idMal) || idMal <= 0) return null;
  const patch: AnimePatch = { animeId: idMal };
  const set = <K extends keyof AnimePatch>(k: K, v: AnimePatch[K] | null | undefined) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v) && v.length === 0) return;
    patch[k] = v;
  };

  const romaji = nonEmpty(media.title?.romaji);
  const english = nonEmpty(media.title?.english);
  const native = nonEmpty(media.title?.native);
  set('title', romaji ?? english ?? native);
  set('titleEnglish', english);
  set('titleJapanese', native);
  set('synonyms', uniq((media.synonyms ?? []).map((s) => s.trim()).filter((s) => s !== '')));
  set('format', mapFormat(media.format));
  set('episodes', typeof media.episodes === 'number' && media.episodes > 0 ? media.episodes : null);
  set('status', mapAiringStatus(media.status));
  set('year', typeof media.seasonYear === 'number' ? media.seasonYear : null);
  set('season', mapSeason(media.season));
  set('genres', uniq((media.genres ?? []).filter((g) => typeof g === 'string' && g !== '')));

  const adult = media.isAdult === true;
  const themes: string[] = [];
  const demographics: string[] = [];
  for (const tag of media.tags ?? []) {
    if (!tag || !tag.name) continue;
    if (DEMOGRAPHIC_TAGS.has(tag.name) || tag.category === 'Demographic') {
      demographics.push(tag.name);
      continue;
    }
    if (tag.isMediaSpoiler || tag.isGeneralSpoiler) continue;
    if (tag.isAdult && !adult) continue;
    if (typeof tag.rank === 'number' && tag.rank < MIN_TAG_RANK) continue;
    const cat = tag.category ?? '';
    if (THEME_CATEGORY_PREFIXES.some((p) => cat === p || cat.startsWith(`${p}-`))) themes.push(tag.name);
  }
  set('themes', uniq(themes));
  set('demographics', uniq(demographics));
  set(
    'studios',
    uniq((media.studios?.nodes ?? []).map((n) => n?.name?.trim() ?? '').filter((n) => n !== '')),
  );
  set('source', media.source ? (SOURCES[media.source] ?? null) : null);
  if (typeof media.isAdult === 'boolean') patch.adult = media.isAdult;
  set('synopsis', stripHtml(media.description));
  set('pictureUrl', nonEmpty(media.coverImage?.large ?? media.coverImage?.extraLarge ?? media.coverImage?.medium));
  return patch;
}

/**
 * The media's relations to other anime with a MAL id, or null when the media has no MAL id or its
 * relations were not requested. An empty list is a real answer (the title has no anime relations)
 * and lets the store drop relations AniList no longer lists. Edges to manga, to media without a MAL
 * id, of a type this version does not know, to the title itself, or repeated, are left out.
 */
export function mapRelations(media: AniListMedia): TitleRelations | null {
  const animeId = malId(media.idMal);
  if (animeId === null || !media.relations) return null;
  const relations: TitleRelations['relations'] = [];
  const seen = new Set<string>();
  for (const edge of media.relations.edges ?? []) {
    if (!edge?.node || edge.node.type !== 'ANIME') continue;
    const relatedId = malId(edge.node.idMal);
    const relation = mapRelationType(edge.relationType);
    if (relatedId === null || relation === null || relatedId === animeId) continue;
    const key = `${relatedId}:${relation}`;
    if (seen.has(key)) continue;
    seen.add(key);
    relations.push({ relatedId, relation });
  }
  return { animeId, relations };
}

function malId(id: number | null | undefined): number | null {
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : null;
}

/** `score(format: POINT_10)` → 1–10, or null for 0 / missing (AniList's "not scored"). */
export function mapScore(score: number | null | undefined): number | null {
  if (typeof score !== 'number' || !Number.isFinite(score) || score <= 0) return null;
  return Math.min(10, Math.max(1, Math.round(score)));
}

/** List entry → interaction, or null when its media has no MAL id. */
export function mapListEntry(userName: string, entry: AniListMediaListEntry, line?: number): Interaction | null {
  const idMal = entry.media?.idMal;
  if (typeof idMal !== 'number' || !Number.isInteger(idMal) || idMal <= 0) return null;
  const updated = entry.updatedAt;
  const interaction: Interaction = {
    user: userName,
    animeId: idMal,
    score: mapScore(entry.score),
    status: mapListStatus(entry.status),
    updatedAt: typeof updated === 'number' && updated > 0 ? updated * 1000 : null,
  };
  if (line !== undefined) interaction.line = line;
  return interaction;
}
