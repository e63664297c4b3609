/**
 * AniList importers: a user's anime list, and the anime catalogue page by page.
 * See client.ts for rate limiting / retries and mapping.ts for what is (and is not) mapped.
 */
import type { AnimePatch, ImportChunk, Interaction, RowProblem, TitleRelations } from '../types.js';
import { AniListClient, type AniListClientOptions } from './client.js';
import { mapListEntry, mapMedia, mapRelations, type AniListMedia, type AniListMediaListCollection } from './mapping.js';
import { MEDIA_BY_MAL_IDS_QUERY, MEDIA_PAGE_QUERY, MEDIA_UPDATED_PAGE_QUERY, USER_LIST_QUERY } from './queries.js';

export { AniListClient, AniListError, ANILIST_ENDPOINT, retryAfterMs } from './client.js';
export type { AniListClientOptions, AniListErrorCode } from './client.js';
export * from './mapping.js';
export * from './queries.js';

/** A client, or options to build one. */
export type ClientLike = AniListClient | AniListClientOptions;

function toClient(c: ClientLike | undefined): AniListClient {
  return c instanceof AniListClient ? c : new AniListClient(c ?? {});
}

export interface FetchUserListOptions {
  /** Entries per request, 1–500 (AniList's maximum). Default 500. */
  perChunk?: number;
  signal?: AbortSignal;
}

/**
 * Streams a user's AniList anime list as import chunks, one per AniList "chunk" request.
 *
 * - Interactions use the user name as AniList spells it (falls back to `userName`).
 * - Custom lists are skipped: their entries duplicate the status lists.
 * - Entries whose media has no MAL id become `unknown_anime` problems; `line` is the 1-based
 *   position of the entry in the whole list.
 * - Each title appears at most once across all chunks (anime and interactions).
 * - No relations: a person's list is not a catalogue source of them (see queries.ts).
 */
export async function* fetchUserList(
  userName: string,
  clientOptions?: ClientLike,
  options: FetchUserListOptions = {},
): AsyncGenerator<ImportChunk> {
  const name = userName.trim();
  if (name === '') throw new Error('fetchUserList: an AniList user name is required (as in anilist.co/user/<name>).');
  const perChunk = Math.min(500, Math.max(1, Math.floor(options.perChunk ?? 500)));
  const client = toClient(clientOptions);
  const file = `anilist:${name}`;
  const seenAnime = new Set<number>();
  const seenEntries = new Set<number>();
  let line = 0;

  for (let chunk = 1; ; chunk++) {
    const data = await client.query<{ MediaListCollection: AniListMediaListCollection | null }>(
      USER_LIST_QUERY,
      { userName: name, chunk, perChunk },
      options.signal,
    );
    const coll = data.MediaListCollection;
    if (!coll) {
      throw new Error(`AniList (${client.endpoint}) returned no list for user '${name}'; the list may be private or empty.`);
    }
    const user = coll.user?.name?.trim() || name;
    const anime: AnimePatch[] = [];
    const interactions: Interaction[] = [];
    const problems: RowProblem[] = [];
    let rowsRead = 0;

    for (const list of coll.lists ?? []) {
      if (!list || list.isCustomList) continue;
      for (const entry of list.entries ?? []) {
        if (!entry) continue;
        rowsRead++;
        line++;
        const media = entry.media;
        const interaction = mapListEntry(user, entry, line);
        if (!interaction || !media) {
          const title = media?.title?.romaji ?? media?.title?.english ?? media?.title?.native ?? null;
          const id = media?.id ?? entry.mediaId;
          problems.push({
            file,
            line,
            column: 'media.idMal',
            reason: 'unknown_anime',
            message: `AniList media ${id ?? '?'}${title ? ` ("${title}")` : ''} has no MyAnimeList id, so it cannot be matched to the catalogue; skipped.`,
          });
          continue;
        }
        if (seenEntries.has(interaction.animeId)) continue;
        seenEntries.add(interaction.animeId);
        interactions.push(interaction);
        if (!seenAnime.has(interaction.animeId)) {
          const patch = mapMedia(media);
          if (patch) {
            seenAnime.add(patch.animeId);
            anime.push(patch);
          }
        }
      }
    }

    yield { anime, interactions, problems, rowsRead, bytesRead: null };
    if (!coll.hasNextChunk) return;
  }
}

export interface FetchMediaPagesOptions {
  /** Only titles changed on AniList after this time (unix epoch **milliseconds**). */
  updatedSince?: number;
  /** First page to fetch (1-based); pass the last completed page + 1 to resume. Default 1. */
  startPage?: number;
  /** Titles per page, 1–50 (AniList's maximum). Default 50. */
  perPage?: number;
  signal?: AbortSignal;
}

