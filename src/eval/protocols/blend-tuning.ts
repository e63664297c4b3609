import { topKIndices } from '../../models/top-k.js';
import type { EvalUser } from '../split.js';
import { mean } from '../stats.js';
import { blendInto, type BlendRecommender } from './baselines.js';
import { listMetrics } from './ranking.js';

/**
 * Chooses the blend's weight on validation users. Its input is the validation users and nothing
 * else about held-out people: the test users are not an argument, so tuning cannot see them.
 */

export interface BlendTuning {
  weight: number;
  metric: string;
  /** Validation users with at least one relevant item (the ones the weight was chosen on). */
  validationUsers: number;
  /** Their data rows, for checking they are not test users. */
  validationRows: number[];
  grid: { weight: number; value: number }[];
}

/** 0, 0.05, …, 1. */
export const BLEND_WEIGHTS: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

export interface BlendTuningOptions {
  /** The users' relevant items, aligned with `validation`; users with none are skipped. */
  relevant: readonly Int32Array[];
  /** 1 = may be ranked; null = every title. */
  candidates: Uint8Array | null;
  k: number;
  weights?: readonly number[];
}

/** The weight with the best mean NDCG@k on the validation users; ties keep the smaller weight. */
export function tuneBlendWeight(
  blend: BlendRecommender,
  validation: readonly (EvalUser & { user: number })[],
  options: BlendTuningOptions,
): BlendTuning {
  const { k, candidates } = options;
  const weights = options.weights ?? BLEND_WEIGHTS;
  if (options.relevant.length !== validation.length)
    throw new RangeError(`tuneBlendWeight: ${options.relevant.length} relevant sets for ${validation.length} users`);
  const users = validation.filter((_, u) => options.relevant[u]!.length > 0);
  const relevant = options.relevant.filter((r) => r.length > 0);
  if (users.length === 0)
    throw new Error('blend tuning: no validation user has a relevant item; use more --validation-users or a larger cold share');
  const n = blend.nItems;
  const tags = new Float32Array(n);
  const scores = new Float32Array(n);
  const lists: Int32Array[][] = weights.map(() => []);
  for (const user of users) {
    // The tag profile is the expensive part: score it once per user, blend it for every weight.
    blend.tagProfile.scoreFoldIn(user.history, tags);
    for (let w = 0; w < weights.length; w++) {
      blendInto(blend.popularity, tags, weights[w]!, scores);
      if (candidates !== null) for (let i = 0; i < n; i++) if (candidates[i] === 0) scores[i] = -Infinity;
      for (let h = 0; h < user.history.items.length; h++) scores[user.history.items[h]!] = -Infinity;
      lists[w]!.push(topKIndices(scores, k).slice());
    }
  }
  const grid = weights.map((weight, w) => ({ weight, value: mean(listMetrics(lists[w]!, relevant, k).ndcg) }));
  let best = grid[0]!;
  for (const point of grid) if (point.value > best.value) best = point;
  return { weight: best.weight, metric: `ndcg@${k}`, validationUsers: users.length, validationRows: users.map((u) => u.user), grid };
}
