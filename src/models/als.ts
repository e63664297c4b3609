import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from './artifacts.js';
import { easeWeight } from './ease.js';
import { entryWeights, transposeCsr } from './itemknn.js';
import { createRng, gaussian } from './random.js';
import type { History, Recommender, TrainingData, TrainOptions } from './types.js';

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
  weighting: 'binary' | 'score';
}

/**
 * From `anirec tune --model als` (24 random trials on 500 validation users, docs/evaluation.md):
 * k = 128, λ ≈ 0.0007, α0 ≈ 0.42 gave validation NDCG@20 0.399 (the earlier hand-picked
 * k = 64, λ = 0.005, α0 = 0.1: 0.36). Large λ (≥ 0.02) collapses toward one non-personal list.
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
 * FLOPs of one epoch as implemented in trainAls (multiply and add each count 1): for each side,
 * the Gramian of the fixed side (upper triangle), then per row an initial residual and `cgSteps`
 * CG iterations, each one matrix–vector product with α0·G + λI + Σ c·y·yᵀ (dense k² part plus
 * 4k per interaction: a dot and an axpy) and the CG vector updates.
 */
export function alsEpochFlops(nnz: number, nUsers: number, nItems: number, factors: number, cgSteps: number): number {
  const k = factors;
  const gram = (rows: number) => rows * k * (k + 1); // k(k+1)/2 multiply-adds per row
  const matvecs = cgSteps + 1; // initial residual + one A·p per step
  const perRowDense = matvecs * (2 * k * k + 3 * k); // α0·G·v (2k²) + λv and accumulate (3k)
  const perRowCg = cgSteps * 10 * k; // p·Ap, x += αp, r −= αAp, r·r, p = r + βp
  const perEntry = matvecs * 4 * k + 2; // y·v (2k) + coef·y axpy (2k), + coefficient
  const side = (rows: number, otherRows: number) => gram(otherRows) + rows * (perRowDense + perRowCg) + nnz * perEntry;
  return side(nUsers, nItems) + side(nItems, nUsers);
}

/** G = FᵀF (k×k, Float64) over the given rows of a row-major factor matrix. */
function gramian(factors: Float32Array, rows: number, k: number, out: Float64Array): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    for (let a = 0; a < k; a++) {
      const fa = factors[o + a]!;
      if (fa === 0) continue;
      const ga = a * k;
      for (let b = a; b < k; b++) out[ga + b]! += fa * factors[o + b]!;
    }
  }
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) out[b * k + a] = out[a * k + b]!;
}

interface Scratch {
  x: Float64Array;
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
}

/** Dense v ↦ α0·G·v + λ·v (k×k row-major G), with four accumulators to hide add latency. */
function denseMatvec(gram: Float64Array, v: Float64Array, out: Float64Array, alpha0: number, lambda: number, k: number): void {
  const k4 = k & ~3;
  for (let a = 0; a < k; a++) {
    const ga = a * k;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let b = 0;
    for (; b < k4; b += 4) {
      s0 += gram[ga + b]! * v[b]!;
      s1 += gram[ga + b + 1]! * v[b + 1]!;
      s2 += gram[ga + b + 2]! * v[b + 2]!;
      s3 += gram[ga + b + 3]! * v[b + 3]!;
    }
    for (; b < k; b++) s0 += gram[ga + b]! * v[b]!;
    out[a] = alpha0 * (s0 + s1 + s2 + s3) + lambda * v[a]!;
  }
}

/**
 * Over a row's interactions e (other-side factor y_e), adds to `out` either Σ c_e (y_e·v) y_e (the
 * sparse part of A·v) or, when `residual`, Σ c_e (1 − y_e·v) y_e (the sparse part of b − A·v).
 * Each entry costs a dot and an axpy; four accumulators hide floating-point add latency.
 */
