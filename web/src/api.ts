/**
 * The slice of the anirec HTTP API the page uses (docs/api.md), with errors a person can read.
 * Every answer's type is the server's own, derived from the TypeBox schema the server serialises
 * with (src/wire/): type-only imports, so no server code reaches the page, and a field the server
 * adds, renames or makes nullable is a compile error here rather than a blank on the page.
 */
import type { AnimeSummary } from '../../src/wire/anime';
import type { AnimeBatchItem, AnimeDetails, PageConfig, SearchHit, Tags } from '../../src/wire/catalog';
import type { ContinueItem, ContinueKind, ContinueList } from '../../src/wire/continue';
import type { FilterField } from '../../src/wire/filters';
import type { ImportResult } from '../../src/wire/imports';
import type { Monitoring, MonitoringDay } from '../../src/wire/monitoring';
import type { FacetShare, Profile } from '../../src/wire/profile';
import type { FranchiseCard, RecommendationList, RecommendedItem } from '../../src/wire/recommendations';

export type {
  AnimeDetails,
  ContinueItem,
  ContinueKind,
  ContinueList,
  ImportResult,
  Monitoring,
  MonitoringDay,
  PageConfig,
  Profile,
  SearchHit,
  Tags,
};

/** A title card as the API sends it. */
export type Anime = AnimeSummary;
/** The franchise a card stands for: its other entries ride along ("+N more from <name>"). */
export type Franchise = NonNullable<FranchiseCard>;
export type Item = RecommendedItem;
export type RecList = RecommendationList;
/** What a details panel adds to a card (GET /anime?ids=…). */
export type Details = Pick<AnimeBatchItem, 'id' | 'synopsis' | 'titleJapanese'>;
/** One favourite's share of the list and its lift over the average user. */
export type Share = FacetShare;

/** An API error as the server sent it (message is already written for people). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly suggestions: unknown[] = [],
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(
      0,
      'offline',
      'Could not reach the anirec server. Check that it is still running (anirec serve) and your connection, then try again.',
    );
  }
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Proxies and crashed servers answer HTML; say so instead of "Unexpected token <".
  }
  if (!res.ok) {
    if (json && typeof json.message === 'string')
      throw new ApiError(res.status, json.error ?? 'error', json.message, json.suggestions ?? []);
    throw new ApiError(
      res.status,
      'http',
      `The server answered ${res.status} ${res.statusText || ''} without an explanation; try again in a moment.`,
    );
  }
  if (json === null) throw new ApiError(res.status, 'empty', 'The server sent an empty answer; try again in a moment.');
  return json as T;
}

/** Query string from a flat record, skipping empty values; arrays become comma lists (the API accepts both). */
export function qs(params: Record<string, string | number | boolean | string[] | undefined | null>): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) out.set(key, value.join(','));
    } else out.set(key, String(value));
  }
  const s = out.toString();
  return s ? `?${s}` : '';
}

/**
 * Filters as the page holds them (from the URL): the server's filter fields (src/wire/filters.ts),
 * with values the server validates, so a hand-edited URL gets the API's own error.
 */
export type Filters = Partial<Record<FilterField, string | number | boolean | string[]>>;

export const api = {
  search: (q: string, signal?: AbortSignal) =>
    call<{ results: SearchHit[] }>('GET', `/v1/search${qs({ q, limit: 8 })}`, undefined, undefined, signal),
  tags: () => call<Tags>('GET', '/v1/tags'),
  pageConfig: () => call<PageConfig>('GET', '/v1/page-config'),
  details: (ids: number[]) => call<{ items: AnimeBatchItem[] }>('GET', `/v1/anime${qs({ ids: ids.map(String) })}`),
  fromTitles: (
    titles: { id: number; score?: number | null; status?: string }[],
    k: number,
    offset: number,
    filters: Filters,
    diversity?: number,
  ) =>
    call<RecList>('POST', '/v1/recommendations/from-titles', {
      titles,
      k,
      offset,
      filters,
      ...(diversity !== undefined ? { diversity } : {}),
    }),
  fromPreferences: (prefs: Record<string, string[]>, k: number, offset: number, filters: Filters, diversity?: number) =>
    call<RecList>('POST', '/v1/recommendations/from-preferences', {
      ...prefs,
      k,
      offset,
      filters,
      ...(diversity !== undefined ? { diversity } : {}),
    }),
  forUser: (user: string, k: number, offset: number, filters: Filters, diversity?: number) =>
    call<RecList>('GET', `/v1/users/${encodeURIComponent(user)}/recommendations${qs({ ...filters, k, offset, diversity })}`),
  continueForUser: (user: string, k: number) => call<ContinueList>('GET', `/v1/users/${encodeURIComponent(user)}/continue${qs({ k })}`),
  continueFromTitles: (titles: { id: number; score?: number | null; status?: string }[], k: number) =>
    call<ContinueList>('POST', '/v1/continue/from-titles', { titles, k }),
  similar: (id: number, mode: string, k: number, offset: number, filters: Filters) =>
    call<RecList>('GET', `/v1/similar${qs({ ...filters, id, mode, k, offset })}`),
  anime: (id: number) => call<AnimeDetails>('GET', `/v1/anime/${id}`),
  userProfile: (user: string) => call<Profile>('GET', `/v1/users/${encodeURIComponent(user)}/profile`),
  titlesProfile: (titles: { id: number; score?: number | null; status?: string }[]) =>
    call<Profile>('POST', '/v1/profile/from-titles', { titles }),
  setStatus: (user: string, id: number, status: string) =>
    call<unknown>('PUT', `/v1/users/${encodeURIComponent(user)}/list/${id}`, { status }),
  importMal: (xml: string) => call<ImportResult>('POST', '/v1/import/mal', xml, 'application/xml'),
  monitoring: (days: number, signal?: AbortSignal) =>
    call<Monitoring>('GET', `/v1/monitoring${qs({ days })}`, undefined, undefined, signal),
  importAniList: (userName: string) => call<ImportResult>('POST', '/v1/import/anilist', { userName }),
};
