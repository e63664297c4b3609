/**
 * The pieces of content training (train.ts) that find each title's nearest neighbours: a top-k heap,
 * the weighted combination of metadata and synopsis similarity for one row, and the sparse
 * postings that make the metadata part a sparse product instead of an n² scan.
 */
import type { FeatureMatrix } from './item-features.js';
import type { SparseVector } from './text-embeddings.js';

/** Fixed-capacity min-heap keeping the k best (score, item) pairs; ties prefer the lower item. */
export class TopHeap {
  private readonly items: Int32Array;
  private readonly scores: Float32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.items = new Int32Array(k);
    this.scores = new Float32Array(k);
  }

  reset(): void {
    this.size = 0;
  }

  /** a worse than b: lower score, or equal score and higher item. */
  private worse(sa: number, ia: number, sb: number, ib: number): boolean {
    return sa < sb || (sa === sb && ia > ib);
  }

  /** Adds a pair; returns the score a new pair must reach to enter (-Infinity until full). */
  push(item: number, score: number): number {
    const items = this.items;
    const scores = this.scores;
    if (this.size < this.k) {
      let pos = this.size++;
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        if (!this.worse(score, item, scores[parent]!, items[parent]!)) break;
        items[pos] = items[parent]!;
        scores[pos] = scores[parent]!;
        pos = parent;
      }
      items[pos] = item;
      scores[pos] = score;
      return this.size < this.k ? -Infinity : scores[0]!;
    }
    if (!this.worse(scores[0]!, items[0]!, score, item)) return scores[0]!;
    let pos = 0;
    for (;;) {
      const left = 2 * pos + 1;
      if (left >= this.k) break;
      const right = left + 1;
      const child = right < this.k && this.worse(scores[right]!, items[right]!, scores[left]!, items[left]!) ? right : left;
      if (!this.worse(scores[child]!, items[child]!, score, item)) break;
      items[pos] = items[child]!;
      scores[pos] = scores[child]!;
      pos = child;
    }
    items[pos] = item;
    scores[pos] = score;
    return scores[0]!;
  }

  /** The kept pairs, best first. */
  sorted(): { items: Int32Array; scores: Float32Array } {
    const order = Array.from({ length: this.size }, (_, x) => x).sort(
      (a, b) => this.scores[b]! - this.scores[a]! || this.items[a]! - this.items[b]!,
    );
    return { items: Int32Array.from(order, (x) => this.items[x]!), scores: Float32Array.from(order, (x) => this.scores[x]!) };
  }
}

/**
 * Scores every candidate j against item i from the accumulated metadata and text cosines and
 * keeps the best in `heap`. A plain function over typed arrays so V8 optimises the hot loop.
 */
export function combineRow(
  i: number,
  cand: Int32Array,
  nCand: number,
  metaI: number,
  kindI: number,
  hasFeatures: Uint8Array,
  hasMeta: Uint8Array,
  textKind: Uint8Array,
  accMeta: Float32Array,
  accText: Float32Array,
  wm: number,
  wt: number,
  invBoth: number,
  minSim: number,
  heap: TopHeap,
): void {
  heap.reset();
  // Until the heap is full, anything ≥ minSim enters; then only scores ≥ the worst kept one
  // (the heap breaks ties toward the lower index, so candidate order does not matter).
  let floor = minSim;
  for (let c = 0; c < nCand; c++) {
    const j = cand[c]!;
    if (hasFeatures[j] !== 1 || j === i) continue;
    const bothMeta = metaI & hasMeta[j]!;
    let s: number;
    if (kindI !== 0 && kindI === textKind[j]) s = bothMeta === 1 ? (wm * accMeta[j]! + wt * accText[j]!) * invBoth : accText[j]!;
    else if (bothMeta === 1) s = accMeta[j]!;
    else continue;
    if (s >= floor) {
      const f = heap.push(j, s);
      if (f !== -Infinity) floor = f;
    }
  }
}

/** Transposes a sparse row set into postings: feature → (row, value). */
export function postings(rows: (SparseVector | null)[], nFeatures: number): { ptr: Int32Array; row: Int32Array; val: Float32Array } {
  const ptr = new Int32Array(nFeatures + 1);
  for (const r of rows) if (r) for (const f of r.indices) ptr[f + 1]!++;
  for (let f = 0; f < nFeatures; f++) ptr[f + 1]! += ptr[f]!;
  const fill = ptr.slice(0, nFeatures);
  const row = new Int32Array(ptr[nFeatures]!);
  const val = new Float32Array(ptr[nFeatures]!);
  rows.forEach((r, i) => {
    if (!r) return;
    for (let k = 0; k < r.indices.length; k++) {
      const pos = fill[r.indices[k]!]!++;
      row[pos] = i;
      val[pos] = r.values[k]!;
    }
  });
  return { ptr, row, val };
}

export function metaRows(m: FeatureMatrix): (SparseVector | null)[] {
  const rows: (SparseVector | null)[] = [];
  for (let r = 0; r < m.nRows; r++) {
    const a = m.indptr[r]!;
    const b = m.indptr[r + 1]!;
    rows.push(b > a ? { indices: m.indices.subarray(a, b), values: m.values.subarray(a, b) } : null);
  }
  return rows;
}
