import { SEASONS, type Anime } from '../../data/types.js';
import { createRng, mixSeed, shuffleInPlace } from '../../models/random.js';
import type { TrainingData } from '../../models/types.js';

/**
 * Which titles a cold-title protocol pretends nobody has rated yet. Both selections draw only
 * from titles that have interactions in the data (a title nobody rated can never be a target),
 * and both are a pure function of the data, the catalogue and the options, so a seed or a season
 * count names the selection exactly.
 */

export type ColdVariant = 'random' | 'recent';

export interface ColdSelection {
  variant: ColdVariant;
  /** 1 for a cold title, per item index of the data's vocabulary. */
  mask: Uint8Array;
  /** Cold item indices, ascending. */
  items: Int32Array;
  /** MAL ids of the cold titles, ascending. */
  animeIds: number[];
  /** Titles with at least one interaction in the data (the pool the selection draws from). */
  titlesWithInteractions: number;
  /** Interactions on cold titles in the whole data (all users), i.e. what training loses. */
  coldInteractions: number;
  /** Random variant: the share drawn and the seed. */
  share?: number;
  seed?: number;
  /** Recent variant: the seasons whose titles went cold, newest first ("2016 fall"). */
  seasons?: string[];
  /** Recent variant: titles with interactions but no year or season in the catalogue (never selected). */
  undatedTitles?: number;
  /** One line for reports. */
  text: string;
}

function interactionCounts(data: TrainingData): Int32Array {
  const counts = new Int32Array(data.nItems);
  for (let e = 0; e < data.indices.length; e++) counts[data.indices[e]!]!++;
  return counts;
}

function finish(
  data: TrainingData,
  counts: Int32Array,
  mask: Uint8Array,
): Pick<ColdSelection, 'mask' | 'items' | 'animeIds' | 'titlesWithInteractions' | 'coldInteractions'> {
  const items: number[] = [];
  let coldInteractions = 0;
  let titlesWithInteractions = 0;
  for (let i = 0; i < data.nItems; i++) {
    if (counts[i]! > 0) titlesWithInteractions++;
    if (mask[i] === 1) {
      items.push(i);
      coldInteractions += counts[i]!;
    }
  }
  return {
    mask,
    items: Int32Array.from(items),
    animeIds: items.map((i) => data.itemIds[i]!),
    titlesWithInteractions,
    coldInteractions,
  };
}

/** A seeded `share` (0 < share < 1) of the titles that have interactions, drawn uniformly. */
export function selectRandomColdTitles(data: TrainingData, share: number, seed: number): ColdSelection {
  if (!(share > 0 && share < 1))
    throw new RangeError(`cold titles: the share must be in (0, 1), got ${share}; e.g. 0.1 for 10% of the rated titles`);
  const counts = interactionCounts(data);
  const rated: number[] = [];
  for (let i = 0; i < data.nItems; i++) if (counts[i]! > 0) rated.push(i);
  const n = Math.max(1, Math.round(share * rated.length));
  // Shuffling the ascending list of rated indices keeps the draw independent of row order.
  const order = shuffleInPlace(Int32Array.from(rated), createRng(mixSeed(seed, 0xc01d)));
  const mask = new Uint8Array(data.nItems);
  for (let r = 0; r < n; r++) mask[order[r]!] = 1;
  const result = finish(data, counts, mask);
  return {
    variant: 'random',
    ...result,
    share,
    seed,
    text:
      `random ${(share * 100).toFixed(share * 100 >= 1 ? 0 : 2)}% of the ${result.titlesWithInteractions} rated titles (seed ${seed}): ` +
      `${result.items.length} cold titles, ${result.coldInteractions} interactions removed from training`,
  };
}

/** year·4 + season index (winter = 0 … fall = 3): ascending in airing order. */
export function seasonKey(anime: Pick<Anime, 'year' | 'season'> | undefined): number | null {
  if (anime?.year == null || anime.season == null || !Number.isFinite(anime.year)) return null;
  return anime.year * 4 + SEASONS.indexOf(anime.season);
}

function seasonName(key: number): string {
  return `${Math.floor(key / 4)} ${SEASONS[key % 4]}`;
}

/**
 * The titles of the latest `seasons` seasons (by the catalogue's year and season) among the
 * titles that have interactions. Titles without a year and season (in the bundled catalogues:
 * everything but the TV titles from 2006 on) can never be selected, so they stay warm.
 */
export function selectRecentColdTitles(data: TrainingData, catalogue: ReadonlyMap<number, Anime>, seasons: number): ColdSelection {
  if (!Number.isInteger(seasons) || seasons < 1)
    throw new RangeError(`cold titles: the number of recent seasons must be an integer ≥ 1, got ${seasons}`);
  const counts = interactionCounts(data);
  const keys = new Int32Array(data.nItems).fill(-1);
  const present = new Set<number>();
  let undated = 0;
  for (let i = 0; i < data.nItems; i++) {
    if (counts[i]! === 0) continue;
    const key = seasonKey(catalogue.get(data.itemIds[i]!));
    if (key === null) {
      undated++;
      continue;
    }
    keys[i] = key;
    present.add(key);
  }
  if (present.size === 0) {
    throw new Error(
      'cold titles (recent): no rated title has a year and season in the catalogue; import a catalogue with airing seasons (e.g. the bundled Jikan TV catalogue)',
    );
  }
  const latest = [...present].sort((a, b) => b - a).slice(0, seasons);
  const chosen = new Set(latest);
  const mask = new Uint8Array(data.nItems);
  for (let i = 0; i < data.nItems; i++) if (keys[i]! >= 0 && chosen.has(keys[i]!)) mask[i] = 1;
  const result = finish(data, counts, mask);
  const names = latest.map(seasonName);
  return {
    variant: 'recent',
    ...result,
    seasons: names,
    undatedTitles: undated,
    text:
      `the rated titles of the latest ${latest.length} seasons (${names.join(', ')}): ${result.items.length} cold titles, ` +
      `${result.coldInteractions} interactions removed from training; ${undated} rated titles have no season in the catalogue and stay warm`,
  };
}
