/** The slice of the anirec HTTP API the page uses (docs/api.md), with errors a person can read. */
import type { AnimeSummary } from '../../src/recommend/catalog.js';
import type { MonitoringDay } from '../../src/store/store.js';
import type { FilterField } from '../../src/wire/filters';

/** A title as the API sends it: the server's own type (type-only import: no server code in the page). */
export type Anime = AnimeSummary;

/** The franchise a card stands for: its other entries ride along ("+N more from <name>"). */
export interface Franchise {
  id: number;
  name: string;
  /** Its other entries this list may show, in release order. */
  more: { anime: Anime; score: number | null }[];
}

export interface Item {
  rank: number;
  /** Null for a title the model cannot score yet (a new season listed for its series). */
  score: number | null;
  anime: Anime;
  reason: string;
  reasons: { kind: string; text: string; animeIds?: number[]; tags?: string[] }[];
  /** Null for a title alone; absent from routes that do not group (more like this). */
  franchise?: Franchise | null;
}

/** Why a title is in "Continue what you started". */
export type ContinueKind = 'next_entry' | 'new_season' | 'planned';

export interface ContinueItem extends Item {
  kind: ContinueKind;
}

export interface ContinueList {
  mode: 'continue';
  items: ContinueItem[];
  notes: string[];
  model?: { kind: string; version: string };
}

export interface RecList {
  mode: string;
  items: Item[];
  offset: number;
  nextOffset: number | null;
  notes?: string[];
  user?: { id: string; listed: number };
  match?: { id: number; title: string; titleEnglish: string | null; confidence: number };
  model?: { kind: string; version: string };
  /** With a season filter: the season it selected (`current` resolved by the server's clock). */
  season?: string;
}

export interface SearchHit {
  anime: Anime;
  score: number;
  matchedName: string;
}

export interface Details {
  id: number;
  synopsis: string | null;
  titleJapanese: string | null;
}

export interface Share {
  name: string;
  share: number;
  lift: number;
  count: number;
}

export interface Profile {
  user?: { id: string };
  listed: number;
  scored: number;
  meanScore: number | null;
  averageUserMeanScore: number;
  scoreDistribution: number[];
  statuses: Record<string, number>;
  favourites: Record<'genres' | 'themes' | 'studios' | 'sources', Share[]>;
  formats: Share[];
  eras: Share[];
  differences: string[];
}

/** One day of prediction monitoring for one model version (GET /v1/monitoring; written by `anirec monitor`). */
// The server's own declaration: the JSON has exactly these fields.
export type { MonitoringDay };

export interface Monitoring {
  days: MonitoringDay[];
  driftDays: number;
  latest: MonitoringDay | null;
}

/** Operator settings the page follows (GET /v1/page-config). */
export interface PageConfig {
  /** False: show no cover art from other hosts (`anirec serve --no-remote-images`). */
  remoteImages: boolean;
}

export interface Tags {
  genres: string[];
  themes: string[];
  studios: string[];
  formats: string[];
}

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

/** What a list import answers: the user it made, and what it could not use yet (notes say it in words). */
export interface ImportResult {
  user: { id: string; listed: number } | null;
  skipped: number;
  /** Sentences for the person, e.g. "3 titles are not in the catalogue yet: …" (MAL uploads). */
  notes?: string[];
  /** Entries that could not be read, as "upload:LINE, column C: reason: message" (MAL uploads). */
  problems?: string[];
}

export const api = {
  search: (q: string, signal?: AbortSignal) =>
    call<{ results: SearchHit[] }>('GET', `/v1/search${qs({ q, limit: 8 })}`, undefined, undefined, signal),
  tags: () => call<Tags>('GET', '/v1/tags'),
  pageConfig: () => call<PageConfig>('GET', '/v1/page-config'),
  details: (ids: number[]) => call<{ items: Details[] }>('GET', `/v1/anime${qs({ ids: ids.map(String) })}`),
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
  anime: (id: number) => call<Anime & Details>('GET', `/v1/anime/${id}`),
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
