import type { Anime, AnimeFormat } from '../data/types.js';
import { topKIndices } from '../models/top-k.js';
import type { History } from '../models/types.js';
import { FilterError, type RecommendationFilters } from './filters.js';
import type { ModelContext } from './model-context.js';
import { closestWords } from './title-search.js';

/** What a new user can say about their taste without naming a single title. */
export interface Preferences {
  likedGenres?: string[];
  dislikedGenres?: string[];
  /** Themes or demographics: Mecha, Isekai, Seinen, ... */
  likedThemes?: string[];
  dislikedThemes?: string[];
  likedStudios?: string[];
  formats?: AnimeFormat[];
  /** Era as years, e.g. { from: 2000, to: 2010 }. */
  era?: { from?: number; to?: number };
}

/** Preferences with names resolved to the catalogue's spelling. */
export interface ResolvedPreferences {
  liked: Set<string>;
  disliked: Set<string>;
  studios: Set<string>;
}

/** Case-insensitive lookup in one or two vocabularies; unknown names are a 400 with suggestions. */
function resolve(values: readonly string[] | undefined, vocabularies: Map<string, string>[], field: string): string[] {
  return (values ?? []).map((value) => {
    for (const vocabulary of vocabularies) {
      const found = vocabulary.get(value.trim().toLowerCase());
      if (found !== undefined) return found;
    }
    const suggestions = closestWords(
      value,
      vocabularies.flatMap((v) => [...v.values()]),
    );
    const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => JSON.stringify(s)).join(' or ')}?` : '';
    throw new FilterError(
      field,
      `unknown name ${JSON.stringify(value)}.${hint} GET /v1/tags lists genres, themes and studios.`,
      suggestions,
    );
  });
}

export function resolvePreferences(prefs: Preferences, ctx: ModelContext): ResolvedPreferences {
  const { genres, themes, studios } = ctx.catalog.vocabulary;
  // A genre named in likedThemes (or the reverse) is still what the user meant: accept both.
  const liked = [
    ...resolve(prefs.likedGenres, [genres, themes], 'likedGenres'),
    ...resolve(prefs.likedThemes, [themes, genres], 'likedThemes'),
  ];
  const disliked = [
    ...resolve(prefs.dislikedGenres, [genres, themes], 'dislikedGenres'),
    ...resolve(prefs.dislikedThemes, [themes, genres], 'dislikedThemes'),
  ];
  const both = liked.filter((t) => disliked.includes(t));
  if (both.length > 0) throw new FilterError('dislikedGenres', `${both.join(', ')} is both liked and disliked; keep it in one list.`);
  if (prefs.era?.from !== undefined && prefs.era.to !== undefined && prefs.era.from > prefs.era.to) {
    throw new FilterError('era', `era.from (${prefs.era.from}) is after era.to (${prefs.era.to}); swap them.`);
  }
  return { liked: new Set(liked), disliked: new Set(disliked), studios: new Set(resolve(prefs.likedStudios, [studios], 'likedStudios')) };
}

/**
 * Formats and era are hard constraints (someone who only wants movies from the 90s does not
 * want a 2020 TV show), so they become filters; dislikes too: "I dislike horror" means none.
 */
export function preferenceFilters(
  prefs: Preferences,
  resolved: ResolvedPreferences,
  filters: RecommendationFilters,
): RecommendationFilters {
  const out: RecommendationFilters = { ...filters };
  if (prefs.formats && prefs.formats.length > 0)
    out.formats = filters.formats ? filters.formats.filter((f) => prefs.formats!.includes(f)) : prefs.formats;
  if (prefs.era?.from !== undefined) out.yearMin = Math.max(filters.yearMin ?? -Infinity, prefs.era.from);
  if (prefs.era?.to !== undefined) out.yearMax = Math.min(filters.yearMax ?? Infinity, prefs.era.to);
  return out;
}

/** Liked tags/studios a title has. */
export function matchedLikes(a: Anime, resolved: ResolvedPreferences, ctx: ModelContext): string[] {
  const out: string[] = [];
  for (const t of [...a.genres, ...ctx.catalog.tagsOf(a)]) if (resolved.liked.has(t)) out.push(t);
  for (const s of a.studios) if (resolved.studios.has(s)) out.push(s);
  return out;
}

/** matchedLikes(a, resolved, ctx).length, without building the list. */
function countLikes(a: Anime, resolved: ResolvedPreferences): number {
  let n = 0;
  if (resolved.liked.size > 0) {
    // genres + tagsOf(a) (themes, then demographics), as matchedLikes reads them.
    for (const t of a.genres) if (resolved.liked.has(t)) n++;
    for (const t of a.themes) if (resolved.liked.has(t)) n++;
    for (const t of a.demographics) if (resolved.liked.has(t)) n++;
  }
  if (resolved.studios.size > 0) for (const s of a.studios) if (resolved.studios.has(s)) n++;
  return n;
}

function hasDisliked(a: Anime, resolved: ResolvedPreferences): boolean {
  if (resolved.disliked.size === 0) return false;
  for (const t of a.genres) if (resolved.disliked.has(t)) return true;
  for (const t of a.themes) if (resolved.disliked.has(t)) return true;
  for (const t of a.demographics) if (resolved.disliked.has(t)) return true;
  return false;
}

/** Math.max(floor, ...values) without spreading a catalogue-sized array into arguments. */
function maxOf(values: Float32Array, floor: number): number {
  let max = floor;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) return Number.NaN;
    if (v > max) max = v;
  }
  return max;
}

/** How many of the model's top titles get a share of the blend. */
const MODEL_POOL = 500;

export interface PreferenceScoring {
  /** Score for every item (-Infinity = not eligible). */
  scores: Float32Array;
  /** The representative titles used as a pseudo-history (item indices). */
  seeds: number[];
  /** 0/1 per item: the filters' mask minus titles with a disliked tag. */
  allowed: Uint8Array;
}

/**
 * Preferences → scores. Each eligible title gets a direct match score (share of the liked tags it
 * has, times quality and a popularity prior). The best-matching well-known titles then act as a
 * pseudo-history the model folds in, which adds what fans of those titles also watch; the final
 * score blends both, so results are on-taste but not just "the 50 highest-rated mecha".
 * `allowed` is the filters' mask (RecommendationEngine.allowedMask); it is not modified.
 */
export function scorePreferences(ctx: ModelContext, resolved: ResolvedPreferences, allowed: Uint8Array): PreferenceScoring {
  const { bundle, itemAnime } = ctx;
  const n = bundle.itemIds.length;
  const wanted = resolved.liked.size + resolved.studios.size;
  const maxPop = maxOf(bundle.popularity, 1e-9);
  const direct = new Float32Array(n).fill(-Infinity);
  const strictAllowed = new Uint8Array(n);
  const seedPool: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = itemAnime[i];
    if (allowed[i] === 0 || a === undefined || hasDisliked(a, resolved)) continue;
    strictAllowed[i] = 1;
    const match = wanted > 0 ? countLikes(a, resolved) / wanted : 1;
    const quality = Math.max(0, ((a.malScore ?? 6) - 5) / 4);
    direct[i] = match * (0.6 + 0.4 * quality) * (0.5 + 0.5 * (bundle.popularity[i]! / maxPop));
    if (direct[i]! > 0 && bundle.popularity[i]! / maxPop > 0.4) seedPool.push(i);
  }
  const seeds = seedPool.sort((a, b) => direct[b]! - direct[a]! || a - b).slice(0, 10);
  const scores = direct;
  if (seeds.length > 0 && wanted > 0) {
    const history: History = { items: Int32Array.from(seeds), scores: new Float32Array(seeds.length).fill(9) };
    const model = new Float32Array(n);
    bundle.recommender.scoreFoldIn(history, model, strictAllowed);
    for (let i = 0; i < n; i++) if (direct[i]! === -Infinity) model[i] = -Infinity;
    // Rank, not raw score: model scores have arbitrary scales (the hybrid's jump between
    // candidates and the rest), and a rank blends the same way for every model kind.
    const top = topKIndices(model, MODEL_POOL);
    const modelRank = new Float32Array(n);
    top.forEach((item, r) => (modelRank[item] = 1 - r / MODEL_POOL));
    let maxDirect = 1e-9;
    for (let i = 0; i < n; i++) if (direct[i]! > maxDirect) maxDirect = direct[i]!;
    for (let i = 0; i < n; i++) {
      if (direct[i]! === -Infinity) continue;
      scores[i] = 0.6 * (direct[i]! / maxDirect) + 0.4 * modelRank[i]!;
    }
  }
  return { scores, seeds, allowed: strictAllowed };
}
