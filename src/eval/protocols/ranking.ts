import { topKIndices } from '../../models/top-k.js';
import type { Recommender } from '../../models/types.js';
import type { EvalUser } from '../split.js';
import { hitRateAtK, ndcgAtK, recallAtK, relevanceAtRanks } from '../metrics.js';

/**
 * Ranking inside a candidate set. evaluate() ranks every title of the vocabulary; the cold-title
 * protocols rank the cold titles only, or the rated titles only, so the mask is applied here,
 * after the model has scored, and a model never needs to know which protocol is running.
 */

/** Top-k of each user among the candidates (1 = may be ranked; null = every title), history excluded. */
export function rankAmong(recommender: Recommender, users: readonly EvalUser[], candidates: Uint8Array | null, k: number): Int32Array[] {
  const n = recommender.nItems;
  if (candidates !== null && candidates.length !== n)
    throw new RangeError(`rankAmong: ${candidates.length} candidate flags for ${n} items`);
  const buffer = new Float32Array(n);
  const lists: Int32Array[] = [];
  for (const user of users) {
    // NaN is skipped by the top-k: an item a model forgets to write never inherits a score.
    buffer.fill(NaN);
    recommender.scoreFoldIn(user.history, buffer);
    if (candidates !== null) for (let i = 0; i < n; i++) if (candidates[i] === 0) buffer[i] = -Infinity;
    for (let h = 0; h < user.history.items.length; h++) buffer[user.history.items[h]!] = -Infinity;
    lists.push(topKIndices(buffer, k).slice());
  }
  return lists;
}

/** A user's targets scored at least `threshold`, optionally only those in `mask`; ascending. */
export function likedTargets(user: EvalUser, threshold: number, mask: Uint8Array | null = null): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < user.targets.length; i++) {
    const item = user.targets[i]!;
    if (user.targetScores[i]! >= threshold && (mask === null || mask[item] === 1)) out.push(item);
  }
  return Int32Array.from(out);
}

export interface ListMetrics {
  ndcg: Float64Array;
  recall: Float64Array;
  hit: Float64Array;
}

/** NDCG@k, recall@k and hit@k of each list against its user's relevant items (same order). */
export function listMetrics(lists: readonly Int32Array[], relevant: readonly Int32Array[], k: number): ListMetrics {
  if (lists.length !== relevant.length) throw new RangeError(`listMetrics: ${lists.length} lists for ${relevant.length} users`);
  const out = { ndcg: new Float64Array(lists.length), recall: new Float64Array(lists.length), hit: new Float64Array(lists.length) };
  const hits = new Uint8Array(k);
  for (let u = 0; u < lists.length; u++) {
    const h = relevanceAtRanks(lists[u]!, relevant[u]!, hits);
    out.ndcg[u] = ndcgAtK(h, relevant[u]!.length, k);
    out.recall[u] = recallAtK(h, relevant[u]!.length, k);
    out.hit[u] = hitRateAtK(h, k);
  }
  return out;
}

/** Share of each list's titles that are in `mask` (NaN for an empty list). */
export function maskedShare(lists: readonly Int32Array[], mask: Uint8Array): Float64Array {
  return Float64Array.from(lists, (list) => {
    if (list.length === 0) return Number.NaN;
    let n = 0;
    for (const item of list) if (mask[item] === 1) n++;
    return n / list.length;
  });
}
