import type { ModelBundle } from '../models/bundle.js';
import type { History } from '../models/types.js';
import type { LikedItem } from './reasons.js';
import type { HistoryEntry } from './taste-profile.js';

/**
 * What the engine keeps per scored list, and how lists and models are identified for the score
 * cache and for precomputed rankings (src/recommend/precompute.ts).
 */

/**
 * How many of a list's best items are kept in order. Pages are cut from this ranking without
 * scanning the catalogue; a page it cannot fill (very narrow filters, very deep pages) falls back
 * to a scan.
 */
export const RANKING_LENGTH = 500;

/**
 * Everything a recommendation needs from one list that does not depend on the page or filters:
 * scored once, then reused for every page, filter change and reload of the same list.
 */
export interface ScoredList {
  history: History;
  /** Listed anime ids the model does not know. */
  unknown: number[];
  /** The best RANKING_LENGTH items (item indices), best first. Shared by requests: read, never write. */
  ranking: Int32Array;
  /** The model's score of each item in `ranking`. */
  rankingScores: Float32Array;
  /** True when `ranking` holds every item with a finite score (else a page it cannot fill is rescored). */
  rankingComplete: boolean;
  liked: LikedItem[];
  loved: Map<string, number>;
  /** Where the ranking came from: scoring the list, or a stored (shorter) precomputed ranking. */
  origin: 'scored' | 'precomputed';
}

/** How many of a known user's best titles `anirec precompute` stores. */
export const PRECOMPUTED_RANKING_LENGTH = 200;

/**
 * Which model precomputed rankings belong to: the bundle's kind and creation time, so two model
 * directories with the same name never share rankings.
 */
export function rankingKeyOf(bundle: ModelBundle): string {
  return `${bundle.manifest.kind}@${bundle.manifest.createdAt}`;
}

/** A list's content as one string: ids, scores and statuses, in list order. */
export function listContent(entries: readonly HistoryEntry[]): string {
  let key = '';
  for (const entry of entries) key += `${entry.animeId}:${entry.score ?? ''}:${entry.status ?? ''},`;
  return key;
}
