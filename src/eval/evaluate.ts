import type { History, Recommender, TrainingData } from '../models/types.js';
import {
  averagePrecisionAtK,
  catalogueCoverageAtK,
  hitRateAtK,
  meanAbsoluteError,
  ndcgAtK,
  noveltyAtK,
  precisionAtK,
  recallAtK,
  relevanceAtRanks,
  rootMeanSquaredError,
  selfInformation,
} from './metrics.js';
import type { EvalUser } from './split.js';
import { meanWithCi, type CiMethod, type CiOptions, type MeanEstimate } from './stats.js';
import { topKIndices } from '../models/top-k.js';

/** 'liked': held-out items scored ≥ likedThreshold. 'listed': every held-out item. */
export type Relevance = 'liked' | 'listed';

export interface EvalModel {
  name: string;
  recommender: Recommender;
  /** Optional score prediction (1–10) for MAE/RMSE on the held-out items the user scored. */
  predictScore?: (history: History, items: Int32Array) => Float32Array;
}

export interface EvaluateOptions {
  /** The training split: novelty uses its popularity, and models must share its item space. */
  trainData: TrainingData;
  /** Cut-offs; default [10, 20]. */
  ks?: readonly number[];
  /** One definition or several (scored once, reported per definition). Default 'liked'. */
  relevance?: Relevance | readonly Relevance[];
  /** Default 7. */
  likedThreshold?: number;
  /** Confidence intervals over users; default seeded percentile bootstrap, 1000 resamples, 95%. */
  ci?: CiOptions;
  onProgress?: (fraction: number, message: string) => void;
}

/** A metric's mean over users with its CI, and the per-user values behind it (for paired tests). */
export interface MetricResult extends MeanEstimate {
  /** Aligned with the section's `users`; empty for population-level metrics (coverage). */
  perUser: Float64Array;
}

export interface ModelMetrics {
  name: string;
  kind: string;
  metrics: Record<string, MetricResult>;
}

export interface RelevanceSection {
  relevance: Relevance;
  /** Positions in the `users` argument that were evaluated; every perUser array follows this order. */
  users: Int32Array;
  /** Users with no relevant held-out item under this definition. */
  skippedUsers: number;
  models: ModelMetrics[];
}

export interface RatingSection {
  name: string;
  /** Positions in `users` with at least one scored held-out item. */
  users: Int32Array;
  predictions: number;
  mae: MetricResult;
  rmse: MetricResult;
}

export interface EvaluationResult {
  ks: number[];
  likedThreshold: number;
  ci: { method: CiMethod; confidence: number; samples: number; seed: number };
  nUsers: number;
  nItems: number;
  trainUsers: number;
  /** Column order for reports. */
  metricNames: string[];
  sections: RelevanceSection[];
  /** Only models with predictScore. */
  rating: RatingSection[];
  models: { name: string; kind: string; seconds: number }[];
  startedAt: string;
  finishedAt: string;
}

/** Metric names in report order, e.g. ndcg@10 … coverage@20. */
export function rankingMetricNames(ks: readonly number[]): string[] {
  const names: string[] = [];
  for (const family of ['ndcg', 'recall', 'precision', 'map', 'hit']) for (const k of ks) names.push(`${family}@${k}`);
  for (const k of ks) names.push(`novelty@${k}`);
  for (const k of ks) names.push(`coverage@${k}`);
  return names;
}

/** Relevant items of one user (ascending, since targets are). */
export function relevantItems(user: EvalUser, relevance: Relevance, likedThreshold: number): Int32Array {
  if (relevance === 'listed') return user.targets;
  let n = 0;
  for (let i = 0; i < user.targets.length; i++) if (user.targetScores[i]! >= likedThreshold) n++;
  const out = new Int32Array(n);
  for (let i = 0, j = 0; i < user.targets.length; i++) if (user.targetScores[i]! >= likedThreshold) out[j++] = user.targets[i]!;
  return out;
}

