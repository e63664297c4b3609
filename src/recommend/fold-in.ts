import type { ModelBundle } from '../models/bundle.js';
import { topK } from '../models/top-k.js';
import type { History } from '../models/types.js';

export interface ListEntry {
  animeId: number;
  score: number | null;
}

/** A user's list turned into the model's item space; titles the model does not know are counted, not lost. */
export function toHistory(bundle: ModelBundle, entries: readonly ListEntry[]): { history: History; unknown: number[] } {
  const items: number[] = [];
  const scores: number[] = [];
  const unknown: number[] = [];
  for (const entry of entries) {
    const index = bundle.itemIndex.get(entry.animeId);
    if (index === undefined) {
      unknown.push(entry.animeId);
      continue;
    }
    items.push(index);
    scores.push(entry.score ?? 0);
  }
  return { history: { items: Int32Array.from(items), scores: Float32Array.from(scores) }, unknown };
}

export interface FoldInResult {
  animeIds: number[];
  scores: number[];
  unknownItems: number;
  /** True when the model knew none of the history and popularity answered instead. */
  usedFallback: boolean;
}

/**
 * Top-k for a user given only their list (fold-in). A user the model knows nothing about gets
 * the most popular titles, never an arbitrary order of zero scores.
 */
export function recommendForHistory(bundle: ModelBundle, entries: readonly ListEntry[], k: number): FoldInResult {
  const { history, unknown } = toHistory(bundle, entries);
  const exclude = new Uint8Array(bundle.itemIds.length);
  for (const item of history.items) exclude[item] = 1;
  // Titles the model does not know can still not be recommended back: they are not in its item
  // space, so they cannot appear in the output at all.
  let scores: Float32Array;
  const usedFallback = history.items.length === 0;
  if (usedFallback) {
    scores = bundle.popularity;
  } else {
    scores = new Float32Array(bundle.itemIds.length);
    bundle.recommender.scoreFoldIn(history, scores);
  }
  const top = topK(scores, k, exclude);
  return {
    animeIds: Array.from(top, (i) => bundle.itemIds[i]!),
    scores: Array.from(top, (i) => scores[i]!),
    unknownItems: unknown.length,
    usedFallback,
  };
}
