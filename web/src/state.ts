/**
 * Everything a result page depends on lives in the URL (who it is for and every filter), so a
 * link reproduces the page: shareable, bookmarkable, and the back button works.
 */
import type { BooleanFilterField, FilterField, ListFilterField, NumberFilterField } from '../../src/wire/filters';
import type { Filters } from './api';

// The page's filter groups, checked against the server's filter schema: a field of the wrong
// kind does not compile, and neither does a new server filter the page does not place.
export const LIST_FILTERS = [
  'genres',
  'excludeGenres',
  'themes',
  'excludeThemes',
  'formats',
  'status',
] as const satisfies readonly ListFilterField[];
export const NUMBER_FILTERS = [
  'yearMin',
  'yearMax',
  'episodesMin',
  'episodesMax',
  'minScore',
  'minPopularityRank',
  'maxPopularityRank',
] as const satisfies readonly NumberFilterField[];
export const BOOLEAN_FILTERS = ['includeAdult', 'excludeListed', 'excludePlanned'] as const satisfies readonly BooleanFilterField[];
/** `season`: `2025-fall` or `current` (the server's clock decides which season that is). */
export const SEASON_FILTER = 'season' satisfies FilterField;
type PlacedFilter =
  (typeof LIST_FILTERS)[number] | (typeof NUMBER_FILTERS)[number] | (typeof BOOLEAN_FILTERS)[number] | typeof SEASON_FILTER;
export const EVERY_FILTER_PLACED: [Exclude<FilterField, PlacedFilter>] extends [never] ? true : never = true;
export const SEASONS = ['winter', 'spring', 'summer', 'fall'] as const;
const SEASON_VALUE = /^(current|\d{4}-(winter|spring|summer|fall))$/;

/** "2016-spring" → "Spring 2016", for people. */
export function seasonLabel(value: string): string {
  const [year, season] = value.split('-');
  return season ? `${season[0]!.toUpperCase()}${season.slice(1)} ${year}` : value;
}
export const PREF_KEYS = ['likeGenres', 'dislikeGenres', 'likeThemes', 'dislikeThemes'] as const;

export interface TitlePick {
  id: number;
  score: number | null;
}

/** Who the recommendations are for. */
export type Source =
  | { kind: 'titles'; titles: TitlePick[]; seen: number[]; skip: number[] }
  | { kind: 'prefs'; prefs: Record<(typeof PREF_KEYS)[number], string[]>; seen: number[]; skip: number[] }
  | { kind: 'user'; user: string; seen: number[]; skip: number[] }
  | { kind: 'none' };

const list = (p: URLSearchParams, key: string): string[] =>
  p
    .getAll(key)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
const ids = (p: URLSearchParams, key: string): number[] =>
  list(p, key)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);

export function sourceFrom(p: URLSearchParams): Source {
  const seen = ids(p, 'seen');
  const skip = ids(p, 'skip');
  const user = p.get('user');
  if (user) return { kind: 'user', user, seen, skip };
  const titles = list(p, 't').flatMap((entry) => {
    const [id, score] = entry.split(':');
    const n = Number(id);
    const s = score === undefined ? null : Number(score);
    return Number.isInteger(n) && n > 0 ? [{ id: n, score: s !== null && s >= 1 && s <= 10 ? Math.round(s) : null }] : [];
  });
  if (titles.length > 0) return { kind: 'titles', titles, seen, skip };
  const prefs = Object.fromEntries(PREF_KEYS.map((k) => [k, list(p, k)])) as Record<(typeof PREF_KEYS)[number], string[]>;
  if (PREF_KEYS.some((k) => prefs[k].length > 0)) return { kind: 'prefs', prefs, seen, skip };
  return { kind: 'none' };
}

export function sourceParams(source: Source): URLSearchParams {
  const p = new URLSearchParams();
  if (source.kind === 'none') return p;
  if (source.kind === 'user') p.set('user', source.user);
  if (source.kind === 'titles') p.set('t', source.titles.map((t) => (t.score ? `${t.id}:${t.score}` : String(t.id))).join(','));
  if (source.kind === 'prefs') for (const k of PREF_KEYS) if (source.prefs[k].length > 0) p.set(k, source.prefs[k].join(','));
  if (source.seen.length > 0) p.set('seen', source.seen.join(','));
  if (source.skip.length > 0) p.set('skip', source.skip.join(','));
  return p;
}

export function filtersFrom(p: URLSearchParams): Filters {
  const f: Filters = {};
  for (const k of LIST_FILTERS) {
    const v = list(p, k);
    if (v.length > 0) f[k] = v;
  }
  for (const k of NUMBER_FILTERS) {
    const raw = p.get(k);
    if (raw !== null && raw !== '' && Number.isFinite(Number(raw))) f[k] = Number(raw);
  }
  for (const k of BOOLEAN_FILTERS) {
    const raw = p.get(k);
    if (raw === 'true' || raw === 'false') f[k] = raw === 'true';
  }
  const season = p.get(SEASON_FILTER)?.trim().toLowerCase();
  if (season && SEASON_VALUE.test(season)) f[SEASON_FILTER] = season;
  return f;
}

export function filterParams(f: Filters, into = new URLSearchParams()): URLSearchParams {
  for (const [k, v] of Object.entries(f)) {
    if (Array.isArray(v)) {
      if (v.length > 0) into.set(k, v.join(','));
    } else if (v !== '' && v !== undefined) into.set(k, String(v));
  }
  return into;
}

export function diversityFrom(p: URLSearchParams): number | undefined {
  const raw = p.get('diversity');
  const n = raw === null || raw === '' ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}

/** The recommendations URL for a source, keeping the current filters. */
export function forYouUrl(source: Source, current?: URLSearchParams): string {
  const p = sourceParams(source);
  if (current) {
    filterParams(filtersFrom(current), p);
    const d = current.get('diversity');
    if (d) p.set('diversity', d);
  }
  return `/for-you?${p.toString()}`;
}

/** The titles the list and profile pages send to the API for a no-account visitor. */
export function titleEntries(source: Source): { id: number; score?: number | null; status?: string }[] {
  if (source.kind !== 'titles') return [];
  return [
    ...source.titles.map((t) => (t.score ? { id: t.id, score: t.score } : { id: t.id, status: 'completed' })),
    // "Already seen" counts as watched without a score (mildly positive); "not interested" as dropped (negative).
    ...source.seen.filter((id) => !source.titles.some((t) => t.id === id)).map((id) => ({ id, status: 'completed' })),
    ...source.skip.map((id) => ({ id, status: 'dropped' })),
  ];
}

/** Drop filters that equal the API's defaults so URLs stay short and readable. */
export function normalizeFilters(f: Filters): Filters {
  const out: Filters = {};
  for (const [k, v] of Object.entries(f) as [FilterField, Filters[FilterField]][]) {
    if (Array.isArray(v) && v.length === 0) continue;
    if (k === 'includeAdult' && v === false) continue;
    if ((k === 'excludeListed' || k === 'excludePlanned') && v === true) continue;
    out[k] = v;
  }
  return out;
}
