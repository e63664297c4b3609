import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from './artifacts.js';
import { entryWeight, entryWeights, meanScore, transposeCsr, type EntryWeighting } from './sparse.js';
import type { History, Recommender, TrainingData, TrainOptions } from './types.js';

export interface ItemKnnParams {
  /**
   * Neighbours kept per item. Scoring sums whole neighbour rows, so this bounds both memory
   * (nItems × neighbours) and fold-in time; beyond ~100 the extra neighbours are weak and noisy.
   */
  neighbours: number;
  /**
   * Added to the cosine denominator: sim = co / (‖a‖‖b‖ + shrinkage). Damps similarities that rest
   * on a handful of shared users (two niche titles co-listed by two people are not "95% similar").
   */
  shrinkage: number;
  /**
   * 'binary': every listed title is a 1 (plain cosine over co-listings).
   * 'score': like EASE, listed-without-score is 1 and scored titles are scaled by how far they sit
   * above or below the user's mean, so titles people disliked build weaker links.
   */
  weighting: EntryWeighting;
  /** Items listed by fewer training users get no neighbours and are never recommended (too little evidence). */
  minCount: number;
}

/** The best point of `anirec tune --model itemknn` on validation users (docs/evaluation.md, "Hyper-parameter search"). */
export const DEFAULT_ITEMKNN_PARAMS: ItemKnnParams = { neighbours: 400, shrinkage: 0, weighting: 'score', minCount: 2 };

/**
 * Item-based k-nearest-neighbours (Sarwar et al. 2001; Deshpande & Karypis 2004): a user's list
 * votes for each listed title's most similar titles, similarity being shrunk cosine over the users
 * who listed both. Cheap, transparent ("because you liked X") and a strong baseline.
 */
export class ItemKnnRecommender implements Recommender {
  readonly kind = 'itemknn';

  constructor(
    readonly nItems: number,
    /** 1 for items with enough training interactions to be scored, else 0 (cold / too rare). */
    readonly known: Uint8Array,
    /** CSR over items, length nItems + 1; each row sorted by similarity, highest first. */
    readonly neighbourIndptr: Int32Array,
    readonly neighbourIndices: Int32Array,
    readonly neighbourWeights: Float32Array,
    readonly params: ItemKnnParams,
  ) {}

  scoreFoldIn(history: History, out: Float32Array): void {
    const { known, neighbourIndptr: ptr, neighbourIndices: idx, neighbourWeights: sim } = this;
    for (let i = 0; i < this.nItems; i++) out[i] = known[i] === 1 ? 0 : -Infinity;
    const mean = this.params.weighting === 'score' ? meanScore(history.scores, 0, history.scores.length) : 0;
    for (let h = 0; h < history.items.length; h++) {
      const item = history.items[h]!;
      if (item < 0 || item >= this.nItems) continue;
      const w = entryWeight(history.scores[h]!, mean, this.params.weighting);
      for (let e = ptr[item]!; e < ptr[item + 1]!; e++) out[idx[e]!]! += w * sim[e]!;
    }
  }

  /** The `k` items most similar to `item`, best first (never the item itself). */
  similarItems(item: number, k: number): { items: Int32Array; scores: Float32Array } {
    if (item < 0 || item >= this.nItems) return { items: new Int32Array(0), scores: new Float32Array(0) };
    const start = this.neighbourIndptr[item]!;
    const end = Math.min(this.neighbourIndptr[item + 1]!, start + Math.max(0, k));
    return { items: this.neighbourIndices.subarray(start, end), scores: this.neighbourWeights.subarray(start, end) };
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'known.bin'), this.known);
    writeArray(join(dir, 'neighbour-indptr.bin'), this.neighbourIndptr);
    writeArray(join(dir, 'neighbour-indices.bin'), this.neighbourIndices);
    writeArray(join(dir, 'neighbour-weights.bin'), this.neighbourWeights);
    writeManifest(dir, { kind: this.kind, formatVersion: 1, params: this.params, nItems: this.nItems });
  }
}

/** Sift-down for a min-heap held in parallel arrays (root = weakest kept neighbour). */
function siftDown(scores: Float32Array, items: Int32Array, size: number, at: number): void {
  const s = scores[at]!;
  const it = items[at]!;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= size) break;
    if (child + 1 < size && scores[child + 1]! < scores[child]!) child++;
    if (scores[child]! >= s) break;
    scores[at] = scores[child]!;
    items[at] = items[child]!;
    at = child;
  }
  scores[at] = s;
  items[at] = it;
}