function checkInputs(models: readonly EvalModel[], users: readonly EvalUser[], nItems: number, ks: readonly number[]): void {
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k <= 0))
    throw new RangeError(`evaluate: ks must be positive integers, got ${ks.join(',')}`);
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.name)) throw new Error(`evaluate: duplicate model name "${m.name}"`);
    names.add(m.name);
    if (m.recommender.nItems !== nItems)
      throw new RangeError(`evaluate: model "${m.name}" has ${m.recommender.nItems} items, training data ${nItems}`);
  }
  for (const u of users) {
    for (const array of [u.history.items, u.targets]) {
      for (let i = 0; i < array.length; i++) {
        const item = array[i]!;
        if (item < 0 || item >= nItems) throw new RangeError(`evaluate: item index ${item} outside 0..${nItems - 1}`);
        if (i > 0 && array === u.targets && item <= array[i - 1]!) throw new RangeError('evaluate: targets must be strictly ascending');
      }
    }
  }
}

/** Ranks every user's top max(ks) for one model: scores into a reused buffer, history masked out. */
function rankAll(model: EvalModel, users: readonly EvalUser[], nItems: number, maxK: number): { ranked: Int32Array; lengths: Int32Array } {
  const buffer = new Float32Array(nItems);
  const scratch = new Int32Array(maxK);
  const ranked = new Int32Array(users.length * maxK);
  const lengths = new Int32Array(users.length);
  for (let u = 0; u < users.length; u++) {
    const history = users[u]!.history;
    // NaN is skipped by the top-k, so an item a buggy model forgets to write can never carry the
    // previous user's score into this user's ranking.
    buffer.fill(NaN);
    model.recommender.scoreFoldIn(history, buffer);
    for (let i = 0; i < history.items.length; i++) buffer[history.items[i]!] = -Infinity;
    const top = topKIndices(buffer, maxK, scratch);
    ranked.set(top, u * maxK);
    lengths[u] = top.length;
  }
  return { ranked, lengths };
}

function summarise(perUser: Float64Array, ci: CiOptions): MetricResult {
  return { ...meanWithCi(perUser, ci), perUser };
}

function rankingSection(
  relevance: Relevance,
  relevant: readonly Int32Array[],
  rankings: readonly { model: EvalModel; ranked: Int32Array; lengths: Int32Array }[],
  ks: readonly number[],
  maxK: number,
  info: Float64Array,
  nItems: number,
  ci: CiOptions,
): RelevanceSection {
  const kept: number[] = [];
  for (let u = 0; u < relevant.length; u++) if (relevant[u]!.length > 0) kept.push(u);
  const users = Int32Array.from(kept);
  const hits = new Uint8Array(maxK);
  const models = rankings.map(({ model, ranked, lengths }) => {
    const per: Record<string, Float64Array> = {};
    for (const name of rankingMetricNames(ks)) if (!name.startsWith('coverage@')) per[name] = new Float64Array(users.length);
    // Resolve the per-k output arrays once, not by name inside the per-user loop.
    const outputs = ks.map((k) => ({
      k,
      ndcg: per[`ndcg@${k}`]!,
      recall: per[`recall@${k}`]!,
      precision: per[`precision@${k}`]!,
      map: per[`map@${k}`]!,
      hit: per[`hit@${k}`]!,
      novelty: per[`novelty@${k}`]!,
    }));
    const lists: Int32Array[] = [];
    for (let j = 0; j < users.length; j++) {
      const u = users[j]!;
      const list = ranked.subarray(u * maxK, u * maxK + lengths[u]!);
      lists.push(list);
      const rel = relevant[u]!;
      const h = relevanceAtRanks(list, rel, hits);
      for (const o of outputs) {
        o.ndcg[j] = ndcgAtK(h, rel.length, o.k);
        o.recall[j] = recallAtK(h, rel.length, o.k);
        o.precision[j] = precisionAtK(h, o.k);
        o.map[j] = averagePrecisionAtK(h, rel.length, o.k);
        o.hit[j] = hitRateAtK(h, o.k);
        o.novelty[j] = noveltyAtK(list, info, o.k);
      }
    }
    const metrics: Record<string, MetricResult> = {};
    for (const name of rankingMetricNames(ks)) {
      if (name.startsWith('coverage@')) {
        const k = Number(name.slice('coverage@'.length));
        metrics[name] = {
          mean: catalogueCoverageAtK(lists, nItems, k),
          low: NaN,
          high: NaN,
          n: users.length,
          perUser: new Float64Array(0),
        };
      } else {
        metrics[name] = summarise(per[name]!, ci);
      }
    }
    return { name: model.name, kind: model.recommender.kind, metrics };
  });
  return { relevance, users, skippedUsers: relevant.length - users.length, models };
}

