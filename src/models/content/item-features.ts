import type { Anime } from '../../data/types.js';
import type { SparseVector } from './text-embeddings.js';

/**
 * Metadata vectors: one sparse, IDF-weighted, L2-normalised vector per item from its genres,
 * themes, demographics, studios, source, format, era and length. Catalogues differ in what they
 * know (the 2016 Kaggle catalogue has only genres/format/episodes, and lists "Mecha" or "Shounen"
 * as genres; Jikan splits them into themes and demographics), so genres, themes and demographics
 * share one "tag" namespace: a 2016 "Mecha" genre matches a Jikan "Mecha" theme.
 */

export interface ItemFeatureParams {
  genreWeight: number;
  themeWeight: number;
  demographicWeight: number;
  studioWeight: number;
  sourceWeight: number;
  formatWeight: number;
  eraWeight: number;
  /** Years per era bucket (5 → 2006–2010, 2011–2015, ...). */
  eraYears: number;
  episodesWeight: number;
}

export const DEFAULT_ITEM_FEATURE_PARAMS: ItemFeatureParams = {
  genreWeight: 1,
  themeWeight: 1,
  demographicWeight: 0.7,
  studioWeight: 0.6,
  sourceWeight: 0.4,
  formatWeight: 0.4,
  eraWeight: 0.4,
  eraYears: 5,
  episodesWeight: 0.3,
};

/** Item features as CSR over a token vocabulary; row i belongs to `items[i]`. */
export interface FeatureMatrix {
  nRows: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
  vocabulary: string[];
}

function key(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

export function episodesBucket(episodes: number): string {
  if (episodes <= 1) return '1';
  if (episodes <= 6) return '2-6';
  if (episodes <= 16) return '7-16';
  if (episodes <= 30) return '17-30';
  if (episodes <= 60) return '31-60';
  return '61+';
}

/** The weighted tokens of one title (before IDF). Unknown fields add nothing. */
export function itemTokens(anime: Anime | undefined, params: ItemFeatureParams = DEFAULT_ITEM_FEATURE_PARAMS): Map<string, number> {
  const tokens = new Map<string, number>();
  if (anime === undefined) return tokens;
  const add = (token: string, weight: number) => {
    if (weight <= 0) return;
    tokens.set(token, Math.max(tokens.get(token) ?? 0, weight));
  };
  for (const g of anime.genres ?? []) if (key(g)) add(`tag:${key(g)}`, params.genreWeight);
  for (const t of anime.themes ?? []) if (key(t)) add(`tag:${key(t)}`, params.themeWeight);
  for (const d of anime.demographics ?? []) if (key(d)) add(`tag:${key(d)}`, params.demographicWeight);
  for (const s of anime.studios ?? []) if (key(s)) add(`studio:${key(s)}`, params.studioWeight);
  if (anime.source) add(`source:${key(anime.source)}`, params.sourceWeight);
  if (anime.format) add(`format:${key(anime.format)}`, params.formatWeight);
  if (anime.year !== null && anime.year !== undefined && Number.isFinite(anime.year)) {
    const era = Math.floor(anime.year / params.eraYears) * params.eraYears;
    add(`era:${era}`, params.eraWeight);
  }
  if (anime.episodes !== null && anime.episodes !== undefined && anime.episodes > 0) {
    add(`episodes:${episodesBucket(anime.episodes)}`, params.episodesWeight);
  }
  return tokens;
}

/**
 * Builds the metadata matrix: value = field weight × idf, idf = ln((1 + N) / (1 + df)) + 1 over the
 * N items that have any feature; rows are L2-normalised. `undefined` entries (items absent from
 * the catalogue) get empty rows.
 */
export function buildItemFeatures(items: ReadonlyArray<Anime | undefined>, params: Partial<ItemFeatureParams> = {}): FeatureMatrix {
  const p = { ...DEFAULT_ITEM_FEATURE_PARAMS, ...params };
  const rows = items.map((a) => itemTokens(a, p));
  const df = new Map<string, number>();
  let n = 0;
  for (const row of rows) {
    if (row.size > 0) n++;
    for (const t of row.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const vocabulary = [...df.keys()].sort();
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  const idf = vocabulary.map((t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1);
  const indptr = new Int32Array(items.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  rows.forEach((row, r) => {
    const entries = [...row.entries()].map(([t, w]) => [index.get(t)!, w * idf[index.get(t)!]!] as const).sort((a, b) => a[0] - b[0]);
    const norm = Math.sqrt(entries.reduce((s, [, v]) => s + v * v, 0));
    for (const [id, v] of entries) {
      indices.push(id);
      values.push(norm > 0 ? v / norm : 0);
    }
    indptr[r + 1] = indices.length;
  });
  return { nRows: items.length, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values), vocabulary };
}

/** Row r of a feature matrix as a sparse vector (views, no copy). */
export function featureRow(m: FeatureMatrix, r: number): SparseVector {
  return { indices: m.indices.subarray(m.indptr[r]!, m.indptr[r + 1]!), values: m.values.subarray(m.indptr[r]!, m.indptr[r + 1]!) };
}