export function trainItemKnn(data: TrainingData, params: Partial<ItemKnnParams> = {}, options: TrainOptions = {}): ItemKnnRecommender {
  const p = { ...DEFAULT_ITEMKNN_PARAMS, ...params };
  const nItems = data.nItems;
  const K = Math.max(0, Math.floor(p.neighbours));
  const weights = entryWeights(data, p.weighting);
  const cols = transposeCsr(data, weights);

  const known = new Uint8Array(nItems);
  const norms = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    const count = cols.indptr[i + 1]! - cols.indptr[i]!;
    if (count === 0 || count < p.minCount) continue;
    known[i] = 1;
    let sq = 0;
    for (let e = cols.indptr[i]!; e < cols.indptr[i + 1]!; e++) sq += cols.values[e]! * cols.values[e]!;
    norms[i] = Math.sqrt(sq);
  }

  const acc = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const seen = new Uint8Array(nItems);
  const heapScores = new Float32Array(Math.max(1, K));
  const heapItems = new Int32Array(Math.max(1, K));
  const rowsIndices: Int32Array[] = new Array<Int32Array>(nItems);
  const rowsWeights: Float32Array[] = new Array<Float32Array>(nItems);
  const empty32 = new Int32Array(0);
  const emptyF = new Float32Array(0);
  const { indptr, indices } = data;
  let total = 0;
  const reportEvery = Math.max(1, Math.floor(nItems / 20));

  for (let a = 0; a < nItems; a++) {
    rowsIndices[a] = empty32;
    rowsWeights[a] = emptyF;
    if (a % reportEvery === 0) options.onProgress?.(a / nItems, `item-kNN: item ${a}/${nItems}`);
    if (known[a] === 0 || K === 0) continue;
    // Co-occurrence row of a: Σ over a's users of w_ua · w_ub, accumulated densely.
    let nTouched = 0;
    for (let ce = cols.indptr[a]!; ce < cols.indptr[a + 1]!; ce++) {
      const u = cols.indices[ce]!;
      const wa = cols.values[ce]!;
      for (let e = indptr[u]!; e < indptr[u + 1]!; e++) {
        const b = indices[e]!;
        if (known[b] === 0) continue;
        if (seen[b] === 0) {
          seen[b] = 1;
          touched[nTouched++] = b;
        }
        acc[b]! += wa * weights[e]!;
      }
    }
    // Keep the K most similar in a min-heap.
    let size = 0;
    const na = norms[a]!;
    for (let t = 0; t < nTouched; t++) {
      const b = touched[t]!;
      const co = acc[b]!;
      acc[b] = 0;
      seen[b] = 0;
      if (b === a) continue;
      const sim = co / (na * norms[b]! + p.shrinkage);
      if (!(sim > 0)) continue;
      if (size < K) {
        heapScores[size] = sim;
        heapItems[size] = b;
        size++;
        if (size === K) for (let h = (K >> 1) - 1; h >= 0; h--) siftDown(heapScores, heapItems, K, h);
      } else if (sim > heapScores[0]!) {
        heapScores[0] = sim;
        heapItems[0] = b;
        siftDown(heapScores, heapItems, K, 0);
      }
    }
    const order = Array.from({ length: size }, (_, i) => i).sort(
      (x, y) => heapScores[y]! - heapScores[x]! || heapItems[x]! - heapItems[y]!,
    );
    const rowI = new Int32Array(size);
    const rowW = new Float32Array(size);
    order.forEach((h, i) => {
      rowI[i] = heapItems[h]!;
      rowW[i] = heapScores[h]!;
    });
    rowsIndices[a] = rowI;
    rowsWeights[a] = rowW;
    total += size;
  }

  const neighbourIndptr = new Int32Array(nItems + 1);
  const neighbourIndices = new Int32Array(total);
  const neighbourWeights = new Float32Array(total);
  for (let a = 0; a < nItems; a++) {
    const at = neighbourIndptr[a]!;
    neighbourIndices.set(rowsIndices[a]!, at);
    neighbourWeights.set(rowsWeights[a]!, at);
    neighbourIndptr[a + 1] = at + rowsIndices[a]!.length;
  }
  options.onProgress?.(1, `item-kNN: done (${total} neighbour links)`);
  return new ItemKnnRecommender(nItems, known, neighbourIndptr, neighbourIndices, neighbourWeights, p);
}

registerModelKind('itemknn', (dir, manifest) => {
  return new ItemKnnRecommender(
    manifest.nItems as number,
    readArray(join(dir, 'known.bin'), Uint8Array),
    readArray(join(dir, 'neighbour-indptr.bin'), Int32Array),
    readArray(join(dir, 'neighbour-indices.bin'), Int32Array),
    readArray(join(dir, 'neighbour-weights.bin'), Float32Array),
    manifest.params as ItemKnnParams,
  );
});