function sparseAccumulate(
  other: Float32Array,
  idx: Int32Array,
  conf: Float32Array,
  start: number,
  end: number,
  v: Float64Array,
  out: Float64Array,
  k: number,
  residual: boolean,
): void {
  const k4 = k & ~3;
  for (let e = start; e < end; e++) {
    const o = idx[e]! * k;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    let j = 0;
    for (; j < k4; j += 4) {
      d0 += other[o + j]! * v[j]!;
      d1 += other[o + j + 1]! * v[j + 1]!;
      d2 += other[o + j + 2]! * v[j + 2]!;
      d3 += other[o + j + 3]! * v[j + 3]!;
    }
    for (; j < k; j++) d0 += other[o + j]! * v[j]!;
    const d = d0 + d1 + d2 + d3;
    const coef = residual ? conf[e]! * (1 - d) : conf[e]! * d;
    j = 0;
    for (; j < k4; j += 4) {
      out[j]! += coef * other[o + j]!;
      out[j + 1]! += coef * other[o + j + 1]!;
      out[j + 2]! += coef * other[o + j + 2]!;
      out[j + 3]! += coef * other[o + j + 3]!;
    }
    for (; j < k; j++) out[j]! += coef * other[o + j]!;
  }
}

/**
 * A few CG steps on (α0·G + λI + Σ_e c_e y_e y_eᵀ) x = Σ_e c_e y_e, warm-started from the current
 * row `target[row]`, which is overwritten. All arithmetic in Float64 scratch.
 */
function cgSolveRow(
  target: Float32Array,
  row: number,
  other: Float32Array,
  gram: Float64Array,
  alpha0: number,
  lambda: number,
  idx: Int32Array,
  conf: Float32Array,
  start: number,
  end: number,
  k: number,
  steps: number,
  s: Scratch,
): void {
  const { x, r, p, ap } = s;
  const base = row * k;
  for (let j = 0; j < k; j++) x[j] = target[base + j]!;
  // r = b − A x = Σ c (1 − y·x) y − α0 G x − λ x
  denseMatvec(gram, x, r, alpha0, lambda, k);
  for (let j = 0; j < k; j++) r[j] = -r[j]!;
  sparseAccumulate(other, idx, conf, start, end, x, r, k, true);
  let rr = 0;
  for (let j = 0; j < k; j++) {
    p[j] = r[j]!;
    rr += r[j]! * r[j]!;
  }
  for (let step = 0; step < steps; step++) {
    if (rr < 1e-20) break;
    denseMatvec(gram, p, ap, alpha0, lambda, k);
    sparseAccumulate(other, idx, conf, start, end, p, ap, k, false);
    let pap = 0;
    for (let j = 0; j < k; j++) pap += p[j]! * ap[j]!;
    if (!(pap > 0)) break;
    const stepSize = rr / pap;
    let rrNew = 0;
    for (let j = 0; j < k; j++) {
      x[j]! += stepSize * p[j]!;
      r[j]! -= stepSize * ap[j]!;
      rrNew += r[j]! * r[j]!;
    }
    const beta = rrNew / rr;
    for (let j = 0; j < k; j++) p[j] = r[j]! + beta * p[j]!;
    rr = rrNew;
  }
  for (let j = 0; j < k; j++) target[base + j] = x[j]!;
}

/** Solves the SPD system A x = b in place by Cholesky (A row-major k×k, overwritten; b becomes x). */
/** A += c·y·yᵀ (upper triangle), b += c·y for the factor row at offset o (zero terms skipped). */
function addOuter(A: Float64Array, b: Float64Array, Y: Float32Array, o: number, c: number, k: number): void {
  for (let a = 0; a < k; a++) {
    const ca = c * Y[o + a]!;
    if (ca === 0) continue;
    b[a]! += ca;
    const ga = a * k;
    for (let bb = a; bb < k; bb++) A[ga + bb]! += ca * Y[o + bb]!;
  }
}

