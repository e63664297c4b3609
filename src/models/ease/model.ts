import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from '../artifacts.js';
import { entryWeight } from '../sparse.js';
import type { History, Recommender } from '../types.js';
import type { EaseParams } from './params.js';

/**
 * EASE (Steck 2019): an item-item weight matrix B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹,
 * the closed-form least-squares solution to reconstructing X from X with a zero diagonal.
 * One of the strongest collaborative baselines in the literature, and the one anirec must beat.
 */
export class EaseRecommender implements Recommender {
  readonly kind = 'ease';

  constructor(
    readonly nItems: number,
    /** Dense item index (0..n-1 in B) → vocabulary index. */
    readonly selected: Int32Array,
    /** n×n weights, row-major: B[a, b] is how much listing a suggests b. */
    readonly weights: Float32Array,
    readonly params: EaseParams,
  ) {}

  private denseOf: Int32Array | null = null;

  private dense(): Int32Array {
    if (this.denseOf === null) {
      this.denseOf = new Int32Array(this.nItems).fill(-1);
      this.selected.forEach((item, d) => (this.denseOf![item] = d));
    }
    return this.denseOf;
  }

  /** Reused accumulator for scoreFoldIn (scoring is synchronous, so one per model is enough). */
  private acc: Float32Array | null = null;

  scoreFoldIn(history: History, out: Float32Array): void {
    const n = this.selected.length;
    const dense = this.dense();
    const acc = (this.acc ??= new Float32Array(n)).fill(0);
    let sum = 0;
    let scored = 0;
    for (let h = 0; h < history.items.length; h++) {
      if (history.scores[h]! > 0) {
        sum += history.scores[h]!;
        scored++;
      }
    }
    const mean = scored > 0 ? sum / scored : 0;
    // The rows of B for the listed items, with their weights, in history order.
    const rows: number[] = [];
    const rowWeights: number[] = [];
    for (let h = 0; h < history.items.length; h++) {
      const d = dense[history.items[h]!]!;
      if (d < 0) continue;
      rows.push(d * n);
      rowWeights.push(entryWeight(history.scores[h]!, mean, this.params.weighting));
    }
    // acc += w·row, four rows per pass over acc. Each element still gets the rows' terms in
    // history order, rounded to float32 after every add (Math.fround, as the Float32Array store
    // did), so the scores are bit-for-bit those of one row at a time, with a quarter of the
    // loads and stores of acc.
    const W = this.weights;
    let r = 0;
    for (; r + 3 < rows.length; r += 4) {
      const o0 = rows[r]!;
      const o1 = rows[r + 1]!;
      const o2 = rows[r + 2]!;
      const o3 = rows[r + 3]!;
      const w0 = rowWeights[r]!;
      const w1 = rowWeights[r + 1]!;
      const w2 = rowWeights[r + 2]!;
      const w3 = rowWeights[r + 3]!;
      for (let j = 0; j < n; j++) {
        let a = Math.fround(acc[j]! + w0 * W[o0 + j]!);
        a = Math.fround(a + w1 * W[o1 + j]!);
        a = Math.fround(a + w2 * W[o2 + j]!);
        acc[j] = a + w3 * W[o3 + j]!;
      }
    }
    for (; r < rows.length; r++) {
      const o = rows[r]!;
      const w = rowWeights[r]!;
      for (let j = 0; j < n; j++) acc[j]! += w * W[o + j]!;
    }
    out.fill(-Infinity);
    for (let d = 0; d < n; d++) out[this.selected[d]!] = acc[d]!;
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'selected.bin'), this.selected);
    writeArray(join(dir, 'weights.bin'), this.weights);
    writeManifest(dir, { kind: this.kind, formatVersion: 1, params: this.params, nItems: this.nItems });
  }
}

registerModelKind('ease', (dir, manifest) => {
  const params = manifest.params as EaseParams;
  return new EaseRecommender(
    manifest.nItems as number,
    readArray(join(dir, 'selected.bin'), Int32Array),
    readArray(join(dir, 'weights.bin'), Float32Array),
    params,
  );
});
