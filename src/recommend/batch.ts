import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ModelBundle } from '../models/bundle.js';
import { topK } from '../models/top-k.js';
import { parseBatchLine, type BatchEntry, type BatchLineProblem } from './batch-input.js';
import type { Catalog } from './catalog.js';
import { compileFilters, type RecommendationFilters } from './filters.js';
import { recommendForHistory, toHistory, type FoldInResult } from './fold-in.js';

/** Most titles one batch user may ask for (`--k`): a batch is for top lists, not for dumping the catalogue. */
export const MAX_BATCH_K = 1000;

/** Filters compiled once for a whole batch: which of the model's titles may be recommended. */
export interface BatchFilter {
  /** 1 = may be recommended, per model item index. */
  allowed: Uint8Array;
  /** Leave out the user's own history (the API's excludeListed; batch input has no plan-to-watch status). */
  excludeListed: boolean;
}

export interface BatchOptions {
  k: number;
  /** API filters (see compileBatchFilter); without them every title the model knows may be recommended. */
  filter?: BatchFilter;
  onProblem?: (problem: BatchLineProblem) => void;
}

export interface BatchStats {
  linesRead: number;
  usersAnswered: number;
  linesDropped: number;
  /** History entries whose anime id the model does not know (ignored for scoring, still excluded from output). */
  unknownHistoryItems: number;
  /** Users none of whose history the model knows: they get the popularity fallback. */
  coldUsers: number;
  seconds: number;
}

/**
 * The API's filters over the model's titles, checked against the catalogue (unknown genres and
 * themes are the same FilterError the API answers 400 with). A title the catalogue does not
 * have never passes, as in the API: nothing is known to say it matches. `season: current` must
 * be resolved first (resolveSeasonFilter).
 */
export function compileBatchFilter(bundle: ModelBundle, catalog: Catalog, filters: RecommendationFilters): BatchFilter {
  const predicate = compileFilters(filters, catalog);
  const allowed = new Uint8Array(bundle.itemIds.length);
  for (let i = 0; i < allowed.length; i++) allowed[i] = predicate(catalog.get(bundle.itemIds[i]!)) ? 1 : 0;
  return { allowed, excludeListed: filters.excludeListed ?? true };
}

/** recommendForHistory within a filter: the same fold-in (or popularity for a cold user), ranked over the allowed titles only. */
function recommendFiltered(bundle: ModelBundle, history: readonly BatchEntry[], k: number, filter: BatchFilter): FoldInResult {
  const { history: folded, unknown } = toHistory(bundle, history);
  const exclude = new Uint8Array(bundle.itemIds.length);
  for (let i = 0; i < exclude.length; i++) exclude[i] = filter.allowed[i] === 1 ? 0 : 1;
  if (filter.excludeListed) for (const item of folded.items) exclude[item] = 1;
  const usedFallback = folded.items.length === 0;
  let scores = bundle.popularity;
  if (!usedFallback) {
    scores = new Float32Array(bundle.itemIds.length);
    // The filter restricts the candidates before ranking (a hybrid picks them among the eligible titles).
    const eligible = Uint8Array.from(exclude, (x) => 1 - x);
    bundle.recommender.scoreFoldIn(folded, scores, eligible);
  }
  const top = topK(scores, k, exclude);
  return {
    animeIds: Array.from(top, (i) => bundle.itemIds[i]!),
    scores: Array.from(top, (i) => scores[i]!),
    unknownItems: unknown.length,
    usedFallback,
  };
}

/**
 * The batch contract: JSONL users in, `{"user": ..., "items": [top-k MAL ids]}` lines out, in
 * input order. Each user is folded in from their history alone (no retraining), and nothing
 * from their history is recommended back (unless the filters say excludeListed: false). With a
 * filter, a user may get fewer than k titles: only as many as pass it.
 */
export async function recommendBatch(bundle: ModelBundle, input: Readable, output: Writable, options: BatchOptions): Promise<BatchStats> {
  if (!Number.isInteger(options.k) || options.k < 1 || options.k > MAX_BATCH_K)
    throw new RangeError(`k must be a whole number from 1 to ${MAX_BATCH_K} (got ${options.k})`);
  const started = performance.now();
  const stats: BatchStats = { linesRead: 0, usersAnswered: 0, linesDropped: 0, unknownHistoryItems: 0, coldUsers: 0, seconds: 0 };
  const lines = createInterface({ input, crlfDelay: Infinity });
  let pending = '';
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    stats.linesRead++;
    const { request, problems } = parseBatchLine(text, lineNumber);
    for (const problem of problems) options.onProblem?.(problem);
    if (request === null) {
      stats.linesDropped++;
      continue;
    }
    const result = options.filter
      ? recommendFiltered(bundle, request.history, options.k, options.filter)
      : recommendForHistory(bundle, request.history, options.k);
    stats.unknownHistoryItems += result.unknownItems;
    if (result.usedFallback) stats.coldUsers++;
    pending += `${JSON.stringify({ user: request.user, items: result.animeIds })}\n`;
    stats.usersAnswered++;
    if (pending.length > 1 << 16) {
      if (!output.write(pending)) await once(output, 'drain');
      pending = '';
    }
  }
  if (pending !== '' && !output.write(pending)) await once(output, 'drain');
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}