export interface MediaPage {
  page: number;
  hasNextPage: boolean;
  anime: AnimePatch[];
  /** The relation list of every title in `anime` (empty lists included), to store with them. */
  relations: TitleRelations[];
  /** Media on this page without a MAL id (not importable). */
  skipped: number;
  /** Latest AniList `updatedAt` on this page (epoch ms), for the next incremental run; null if none. */
  maxUpdatedAt: number | null;
}

/**
 * Streams the AniList anime catalogue page by page. Without `updatedSince` pages are in id order
 * (a stored page number is a valid resume cursor); with it, only changed titles are listed, oldest
 * change first. Store `page` after handling each yielded page and resume with `startPage: page + 1`.
 */
export async function* fetchMediaPages(
  options: FetchMediaPagesOptions = {},
  clientOptions?: ClientLike,
): AsyncGenerator<MediaPage> {
  const client = toClient(clientOptions);
  const perPage = Math.min(50, Math.max(1, Math.floor(options.perPage ?? 50)));
  let page = Math.max(1, Math.floor(options.startPage ?? 1));
  const sinceSec = options.updatedSince === undefined ? null : Math.floor(options.updatedSince / 1000);

  for (;;) {
    const data = await client.query<{ Page: MediaPageData | null }>(
      sinceSec === null ? MEDIA_PAGE_QUERY : MEDIA_UPDATED_PAGE_QUERY,
      sinceSec === null ? { page, perPage } : { page, perPage, updatedAfter: sinceSec },
      options.signal,
    );
    const media = (data.Page?.media ?? []).filter(
      (m): m is AniListMedia =>
        m !== null && (sinceSec === null || typeof m.updatedAt !== 'number' || m.updatedAt > sinceSec),
    );
    const { anime, relations, skipped } = mapMediaList(media);
    let maxUpdated: number | null = null;
    for (const m of media) {
      if (typeof m.updatedAt === 'number' && (maxUpdated === null || m.updatedAt > maxUpdated)) maxUpdated = m.updatedAt;
    }
    const rawCount = data.Page?.media?.length ?? 0;
    const hasNextPage = Boolean(data.Page?.pageInfo?.hasNextPage) && rawCount > 0;
    yield { page, hasNextPage, anime, relations, skipped, maxUpdatedAt: maxUpdated === null ? null : maxUpdated * 1000 };
    if (!hasNextPage) return;
    page++;
  }
}

/** Looks titles up by MyAnimeList id (50 per request). Ids AniList does not know are simply absent. */
export async function fetchMediaByMalIds(
  malIds: readonly number[],
  clientOptions?: ClientLike,
  options: { signal?: AbortSignal } = {},
): Promise<AnimePatch[]> {
  const client = toClient(clientOptions);
  const ids = [...new Set(malIds.filter((id) => Number.isInteger(id) && id > 0))];
  const out: AnimePatch[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < ids.length; i += 50) {
    const batch = ids.slice(i, i + 50);
    const data = await client.query<{ Page: MediaPageData | null }>(
      MEDIA_BY_MAL_IDS_QUERY,
      { idMal: batch, page: 1, perPage: 50 },
      options.signal,
    );
    for (const patch of mapMediaList((data.Page?.media ?? []).filter((m): m is AniListMedia => m !== null)).anime) {
      if (seen.has(patch.animeId)) continue;
      seen.add(patch.animeId);
      out.push(patch);
    }
  }
  return out;
}

interface MediaPageData {
  pageInfo?: { hasNextPage?: boolean | null; currentPage?: number | null } | null;
  media?: Array<AniListMedia | null> | null;
}

function mapMediaList(media: AniListMedia[]): { anime: AnimePatch[]; relations: TitleRelations[]; skipped: number } {
  const anime: AnimePatch[] = [];
  const relations = new Map<number, TitleRelations>();
  let skipped = 0;
  for (const m of media) {
    const patch = mapMedia(m);
    if (!patch) {
      skipped++;
      continue;
    }
    anime.push(patch);
    const related = mapRelations(m);
    if (!related) continue;
    // Two AniList media can share one MAL id; each list replaces the title's stored one, so they
    // are joined here rather than the second erasing the first.
    const earlier = relations.get(related.animeId);
    if (!earlier) relations.set(related.animeId, related);
    else for (const r of related.relations) if (!earlier.relations.some((e) => e.relatedId === r.relatedId && e.relation === r.relation)) earlier.relations.push(r);
  }
  return { anime, relations: [...relations.values()], skipped };
}
