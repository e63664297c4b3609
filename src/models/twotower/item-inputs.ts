import { BUNDLED_DATA } from '../../data/bundled.js';
import { ANIME_FORMATS, SEASONS, type Anime } from '../../data/types.js';
import { cleanSynopsis, tryLoadEmbeddingCache } from '../content/text-embeddings.js';
import { principalComponents, project } from '../neural/pca.js';
import type { TwoTowerParams } from './params.js';

/**
 * The item tower's input: one dense row per title of the vocabulary, built from the catalogue
 * only (no interactions), so a title nobody rated gets the same kind of row as a hit. Genres,
 * themes and demographics share one "tag" namespace as in the content model (a 2016 "Mecha" genre
 * is a Jikan "Mecha" theme). Numbers are standardised over the titles that have them and carry a
 * "missing" input, so an unknown year or member count is told apart from an average one.
 */
export interface ItemInputs {
  rows: Float32Array;
  nItems: number;
  dim: number;
  /** Name of each input column, for reports and debugging. */
  names: string[];
  /** Titles that got a synopsis vector from the cache. */
  synopsisVectors: number;
  /** Share of the synopsis variance the kept components explain. */
  synopsisVarianceKept: number;
}

function key(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** Values that occur on at least `minCount` titles, most frequent first (ties by name). */
function vocabulary(values: Iterable<string>[], minCount: number, limit = Infinity): string[] {
  const counts = new Map<string, number>();
  for (const row of values) for (const v of new Set(row)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([v]) => v);
}

/** Mean and standard deviation of the finite values (std floored so a constant column stays finite). */
function moments(values: (number | null)[]): { mean: number; std: number } {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return { mean: 0, std: 1 };
  const mean = known.reduce((s, v) => s + v, 0) / known.length;
  const variance = known.reduce((s, v) => s + (v - mean) ** 2, 0) / known.length;
  return { mean, std: Math.max(Math.sqrt(variance), 1e-6) };
}

export function buildItemInputs(itemIds: Int32Array, catalogue: ReadonlyMap<number, Anime>, p: TwoTowerParams, seed: number): ItemInputs {
  const n = itemIds.length;
  const items = Array.from(itemIds, (id) => catalogue.get(id));
  const names: string[] = [];
  const columns: ((row: Float32Array, item: number) => void)[] = [];
  const column = (name: string): number => names.push(name) - 1;

  if (p.metadataFeatures) {
    const tagsOf = (a: Anime | undefined): string[] =>
      a ? [...a.genres, ...a.themes, ...a.demographics].map(key).filter((t) => t.length > 0) : [];
    const tags = vocabulary(items.map(tagsOf), 3);
    const tagColumn = new Map(tags.map((t) => [t, column(`tag:${t}`)]));
    const studioNames = items.map((a) => (a ? a.studios.map(key).filter((s) => s.length > 0) : []));
    const studios = vocabulary(studioNames, 2, p.topStudios);
    const studioColumn = new Map(studios.map((s) => [s, column(`studio:${s}`)]));
    const otherStudio = column('studio:(other)');
    const sources = vocabulary(
      items.map((a) => (a?.source ? [key(a.source)] : [])),
      3,
    );
    const sourceColumn = new Map(sources.map((s) => [s, column(`source:${s}`)]));
    const otherSource = column('source:(other)');
    const formatColumn = new Map(ANIME_FORMATS.map((f) => [f as string, column(`format:${f}`)]));
    const seasonColumn = new Map(SEASONS.map((s) => [s as string, column(`season:${s}`)]));
    const year = moments(items.map((a) => a?.year ?? null));
    const yearColumn = column('year');
    const yearMissing = column('year:missing');
    const logEpisodes = (a: Anime | undefined): number | null => (a?.episodes != null && a.episodes > 0 ? Math.log(a.episodes) : null);
    const episodes = moments(items.map(logEpisodes));
    const episodesColumn = column('log-episodes');
    const episodesMissing = column('episodes:missing');
    columns.push((row, i) => {
      const a = items[i];
      for (const t of tagsOf(a)) {
        const c = tagColumn.get(t);
        if (c !== undefined) row[c] = 1;
      }
      for (const s of studioNames[i]!) row[studioColumn.get(s) ?? otherStudio] = 1;
      if (a?.source) row[sourceColumn.get(key(a.source)) ?? otherSource] = 1;
      if (a?.format) row[formatColumn.get(a.format)!] = 1;
      if (a?.season) row[seasonColumn.get(a.season)!] = 1;
      if (a?.year != null && Number.isFinite(a.year)) row[yearColumn] = (a.year - year.mean) / year.std;
      else row[yearMissing] = 1;
      const e = logEpisodes(a);
      if (e !== null) row[episodesColumn] = (e - episodes.mean) / episodes.std;
      else row[episodesMissing] = 1;
    });
  }

  let synopsisVectors = 0;
  let synopsisVarianceKept = 0;
  if (p.synopsisFeatures) {
    const cache = tryLoadEmbeddingCache(p.embeddingCachePath ?? BUNDLED_DATA.embeddingCache);
    const vectors: (Float32Array | null)[] = items.map((a, i) =>
      cache && a ? cache.lookup(itemIds[i]!, cleanSynopsis(a.synopsis)) : null,
    );
    const withVector = vectors.filter((v): v is Float32Array => v !== null);
    synopsisVectors = withVector.length;
    const first = column('synopsis:missing');
    if (withVector.length > 1) {
      const dims = withVector[0]!.length;
      const stacked = new Float32Array(withVector.length * dims);
      withVector.forEach((v, r) => stacked.set(v, r * dims));
      const pca = principalComponents(stacked, withVector.length, dims, p.synopsisDims, seed);
      synopsisVarianceKept = pca.explained.reduce((s, x) => s + x, 0);
      const start = names.length;
      for (let c = 0; c < pca.count; c++) column(`synopsis:pc${c + 1}`);
      // Each title projected once; then unit variance per component, so the synopsis block is on
      // the scale of the other inputs.
      const projected = new Map<number, Float32Array>();
      const variance = new Float64Array(pca.count);
      vectors.forEach((v, i) => {
        if (v === null) return;
        const coords = new Float32Array(pca.count);
        project(pca, v, coords);
        for (let c = 0; c < pca.count; c++) variance[c]! += coords[c]! * coords[c]!;
        projected.set(i, coords);
      });
      const scale = Float32Array.from(variance, (s) => (s > 0 ? 1 / Math.sqrt(s / withVector.length) : 0));
      columns.push((row, i) => {
        const coords = projected.get(i);
        if (coords === undefined) {
          row[first] = 1;
          return;
        }
        for (let c = 0; c < pca.count; c++) row[start + c] = coords[c]! * scale[c]!;
      });
    } else {
      columns.push((row) => (row[first] = 1));
    }
  }

  if (p.popularityFeatures) {
    const logMembers = (a: Anime | undefined): number | null => (a?.members != null && a.members > 0 ? Math.log(a.members) : null);
    const score = (a: Anime | undefined): number | null => (a?.malScore != null && a.malScore > 0 ? a.malScore : null);
    const members = moments(items.map(logMembers));
    const scores = moments(items.map(score));
    const membersColumn = column('log-members');
    const membersMissing = column('members:missing');
    const scoreColumn = column('mal-score');
    const scoreMissing = column('mal-score:missing');
    columns.push((row, i) => {
      const m = logMembers(items[i]);
      if (m !== null) row[membersColumn] = (m - members.mean) / members.std;
      else row[membersMissing] = 1;
      const s = score(items[i]);
      if (s !== null) row[scoreColumn] = (s - scores.mean) / scores.std;
      else row[scoreMissing] = 1;
    });
  }

  if (names.length === 0) {
    throw new Error(
      'twotower: every item input is switched off (metadataFeatures, synopsisFeatures and popularityFeatures are all false); turn at least one on',
    );
  }
  const dim = names.length;
  const rows = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const row = rows.subarray(i * dim, (i + 1) * dim);
    for (const fill of columns) fill(row, i);
  }
  return { rows, nItems: n, dim, names, synopsisVectors, synopsisVarianceKept };
}
