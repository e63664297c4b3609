import { LIST_STATUSES } from '../data/types.js';
import type { Store, UserRanking } from '../store/index.js';
import type { RecommendationEngine } from './engine.js';
import type { HistoryEntry } from './taste-profile.js';

/**
 * Offline recommendation for known users (what gorse calls the offline cache): every user's best
 * titles under one model, computed ahead of requests and stored, so the API answers a known user
 * with a lookup instead of running the model (the hybrid's scoring is most of a request's CPU). Each
 * ranking carries a fingerprint of the list it was computed from; once the user's list changes
 * (feedback, an import) the API ignores it and scores the list itself, so a stored ranking is
 * never stale, only unused until the next run.
 */

export interface PrecomputeOptions {
  /** Users written per store transaction. */
  batchSize?: number;
  /** Delete rankings of every other model afterwards (default true). */
  prune?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface PrecomputeResult {
  modelKey: string;
  users: number;
  /** Rankings removed for other models. */
  pruned: number;
  seconds: number;
}

export async function precomputeRankings(
  engine: RecommendationEngine,
  store: Store,
  options: PrecomputeOptions = {},
): Promise<PrecomputeResult> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 500;
  const modelKey = engine.rankingKey;
  const columns = await store.allInteractions();
  // Users in order (the columns are sorted by user): count them first for progress.
  let total = 0;
  for (let e = 0; e < columns.length; e++) if (e === 0 || columns.userIds[e] !== columns.userIds[e - 1]) total++;
  let batch: UserRanking[] = [];
  let done = 0;
  for (let start = 0; start < columns.length;) {
    const userId = columns.userIds[start]!;
    let end = start;
    const entries: HistoryEntry[] = [];
    // Entries exactly as the API reads them from the store (same order, unscored = null), so the
    // list fingerprint matches what a request computes.
    for (; end < columns.length && columns.userIds[end] === userId; end++) {
      const status = columns.statuses[end]!;
      entries.push({
        animeId: columns.animeIds[end]!,
        score: columns.scores[end]! > 0 ? columns.scores[end]! : null,
        status: status > 0 ? LIST_STATUSES[status - 1]! : null,
      });
    }
    batch.push(engine.rankList(userId, entries));
    start = end;
    done++;
    if (batch.length >= batchSize) {
      await store.putUserRankings(modelKey, batch);
      batch = [];
      options.onProgress?.(done, total);
      // Let timers and I/O run between batches when this runs inside a long-lived process.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (batch.length > 0) await store.putUserRankings(modelKey, batch);
  options.onProgress?.(done, total);
  const pruned = options.prune === false ? 0 : await store.pruneUserRankings([modelKey]);
  return { modelKey, users: done, pruned, seconds: (performance.now() - started) / 1000 };
}
