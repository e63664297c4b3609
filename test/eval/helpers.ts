/** Small builders shared by the eval tests. */
import type { History, Recommender, TrainingData } from '../../src/models/types.js';

/** CSR TrainingData from (user, item, score) triples; item ids are 1000 + index so ids ≠ indices. */
export function csrFromTriples(nUsers: number, nItems: number, triples: readonly (readonly [number, number, number])[]): TrainingData {
  const sorted = [...triples].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const indptr = new Int32Array(nUsers + 1);
  for (const [u] of sorted) indptr[u + 1]! += 1;
  for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
  return {
    nUsers,
    nItems,
    itemIds: Int32Array.from({ length: nItems }, (_, i) => 1000 + i),
    indptr,
    indices: Int32Array.from(sorted, (t) => t[1]),
    scores: Float32Array.from(sorted, (t) => t[2]),
  };
}

/**
 * A real (if trivial) Recommender: every user gets the same fixed score vector, e.g. popularity.
 * `seen` records each history it was asked about, so tests can check who was scored.
 */
export class FixedScoreRecommender implements Recommender {
  readonly kind = 'fixed';
  readonly nItems: number;
  readonly seen: History[] = [];
  constructor(readonly scores: Float32Array) {
    this.nItems = scores.length;
  }
  scoreFoldIn(history: History, out: Float32Array): void {
    this.seen.push(history);
    out.set(this.scores);
  }
  async save(): Promise<void> {
    throw new Error('FixedScoreRecommender is not persisted');
  }
}

/**
 * Seeded pseudo-random data: nUsers users with row lengths 1..maxLen over nItems items, scores
 * 0–10. With `skew`, item i is drawn with density ∝ falling in i (low indices are popular).
 */
export function syntheticData(nUsers: number, nItems: number, maxLen: number, seed = 1, skew = false): TrainingData {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const triples: [number, number, number][] = [];
  for (let u = 0; u < nUsers; u++) {
    const len = 1 + Math.floor(next() * maxLen);
    const items = new Set<number>();
    while (items.size < Math.min(len, nItems)) {
      const r = next();
      items.add(Math.floor((skew ? r * r : r) * nItems));
    }
    for (const i of items) triples.push([u, i, Math.floor(next() * 11)]);
  }
  return csrFromTriples(nUsers, nItems, triples);
}