function ratingSection(model: EvalModel, users: readonly EvalUser[], ci: CiOptions): RatingSection {
  const kept: number[] = [];
  const mae: number[] = [];
  const rmse: number[] = [];
  let predictions = 0;
  for (let u = 0; u < users.length; u++) {
    const user = users[u]!;
    // Only explicit scores can be predicted; 0 means "listed without a score".
    const idx: number[] = [];
    for (let i = 0; i < user.targets.length; i++) if (user.targetScores[i]! > 0) idx.push(i);
    if (idx.length === 0) continue;
    const items = Int32Array.from(idx, (i) => user.targets[i]!);
    const actual = Float32Array.from(idx, (i) => user.targetScores[i]!);
    const predicted = model.predictScore!(user.history, items);
    if (predicted.length !== items.length)
      throw new RangeError(`evaluate: ${model.name}.predictScore returned ${predicted.length} values for ${items.length} items`);
    kept.push(u);
    mae.push(meanAbsoluteError(predicted, actual));
    rmse.push(rootMeanSquaredError(predicted, actual));
    predictions += items.length;
  }
  return {
    name: model.name,
    users: Int32Array.from(kept),
    predictions,
    mae: summarise(Float64Array.from(mae), ci),
    rmse: summarise(Float64Array.from(rmse), ci),
  };
}

/**
 * Scores every held-out user with every model (fold-in from their history), ranks the top
 * max(ks) with history items and -Infinity scores excluded, and reports per-user metrics with
 * means and confidence intervals per relevance definition. Per-user arrays of different models
 * in one section are aligned, so they can go straight into pairedBootstrapTest / pairedTTest.
 * MAE/RMSE are per-user means averaged over users, so heavy users do not dominate.
 */
export function evaluate(models: readonly EvalModel[], users: readonly EvalUser[], options: EvaluateOptions): EvaluationResult {
  const startedAt = new Date().toISOString();
  const { trainData } = options;
  const ks = [...(options.ks ?? [10, 20])];
  const relevances =
    options.relevance === undefined
      ? ['liked' as const]
      : typeof options.relevance === 'string'
        ? [options.relevance]
        : [...new Set(options.relevance)];
  const likedThreshold = options.likedThreshold ?? 7;
  const ci = {
    method: options.ci?.method ?? 'bootstrap',
    confidence: options.ci?.confidence ?? 0.95,
    samples: options.ci?.samples ?? 1000,
    seed: options.ci?.seed ?? 0,
  };
  const nItems = trainData.nItems;
  checkInputs(models, users, nItems, ks);
  const maxK = Math.max(...ks);
  const info = selfInformation(trainData);

  const rankings: { model: EvalModel; ranked: Int32Array; lengths: Int32Array }[] = [];
  const timings: { name: string; kind: string; seconds: number }[] = [];
  const rating: RatingSection[] = [];
  models.forEach((model, m) => {
    options.onProgress?.(m / models.length, `scoring ${model.name}`);
    const t0 = performance.now();
    rankings.push({ model, ...rankAll(model, users, nItems, maxK) });
    if (model.predictScore !== undefined) rating.push(ratingSection(model, users, ci));
    timings.push({ name: model.name, kind: model.recommender.kind, seconds: (performance.now() - t0) / 1000 });
  });

  const sections = relevances.map((relevance) => {
    const relevant = users.map((user) => relevantItems(user, relevance, likedThreshold));
    return rankingSection(relevance, relevant, rankings, ks, maxK, info, nItems, ci);
  });
  options.onProgress?.(1, 'done');
  return {
    ks,
    likedThreshold,
    ci,
    nUsers: users.length,
    nItems,
    trainUsers: trainData.nUsers,
    metricNames: rankingMetricNames(ks),
    sections,
    rating,
    models: timings,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}
