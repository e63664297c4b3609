import { totalmem } from 'node:os';
import { AnirecError } from '../../errors/errors.js';
import { SpdWorkspace, spdWorkspaceBytes } from '../dense-inverse.js';
import { resolveThreads } from '../dense-inverse-pool.js';
import { entryWeight, userMeanScores } from '../sparse.js';
import { itemCounts } from '../training-data.js';
import type { TrainingData, TrainOptions } from '../types.js';
import { accumulateGram } from './gram.js';
import { EaseRecommender } from './model.js';
import { DEFAULT_EASE_PARAMS, type EaseParams } from './params.js';

/** The titles EASE scores: listed by at least minCount users (the most-listed maxItems of them, if set). */
export function easeSelection(data: TrainingData, p: EaseParams): Int32Array {
  const counts = itemCounts(data);
  return Int32Array.from(
    Array.from(counts.keys())
      .filter((i) => counts[i]! >= p.minCount)
      .sort((a, b) => counts[b]! - counts[a]! || a - b)
      .slice(0, p.maxItems ?? undefined)
      .sort((a, b) => a - b),
  );
}

/**
 * XᵀX + λI over the selected titles from the sparse rows, built straight into the inverse's
 * memory (no second n×n copy). Only the upper triangle is accumulated: the inverse reads nothing
 * else.
 */
export function buildEaseGram(data: TrainingData, selected: Int32Array, p: EaseParams, threads?: number): SpdWorkspace {
  const n = selected.length;
  const dense = new Int32Array(data.nItems).fill(-1);
  selected.forEach((item, d) => (dense[item] = d));
  const means = userMeanScores(data);
  // The users' rows cut down to the selected titles, as dense indices with their weights.
  const indptr = new Int32Array(data.nUsers + 1);
  let kept = 0;
  for (let e = 0; e < data.indices.length; e++) if (dense[data.indices[e]!]! >= 0) kept++;
  const items = new Int32Array(kept);
  const weights = new Float64Array(kept);
  let m = 0;
  for (let u = 0; u < data.nUsers; u++) {
    for (let e = data.indptr[u]!; e < data.indptr[u + 1]!; e++) {
      const d = dense[data.indices[e]!]!;
      if (d < 0) continue;
      items[m] = d;
      weights[m++] = entryWeight(data.scores[e]!, means[u]!, p.weighting);
    }
    indptr[u + 1] = m;
  }
  const workspace = new SpdWorkspace(n);
  const N = workspace.stride;
  const gram = workspace.matrix;
  accumulateGram({ indptr, items, weights }, gram, N, resolveThreads(threads));
  // Row items are ascending (CSR rows are sorted), so every pair landed in the upper triangle.
  for (let a = 0; a < n; a++) gram[a * N + a]! += p.lambda;
  return workspace;
}

export function trainEase(data: TrainingData, params: Partial<EaseParams> = {}, options: TrainOptions = {}): EaseRecommender {
  const p = { ...DEFAULT_EASE_PARAMS, ...params };
  const selected = easeSelection(data, p);
  const n = selected.length;
  // The Gram/inverse (float64) and the weights (float32) are both n×n and alive together.
  const needed = spdWorkspaceBytes(n) + n * n * 4;
  if (needed > totalmem()) {
    throw new AnirecError(
      'invalid_config',
      `EASE over ${n} titles needs ${needed} bytes (${(needed / 1024 ** 3).toFixed(1)} GiB) for its n×n inverse and weights, more than this machine's ${totalmem()} bytes; set maxItems or raise minCount`,
    );
  }
  const workspace = buildEaseGram(data, selected, p);
  const N = workspace.stride;
  options.onProgress?.(0.1, `EASE: inverting a ${n}×${n} Gram matrix`);
  workspace.invert({ onProgress: (k) => options.onProgress?.(0.1 + (0.85 * k) / n, `EASE: row ${k}/${n}`) });
  const inverse = workspace.matrix;
  const diagonal = Float64Array.from({ length: n }, (_, b) => inverse[b * N + b]!);
  const weights = new Float32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      // B[a, b] = −P[a, b] / P[b, b], zero diagonal.
      weights[a * n + b] = a === b ? 0 : -inverse[a * N + b]! / diagonal[b]!;
    }
  }
  options.onProgress?.(1, 'EASE: done');
  return new EaseRecommender(data.nItems, selected, weights, p);
}
