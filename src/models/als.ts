import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from './artifacts.js';
import { entryWeight, entryWeights, meanScore, transposeCsr, type EntryWeighting } from './sparse.js';
import {
  addOuter,
  alsEpochFlops,
  alsLoss,
  cgSolveRow,
  choleskySolveInPlace,
  gramian,
  scoreDotProducts,
  type Scratch,
} from './als-kernels.js';
import { createRng, gaussian } from './random.js';
import type { History, Recommender, TrainingData, TrainOptions } from './types.js';
import { WasmAlsScorer } from './wasm/als-scorer.js';

export { alsEpochFlops, choleskySolveInPlace } from './als-kernels.js';

export interface AlsParams {
  /** Embedding dimension k. Rendle et al. (2022) show iALS keeps improving with k when regularised well; 64–128 suits this data size. */
  factors: number;
  /** Epochs (one user pass + one item pass each). ~16 is enough with warm-started CG. */
  iterations: number;
  /** λ, the L2 weight; multiplied by (n_row + α0·n_other)^ν per row, see frequencyScaling. */
  regularization: number;
  /**
   * α0, the weight of the "every pair should score 0" term α0·Σ_all ŷ² (Rendle et al. 2022's
   * unobserved weight). Smaller trusts the observed lists more; larger pulls toward popularity-free scores.
   */
  unobservedWeight: number;
  /**
   * Weight of an observed pair's (1 − ŷ)² term, times the entry weight (1 in 'binary'; score-scaled
   * in 'score'). With α0 tuned this can stay 1 (only the ratio matters up to λ).
   */
  confidence: number;
  /** Conjugate-gradient steps per row per epoch (Takács et al. 2011): 2–4 warm-started steps approach the exact solve at O(k²) not O(k³). */
  cgSteps: number;
  /** ν: regularisation exponent on row frequency (Rendle et al. 2022 use ν = 1); 0 gives plain λ. */
  frequencyScaling: number;
  /** σ of the initialisation N(0, σ/√k): small, so early epochs are not dominated by noise. */
  initStd: number;
  /** 'binary' or 'score' entry weights, as in EASE / item-kNN. */
  weighting: EntryWeighting;
}

/**
 * The best point of `anirec tune --model als` (random trials on validation users; the figures
 * are in docs/evaluation.md, "Hyper-parameter search"). A large λ collapses the factors toward one
 * non-personal list, so the search keeps λ small.
 */
export const DEFAULT_ALS_PARAMS: AlsParams = {
  factors: 128,
  iterations: 12,
  regularization: 0.0007,
  unobservedWeight: 0.42,
  confidence: 1,
  cgSteps: 3,
  frequencyScaling: 1,
  initStd: 0.1,
  weighting: 'binary',
};

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

export function trainAls(data: TrainingData, params: Partial<AlsParams> = {}, options: TrainOptions = {}): AlsRecommender {
  const p = { ...DEFAULT_ALS_PARAMS, ...params };
  const k = Math.max(1, Math.floor(p.factors));
  const { nUsers, nItems } = data;
  const alpha0 = p.unobservedWeight;
  const rng = createRng(options.seed ?? 42);

  const conf = entryWeights(data, p.weighting);
  for (let e = 0; e < conf.length; e++) conf[e]! *= p.confidence;
  const cols = transposeCsr(data, conf);

  const known = new Uint8Array(nItems);
  let activeItems = 0;
  for (let i = 0; i < nItems; i++) {
    if (cols.indptr[i + 1]! > cols.indptr[i]!) {
      known[i] = 1;
      activeItems++;
    }
  }
  let activeUsers = 0;
  for (let u = 0; u < nUsers; u++) if (data.indptr[u + 1]! > data.indptr[u]!) activeUsers++;

  const scale = p.initStd / Math.sqrt(k);
  const X = new Float32Array(nUsers * k);
  const Y = new Float32Array(nItems * k);
  for (let u = 0; u < nUsers; u++) for (let j = 0; j < k; j++) X[u * k + j] = scale * gaussian(rng);
  for (let i = 0; i < nItems; i++) if (known[i] === 1) for (let j = 0; j < k; j++) Y[i * k + j] = scale * gaussian(rng);

  const lambdaUser = new Float64Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    lambdaUser[u] = p.regularization * Math.pow(data.indptr[u + 1]! - data.indptr[u]! + alpha0 * activeItems, p.frequencyScaling);
  }
  const lambdaItem = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    lambdaItem[i] = p.regularization * Math.pow(cols.indptr[i + 1]! - cols.indptr[i]! + alpha0 * activeUsers, p.frequencyScaling);
  }

  const scratch: Scratch = { x: new Float64Array(k), r: new Float64Array(k), p: new Float64Array(k), ap: new Float64Array(k) };
  const gramY = new Float64Array(k * k);
  const gramX = new Float64Array(k * k);
  gramian(Y, nItems, k, gramY);

  const losses: number[] = [];
  const secondsPerEpoch: number[] = [];
  const flopsPerEpoch = alsEpochFlops(data.indices.length, nUsers, nItems, k, p.cgSteps);
  for (let epoch = 0; epoch < p.iterations; epoch++) {
    const t0 = performance.now();
    for (let u = 0; u < nUsers; u++) {
      const start = data.indptr[u]!;
      const end = data.indptr[u + 1]!;
      if (start === end) {
        X.fill(0, u * k, (u + 1) * k);
        continue;
      }
      cgSolveRow(X, u, Y, gramY, alpha0, lambdaUser[u]!, data.indices, conf, start, end, k, p.cgSteps, scratch);
    }
    gramian(X, nUsers, k, gramX);
    for (let i = 0; i < nItems; i++) {
      if (known[i] === 0) continue;
      cgSolveRow(
        Y,
        i,
        X,
        gramX,
        alpha0,
        lambdaItem[i]!,
        cols.indices,
        cols.values,
        cols.indptr[i]!,
        cols.indptr[i + 1]!,
        k,
        p.cgSteps,
        scratch,
      );
    }
    gramian(Y, nItems, k, gramY);
    const seconds = (performance.now() - t0) / 1000;
    secondsPerEpoch.push(seconds);
    const loss = alsLoss(data, conf, X, Y, gramY, k, alpha0, lambdaUser, lambdaItem);
    losses.push(loss);
    options.onProgress?.(
      (epoch + 1) / p.iterations,
      `ALS epoch ${epoch + 1}/${p.iterations}: loss ${loss.toFixed(2)} (${seconds.toFixed(2)} s)`,
    );
  }
  const model = new AlsRecommender(nItems, k, Y, known, p);
  model.report = { losses, secondsPerEpoch, userFactors: X, flopsPerEpoch };
  return model;
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
