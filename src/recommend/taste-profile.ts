import type { Anime, ListStatus } from '../data/types.js';
import type { InteractionColumns } from '../store/index.js';
import type { Catalog } from './catalog.js';

/** One list entry as the recommend layer sees it (store rows and request bodies both map to this). */
export interface HistoryEntry {
  animeId: number;
  /** 1–10, or null when listed without a score. */
  score: number | null;
  status: ListStatus | null;
}

type Facet = 'genres' | 'themes' | 'studios' | 'sources' | 'formats' | 'eras';
const FACETS: readonly Facet[] = ['genres', 'themes', 'studios', 'sources', 'formats', 'eras'];

/** The values of one facet for a title: its genres, its decade, ... */
function facetValues(a: Anime, facet: Facet, catalog: Catalog): readonly string[] {
  switch (facet) {
    case 'genres':
      return a.genres;
    case 'themes':
      return catalog.tagsOf(a);
    case 'studios':
      return a.studios;
    case 'sources':
      return a.source ? [a.source] : [];
    case 'formats':
      return a.format ? [a.format] : [];
    case 'eras':
      return a.year ? [`${Math.floor(a.year / 10) * 10}s`] : [];
  }
}

/** What the average user's list looks like, to say how one user differs from it. */
export interface Baseline {
  /** Facet → value → share of all list entries whose title has that value. */
  shares: Record<Facet, Map<string, number>>;
  /** Mean of every user's mean score. */
  meanUserScore: number;
  users: number;
}

/** Computed once per store snapshot from every interaction (520k rows: ~100 ms). */
export function computeBaseline(columns: InteractionColumns, catalog: Catalog): Baseline {
  const perAnime = new Map<number, number>();
  let userSum = 0;
  let userCount = 0;
  let sum = 0;
  let n = 0;
  for (let e = 0; e < columns.length; e++) {
    const id = columns.animeIds[e]!;
    perAnime.set(id, (perAnime.get(id) ?? 0) + 1);
    const s = columns.scores[e]!;
    if (s > 0) {
      sum += s;
      n++;
    }
    if (e + 1 === columns.length || columns.userIds[e + 1] !== columns.userIds[e]) {
      if (n > 0) {
        userSum += sum / n;
        userCount++;
      }
      sum = 0;
      n = 0;
    }
  }
  const shares = Object.fromEntries(FACETS.map((f) => [f, new Map<string, number>()])) as Record<Facet, Map<string, number>>;
  let total = 0;
  for (const [id, count] of perAnime) {
    const a = catalog.get(id);
    if (a === undefined) continue;
    total += count;
    for (const facet of FACETS) for (const v of facetValues(a, facet, catalog)) shares[facet].set(v, (shares[facet].get(v) ?? 0) + count);
  }
  for (const facet of FACETS) for (const [v, c] of shares[facet]) shares[facet].set(v, c / Math.max(1, total));
  return { shares, meanUserScore: userCount > 0 ? userSum / userCount : 0, users: userCount };
}

export function meanOf(entries: readonly HistoryEntry[]): number | null {
  const scored = entries.filter((e) => e.score !== null && e.score > 0);
  return scored.length > 0 ? scored.reduce((s, e) => s + e.score!, 0) / scored.length : null;
}

/**
 * How much an entry says the user enjoyed the title: above their mean → more than 1, listed
 * without a score or still watching → mildly positive, dropped or scored well below their mean →
 * negative. Plan-to-watch says nothing about taste yet.
 */
export function likeWeight(entry: HistoryEntry, userMean: number | null): number {
  if (entry.status === 'plan_to_watch' && (entry.score === null || entry.score === 0)) return 0;
  if (entry.score === null || entry.score === 0) return entry.status === 'dropped' ? -0.5 : 0.5;
  const mean = userMean ?? 7;
  if (entry.score <= 4 || entry.score < mean - 2) return -1;
  return Math.max(0.1, 1 + (entry.score - mean) / 2);
}

export interface FacetShare {
  name: string;
  /** Share of the user's (liked-weighted) list with this value. */
  share: number;
  /** share / the average user's share: 2 = twice as much as the average user. */
  lift: number;
  count: number;
}

/** Liked-weighted totals per value of one facet, and the total like weight (dislikes are not counted). */
function facetWeights(
  entries: readonly HistoryEntry[],
  catalog: Catalog,
  facet: Facet,
  mean: number | null,
): { weights: Map<string, { w: number; count: number }>; total: number } {
  const weights = new Map<string, { w: number; count: number }>();
  let total = 0;
  for (const entry of entries) {
    const a = catalog.get(entry.animeId);
    const w = likeWeight(entry, mean);
    if (a === undefined || w <= 0) continue;
    total += w;
    for (const v of facetValues(a, facet, catalog)) {
      const cur = weights.get(v);
      if (cur === undefined) weights.set(v, { w, count: 1 });
      else {
        cur.w += w;
        cur.count++;
      }
    }
  }
  return { weights, total };
}

