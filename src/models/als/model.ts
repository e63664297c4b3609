import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from '../artifacts.js';
import { entryWeight, meanScore } from '../sparse.js';
import type { History, Recommender } from '../types.js';
import { WasmAlsScorer } from '../wasm/als-scorer.js';
import { addOuter, choleskySolveInPlace, gramian, scoreDotProducts } from './kernels.js';
import type { AlsParams } from './params.js';

/** What training measured; kept in memory only (not saved). */
export interface AlsTrainingReport {
  /** Full objective after each epoch (observed + unobserved + regularisation). */
  losses: number[];
  secondsPerEpoch: number[];
  /** User factors of the training users after the last epoch, row-major nUsers × k. */
  userFactors: Float32Array;
  flopsPerEpoch: number;
}

/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008) in the form Rendle et al. (2022) recommend:
 * L = Σ_observed c·(1 − ŷ)² + α0·Σ_all ŷ² + λ·Σ_rows (n_row + α0·n_other)^ν ‖w‖², ŷ = x_u·y_i,
 * solved by alternating warm-started conjugate-gradient steps (Takács et al. 2011). Serving folds a
 * new user in by the exact least-squares solve against the item factors.
 */
export class AlsRecommender implements Recommender {
  readonly kind = 'als';
  /** Set by trainAls only; not persisted. */
  report?: AlsTrainingReport;

  private gram: Float64Array | null = null;
  private norms: Float32Array | null = null;

  constructor(
    readonly nItems: number,
    readonly factors: number,
    /** Row-major nItems × factors. Cold items have zero rows. */
    readonly itemFactors: Float32Array,
    /** 1 for items with training interactions; 0 for cold items (scored -Infinity). */
    readonly known: Uint8Array,
    readonly params: AlsParams,
  ) {}

  private itemGram(): Float64Array {
    if (this.gram === null) {
      this.gram = new Float64Array(this.factors * this.factors);
      gramian(this.itemFactors, this.nItems, this.factors, this.gram);
    }
    return this.gram;
  }

  private activeItems(): number {
    let n = 0;
    for (let i = 0; i < this.nItems; i++) n += this.known[i]!;
    return n;
  }

  private activeCount: number | null = null;

  /** The exact least-squares user factor for a history (the fold-in); length `factors`. */
  foldIn(history: History): Float64Array {
    const k = this.factors;
    const p = this.params;
    const Y = this.itemFactors;
    const G = this.itemGram();
    this.activeCount ??= this.activeItems();
    const A = new Float64Array(k * k);
    for (let i = 0; i < k * k; i++) A[i] = p.unobservedWeight * G[i]!;
    const b = new Float64Array(k);
    const mean = p.weighting === 'score' ? meanScore(history.scores) : 0;
    // The listed items' factor offsets and confidences, in history order.
    const offsets: number[] = [];
    const confidences: number[] = [];
    for (let h = 0; h < history.items.length; h++) {
      const item = history.items[h]!;
      if (item < 0 || item >= this.nItems) continue;
      offsets.push(item * k);
      confidences.push(p.confidence * entryWeight(history.scores[h]!, mean, p.weighting));
    }
    const count = offsets.length;
    // A += c·y·yᵀ (upper triangle) and b += c·y, four items per pass over A. Every element still
    // receives the items' terms in history order, so A and b are bit-for-bit those of one item
    // at a time. A block holding a zero factor (whose terms the one-item loop skips) takes that
    // loop instead, so even then nothing changes.
    let h = 0;
    for (; h + 3 < count; h += 4) {
      const o0 = offsets[h]!;
      const o1 = offsets[h + 1]!;
      const o2 = offsets[h + 2]!;
      const o3 = offsets[h + 3]!;
      let zero = confidences[h] === 0 || confidences[h + 1] === 0 || confidences[h + 2] === 0 || confidences[h + 3] === 0;
      for (let a = 0; a < k && !zero; a++) zero = Y[o0 + a] === 0 || Y[o1 + a] === 0 || Y[o2 + a] === 0 || Y[o3 + a] === 0;
      if (zero) {
        for (let q = h; q < h + 4; q++) addOuter(A, b, Y, offsets[q]!, confidences[q]!, k);
        continue;
      }
      const c0 = confidences[h]!;
      const c1 = confidences[h + 1]!;
      const c2 = confidences[h + 2]!;
      const c3 = confidences[h + 3]!;
      for (let a = 0; a < k; a++) {
        const ca0 = c0 * Y[o0 + a]!;
        const ca1 = c1 * Y[o1 + a]!;
        const ca2 = c2 * Y[o2 + a]!;
        const ca3 = c3 * Y[o3 + a]!;
        b[a] = b[a]! + ca0 + ca1 + ca2 + ca3;
        const ga = a * k;
        for (let bb = a; bb < k; bb++) {
          A[ga + bb] = A[ga + bb]! + ca0 * Y[o0 + bb]! + ca1 * Y[o1 + bb]! + ca2 * Y[o2 + bb]! + ca3 * Y[o3 + bb]!;
        }
      }
    }
    for (; h < count; h++) addOuter(A, b, Y, offsets[h]!, confidences[h]!, k);
    const lambda = p.regularization * Math.pow(count + p.unobservedWeight * this.activeCount, p.frequencyScaling);
    for (let a = 0; a < k; a++) {
      A[a * k + a]! += lambda;
      for (let bb = a + 1; bb < k; bb++) A[bb * k + a] = A[a * k + bb]!;
    }
    choleskySolveInPlace(A, b, k);
    return b;
  }

