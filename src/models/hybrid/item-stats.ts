import type { Anime } from '../../data/types.js';
import { ANIME_FORMATS } from '../../data/types.js';
import type { TrainingData } from '../types.js';

/**
 * Per-item facts the ranker uses as features, computed once at training time from the training
 * interactions and the catalogue. Missing values are NaN so the trees learn where they go.
 */
export interface ItemStats {
  /** log(1 + number of training users listing the item). */
  logCount: Float32Array;
  /** Mean training score shrunk toward the global mean (Bayesian average, prior weight 10). */
  bayesScore: Float32Array;
  /** Share of the item's scored entries that are ≥ 7. */
  likedShare: Float32Array;
  /** Share of the item's entries listed without a score (often: still watching or planned). */
  unscoredShare: Float32Array;
  malScore: Float32Array;
  logMembers: Float32Array;
  /** Index in ANIME_FORMATS, NaN when unknown (trees split on it like a category). */
  formatCode: Float32Array;
  year: Float32Array;
  logEpisodes: Float32Array;
  /** Genre/theme/demographic tag ids per item (CSR), for taste-affinity features. */
  tagPtr: Int32Array;
  tagIds: Int32Array;
  tagNames: string[];
  /** Title tokens per item (CSR of token ids), for the franchise/sequel feature. */
  titlePtr: Int32Array;
  titleTokens: Int32Array;
}

const PRIOR_WEIGHT = 10;

// Words that say nothing about which franchise a title belongs to.
const TITLE_STOP_WORDS = new Set([
  'no',
  'the',
  'a',
  'of',
  'to',
  'wa',
  'ga',
  'wo',
  'ni',
  'de',
  'and',
  'season',
  'movie',
  'ova',
  'special',
  'specials',
  'tv',
  'part',
  'episode',
  'shin',
  'zoku',
  'new',
  'in',
  'on',
  'x',
  'ii',
  'iii',
  'iv',
  'final',
  'kan',
  'hen',
  'the movie',
]);

export function titleTokens(title: string): string[] {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((token) => token.length > 1 && !TITLE_STOP_WORDS.has(token) && !/^\d+(st|nd|rd|th)?$/.test(token));
}

function buildCsr<T>(nItems: number, valuesOf: (item: number) => T[], idOf: (value: T) => number): [Int32Array, Int32Array] {
  const ptr = new Int32Array(nItems + 1);
  const ids: number[] = [];
  for (let item = 0; item < nItems; item++) {
    for (const value of valuesOf(item)) ids.push(idOf(value));
    ptr[item + 1] = ids.length;
  }
  return [ptr, Int32Array.from(ids)];
}

/**
 * `stats` with the interaction-derived facts of `items` (1 = affected) as they are for a title
 * nobody listed: what the ranker sees of a new title. `globalMean` is the mean training score
 * (an unrated title's Bayesian average).
 */
export function asUnrated(stats: ItemStats, items: Uint8Array, globalMean: number): ItemStats {
  const logCount = stats.logCount.slice();
  const bayesScore = stats.bayesScore.slice();
  const likedShare = stats.likedShare.slice();
  const unscoredShare = stats.unscoredShare.slice();
  for (let item = 0; item < items.length; item++) {
    if (items[item] === 0) continue;
    logCount[item] = 0;
    bayesScore[item] = globalMean;
    likedShare[item] = Number.NaN;
    unscoredShare[item] = Number.NaN;
  }
  return { ...stats, logCount, bayesScore, likedShare, unscoredShare };
}

/** The mean of the scored entries (7 when none are scored, as computeItemStats assumes). */
export function meanTrainingScore(data: TrainingData): number {
  let sum = 0;
  let n = 0;
  for (let e = 0; e < data.scores.length; e++) {
    const s = data.scores[e]!;
    if (s > 0) {
      sum += s;
      n++;
    }
  }
  return n > 0 ? sum / n : 7;
}

export function computeItemStats(data: TrainingData, catalogue: ReadonlyMap<number, Anime>): ItemStats {
  const n = data.nItems;
  const count = new Float64Array(n);
  const scoreSum = new Float64Array(n);
  const scored = new Float64Array(n);
  const liked = new Float64Array(n);
  let globalSum = 0;
  let globalScored = 0;
  for (let e = 0; e < data.indices.length; e++) {
    const item = data.indices[e]!;
    const score = data.scores[e]!;
    count[item]!++;
    if (score > 0) {
      scoreSum[item]! += score;
      scored[item]!++;
      if (score >= 7) liked[item]!++;
      globalSum += score;
      globalScored++;
    }
  }
  const globalMean = globalScored > 0 ? globalSum / globalScored : 7;

  const stats = {
    logCount: new Float32Array(n),
    bayesScore: new Float32Array(n),
    likedShare: new Float32Array(n),
    unscoredShare: new Float32Array(n),
    malScore: new Float32Array(n),
    logMembers: new Float32Array(n),
    formatCode: new Float32Array(n),
    year: new Float32Array(n),
    logEpisodes: new Float32Array(n),
  };
  const animeOf = (item: number): Anime | undefined => catalogue.get(data.itemIds[item]!);
  for (let item = 0; item < n; item++) {
    stats.logCount[item] = Math.log1p(count[item]!);
    stats.bayesScore[item] = (scoreSum[item]! + PRIOR_WEIGHT * globalMean) / (scored[item]! + PRIOR_WEIGHT);
    stats.likedShare[item] = scored[item]! > 0 ? liked[item]! / scored[item]! : Number.NaN;
    stats.unscoredShare[item] = count[item]! > 0 ? (count[item]! - scored[item]!) / count[item]! : Number.NaN;
    const anime = animeOf(item);
    stats.malScore[item] = anime?.malScore ?? Number.NaN;
    stats.logMembers[item] = anime?.members != null ? Math.log1p(anime.members) : Number.NaN;
    const format = anime?.format ? ANIME_FORMATS.indexOf(anime.format) : -1;
    stats.formatCode[item] = format >= 0 ? format : Number.NaN;
    stats.year[item] = anime?.year ?? Number.NaN;
    stats.logEpisodes[item] = anime?.episodes != null ? Math.log1p(anime.episodes) : Number.NaN;
  }

  const tagIndex = new Map<string, number>();
  const tagId = (tag: string): number => {
    let id = tagIndex.get(tag);
    if (id === undefined) tagIndex.set(tag, (id = tagIndex.size));
    return id;
  };
  const [tagPtr, tagIds] = buildCsr(
    n,
    (item) => {
      const anime = animeOf(item);
      return anime ? [...anime.genres, ...anime.themes, ...anime.demographics] : [];
    },
    tagId,
  );
  const tokenIndex = new Map<string, number>();
  const [titlePtr, titleTokensCsr] = buildCsr(
    n,
    (item) => {
      const anime = animeOf(item);
      return anime ? [...new Set(titleTokens(anime.title))] : [];
    },
    (token: string) => {
      let id = tokenIndex.get(token);
      if (id === undefined) tokenIndex.set(token, (id = tokenIndex.size));
      return id;
    },
  );
  return { ...stats, tagPtr, tagIds, tagNames: [...tagIndex.keys()], titlePtr, titleTokens: titleTokensCsr };
}