function facetShare(baseline: Baseline, facet: Facet, name: string, w: number, count: number, total: number): FacetShare {
  const share = w / Math.max(total, 1e-9);
  const base = baseline.shares[facet].get(name) ?? 0;
  return { name, share, lift: base > 0 ? share / base : share > 0 ? 10 : 1, count };
}

/** The user's facet shares, weighted by how much they liked each title (dislikes are not counted). */
export function facetAffinity(entries: readonly HistoryEntry[], catalog: Catalog, baseline: Baseline, facet: Facet): FacetShare[] {
  const { weights, total } = facetWeights(entries, catalog, facet, meanOf(entries));
  return [...weights]
    .map(([name, { w, count }]) => facetShare(baseline, facet, name, w, count, total))
    .sort((a, b) => b.share - a.share || a.name.localeCompare(b.name));
}

/**
 * Tags the user clearly loves: frequent among what they liked AND more than the average user
 * watches them. "Matches your love of mecha" should not fire for Comedy, which everyone watches.
 * Runs for every list the engine scores, so it skips facetAffinity's sort (a lookup table needs
 * no order; a value in both facets still ends with its themes weight, as before).
 */
export function lovedTags(entries: readonly HistoryEntry[], catalog: Catalog, baseline: Baseline): Map<string, number> {
  const out = new Map<string, number>();
  const mean = meanOf(entries);
  for (const facet of ['genres', 'themes'] as const) {
    const { weights, total } = facetWeights(entries, catalog, facet, mean);
    for (const [name, { w, count }] of weights) {
      const f = facetShare(baseline, facet, name, w, count, total);
      if (f.count >= 2 && f.share >= 0.15 && f.lift >= 1.3) out.set(f.name, f.share * Math.min(f.lift, 4));
    }
  }
  return out;
}

export interface TasteProfile {
  listed: number;
  scored: number;
  meanScore: number | null;
  averageUserMeanScore: number;
  /** Index 0 = score 1 ... index 9 = score 10. */
  scoreDistribution: number[];
  statuses: Record<string, number>;
  favourites: Record<'genres' | 'themes' | 'studios' | 'sources', FacetShare[]>;
  formats: FacetShare[];
  eras: FacetShare[];
  /** Plain sentences on how this user differs from the average user. */
  differences: string[];
}

export function tasteProfile(entries: readonly HistoryEntry[], catalog: Catalog, baseline: Baseline): TasteProfile {
  const scoreDistribution = new Array<number>(10).fill(0);
  const statuses: Record<string, number> = {};
  for (const e of entries) {
    if (e.score !== null && e.score >= 1 && e.score <= 10) scoreDistribution[Math.round(e.score) - 1]!++;
    const key = e.status ?? 'unknown';
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const meanScore = meanOf(entries);
  const top = (facet: Facet, n: number): FacetShare[] => facetAffinity(entries, catalog, baseline, facet).slice(0, n);
  const differences: string[] = [];
  if (meanScore !== null && baseline.meanUserScore > 0) {
    const delta = meanScore - baseline.meanUserScore;
    if (Math.abs(delta) >= 0.3) {
      differences.push(
        `You score ${Math.abs(delta).toFixed(1)} points ${delta > 0 ? 'higher' : 'lower'} than the average user (${meanScore.toFixed(1)} vs ${baseline.meanUserScore.toFixed(1)}).`,
      );
    }
  }
  for (const facet of ['genres', 'themes', 'formats', 'eras'] as const) {
    const distinctive = facetAffinity(entries, catalog, baseline, facet)
      .filter((f) => f.count >= 3 && f.share >= 0.1 && (f.lift >= 1.5 || f.lift <= 0.5))
      .sort((a, b) => Math.abs(Math.log(b.lift)) - Math.abs(Math.log(a.lift)))
      .slice(0, 2);
    for (const f of distinctive) {
      differences.push(
        f.lift >= 1
          ? `You watch ${f.lift.toFixed(1)}× more ${f.name} than the average user.`
          : `You watch ${(1 / f.lift).toFixed(1)}× less ${f.name} than the average user.`,
      );
    }
  }
  return {
    listed: entries.length,
    scored: entries.filter((e) => e.score !== null && e.score > 0).length,
    meanScore,
    averageUserMeanScore: baseline.meanUserScore,
    scoreDistribution,
    statuses,
    favourites: { genres: top('genres', 8), themes: top('themes', 8), studios: top('studios', 8), sources: top('sources', 5) },
    formats: top('formats', 6),
    eras: top('eras', 8),
    differences,
  };
}
