import { entryWeights, transposeCsr } from '../sparse.js';
import type { TrainingData, TrainOptions } from '../types.js';
import { ItemKnnRecommender } from './model.js';
import { DEFAULT_ITEMKNN_PARAMS, type ItemKnnParams } from './params.js';

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
