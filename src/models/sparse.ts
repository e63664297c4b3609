/**
 * The helpers every collaborative model shares over the training matrix (TrainingData: users ×
 * titles in CSR form, with the user's score per entry, 0 = listed without a score): how much one
 * listed title counts, a user's mean score, and the item-major copy of the matrix. One definition,
 * so EASE, item-kNN and iALS weigh a list the same way at training and at fold-in.
 */
import type { TrainingData } from './types.js';

/**
 * How a listed title counts: `binary`, every listed title the same; `score`, relative to the
 * user's own mean score, so titles the user scored above their mean count more and disliked ones
 * less (never below a quarter, so a listed title still says the user chose to watch it).
 */
export type EntryWeighting = 'binary' | 'score';

/** The weight of one listed title; an entry without a score counts 1 either way. */
export function entryWeight(score: number, userMean: number, weighting: EntryWeighting): number {
  if (weighting === 'binary' || score <= 0) return 1;
  return Math.max(0.25, 1 + (score - userMean) / 4);
}

/** The mean of the scored entries in `scores[from, to)` (0 when none is scored). */
export function meanScore(scores: ArrayLike<number>, from = 0, to = scores.length): number {
  let sum = 0;
  let n = 0;
  for (let e = from; e < to; e++) {
    const s = scores[e]!;
    if (s > 0) {
      sum += s;
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

/** Every user's mean score (0 for a user with no scores). */
export function userMeanScores(data: TrainingData): Float32Array {
  const means = new Float32Array(data.nUsers);
  for (let u = 0; u < data.nUsers; u++) means[u] = meanScore(data.scores, data.indptr[u]!, data.indptr[u + 1]!);
  return means;
}

/** Per-entry weights of the matrix under `weighting` (see entryWeight). */
export function entryWeights(data: TrainingData, weighting: EntryWeighting): Float32Array {
  const weights = new Float32Array(data.indices.length);
  for (let u = 0; u < data.nUsers; u++) {
    const start = data.indptr[u]!;
    const end = data.indptr[u + 1]!;
    const mean = weighting === 'score' ? meanScore(data.scores, start, end) : 0;
    for (let e = start; e < end; e++) weights[e] = entryWeight(data.scores[e]!, mean, weighting);
  }
  return weights;
}

/** The item-major copy (title → users) of the matrix, carrying per-entry `values`. */
export function transposeCsr(data: TrainingData, values: Float32Array): { indptr: Int32Array; indices: Int32Array; values: Float32Array } {
  const indptr = new Int32Array(data.nItems + 1);
  for (let e = 0; e < data.indices.length; e++) indptr[data.indices[e]! + 1]!++;
  for (let i = 0; i < data.nItems; i++) indptr[i + 1]! += indptr[i]!;
  const fill = indptr.slice(0, data.nItems);
  const indices = new Int32Array(data.indices.length);
  const out = new Float32Array(data.indices.length);
  for (let u = 0; u < data.nUsers; u++) {
    for (let e = data.indptr[u]!; e < data.indptr[u + 1]!; e++) {
      const at = fill[data.indices[e]!]!++;
      indices[at] = u;
      out[at] = values[e]!;
    }
  }
  return { indptr, indices, values: out };
}