  /** Items with training interactions: only they get scores (the rest are -Infinity), ascending. */
  private knownItems: Int32Array | null = null;
  /** The SIMD scoring kernel with the known items' factors packed; null where it cannot run. */
  private wasmScorer: WasmAlsScorer | null | undefined = undefined;

  scoreFoldIn(history: History, out: Float32Array): void {
    const k = this.factors;
    const x = this.foldIn(history);
    const Y = this.itemFactors;
    if (this.knownItems === null) {
      const list: number[] = [];
      for (let i = 0; i < this.nItems; i++) if (this.known[i] === 1) list.push(i);
      this.knownItems = Int32Array.from(list);
    }
    const items = this.knownItems;
    // Catalogue titles nobody listed (about half of the bundled vocabulary) are skipped instead of
    // scored and then discarded.
    out.fill(-Infinity);
    if (this.wasmScorer === undefined) this.wasmScorer = WasmAlsScorer.create(Y, k, items);
    if (this.wasmScorer !== null) this.wasmScorer.scoreInto(x, out);
    else scoreDotProducts(Y, k, items, x, out);
  }

  /** The `k` items whose factors have the highest cosine with `item`'s, best first (never itself). */
  similarItems(item: number, k: number): { items: Int32Array; scores: Float32Array } {
    const f = this.factors;
    const Y = this.itemFactors;
    if (this.norms === null) {
      this.norms = new Float32Array(this.nItems);
      for (let i = 0; i < this.nItems; i++) {
        let s = 0;
        for (let j = 0; j < f; j++) s += Y[i * f + j]! * Y[i * f + j]!;
        this.norms[i] = Math.sqrt(s);
      }
    }
    const norms = this.norms;
    if (item < 0 || item >= this.nItems || this.known[item] === 0 || norms[item] === 0) {
      return { items: new Int32Array(0), scores: new Float32Array(0) };
    }
    const cand: { i: number; s: number }[] = [];
    const o = item * f;
    for (let i = 0; i < this.nItems; i++) {
      if (i === item || this.known[i] === 0 || norms[i] === 0) continue;
      let s = 0;
      for (let j = 0; j < f; j++) s += Y[i * f + j]! * Y[o + j]!;
      cand.push({ i, s: s / (norms[i]! * norms[item]!) });
    }
    cand.sort((a, b) => b.s - a.s || a.i - b.i);
    const top = cand.slice(0, Math.max(0, k));
    return { items: Int32Array.from(top, (c) => c.i), scores: Float32Array.from(top, (c) => c.s) };
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'item-factors.bin'), this.itemFactors);
    writeArray(join(dir, 'known.bin'), this.known);
    writeManifest(dir, { kind: this.kind, formatVersion: 1, params: this.params, nItems: this.nItems, factors: this.factors });
  }
}

registerModelKind('als', (dir, manifest) => {
  return new AlsRecommender(
    manifest.nItems as number,
    manifest.factors as number,
    readArray(join(dir, 'item-factors.bin'), Float32Array),
    readArray(join(dir, 'known.bin'), Uint8Array),
    manifest.params as AlsParams,
  );
});