export function choleskySolveInPlace(A: Float64Array, b: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    let d = A[j * k + j]!;
    for (let m = 0; m < j; m++) d -= A[j * k + m]! * A[j * k + m]!;
    if (!(d > 0)) d = 1e-12;
    const l = Math.sqrt(d);
    A[j * k + j] = l;
    for (let i = j + 1; i < k; i++) {
      let s = A[i * k + j]!;
      for (let m = 0; m < j; m++) s -= A[i * k + m]! * A[j * k + m]!;
      A[i * k + j] = s / l;
    }
  }
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let m = 0; m < i; m++) s -= A[i * k + m]! * b[m]!;
    b[i] = s / A[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let m = i + 1; m < k; m++) s -= A[m * k + i]! * b[m]!;
    b[i] = s / A[i * k + i]!;
  }
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
    let mean = 0;
    if (p.weighting === 'score') {
      let sum = 0;
      let n = 0;
      for (let h = 0; h < history.scores.length; h++) {
        if (history.scores[h]! > 0) {
          sum += history.scores[h]!;
          n++;
        }
      }
      mean = n > 0 ? sum / n : 0;
    }
    // The listed items' factor offsets and confidences, in history order.
    const offsets: number[] = [];
    const confidences: number[] = [];
    for (let h = 0; h < history.items.length; h++) {
      const item = history.items[h]!;
      if (item < 0 || item >= this.nItems) continue;
      offsets.push(item * k);
      confidences.push(p.confidence * easeWeight(history.scores[h]!, mean, p.weighting));
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

  scoreFoldIn(history: History, out: Float32Array): void {
    const k = this.factors;
    const x = this.foldIn(history);
    const Y = this.itemFactors;
    const known = this.known;
    const n = this.nItems;
    // Four items at a time: four independent sums keep the FPU busy (one sum is a chain of
    // dependent adds), while each item's sum still adds the same terms in the same order, so the
    // scores are bit-for-bit those of the one-item loop.
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const o0 = i * k;
      const o1 = o0 + k;
      const o2 = o1 + k;
      const o3 = o2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < k; j++) {
        const xj = x[j]!;
        s0 += Y[o0 + j]! * xj;
        s1 += Y[o1 + j]! * xj;
        s2 += Y[o2 + j]! * xj;
        s3 += Y[o3 + j]! * xj;
      }
      out[i] = known[i] === 0 ? -Infinity : s0;
      out[i + 1] = known[i + 1] === 0 ? -Infinity : s1;
      out[i + 2] = known[i + 2] === 0 ? -Infinity : s2;
      out[i + 3] = known[i + 3] === 0 ? -Infinity : s3;
    }
    for (; i < n; i++) {
      if (known[i] === 0) {
        out[i] = -Infinity;
        continue;
      }
      const o = i * k;
      let s = 0;
      for (let j = 0; j < k; j++) s += Y[o + j]! * x[j]!;
      out[i] = s;
    }
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
      cgSolveRow(Y, i, X, gramX, alpha0, lambdaItem[i]!, cols.indices, cols.values, cols.indptr[i]!, cols.indptr[i + 1]!, k, p.cgSteps, scratch);
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

/** The full objective: Σ_obs c(1 − ŷ)² + α0·Σ_u x_uᵀ(YᵀY)x_u + Σ λ_row‖row‖². */
function alsLoss(
  data: TrainingData,
  conf: Float32Array,
  X: Float32Array,
  Y: Float32Array,
  gramY: Float64Array,
  k: number,
  alpha0: number,
  lambdaUser: Float64Array,
  lambdaItem: Float64Array,
): number {
  let observed = 0;
  let all = 0;
  let reg = 0;
  for (let u = 0; u < data.nUsers; u++) {
    const o = u * k;
    for (let e = data.indptr[u]!; e < data.indptr[u + 1]!; e++) {
      const q = data.indices[e]! * k;
      let d = 0;
      for (let j = 0; j < k; j++) d += X[o + j]! * Y[q + j]!;
      observed += conf[e]! * (1 - d) * (1 - d);
    }
    let quad = 0;
    let sq = 0;
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += gramY[a * k + b]! * X[o + b]!;
      quad += s * X[o + a]!;
      sq += X[o + a]! * X[o + a]!;
    }
    all += quad;
    reg += lambdaUser[u]! * sq;
  }
  for (let i = 0; i < data.nItems; i++) {
    let sq = 0;
    for (let j = 0; j < k; j++) sq += Y[i * k + j]! * Y[i * k + j]!;
    reg += lambdaItem[i]! * sq;
  }
  return observed + alpha0 * all + reg;
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
