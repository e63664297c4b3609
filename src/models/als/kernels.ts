/**
 * The numerical kernels of implicit ALS (model.ts holds the model and fold-in, train.ts the training loop):
 * Gramians, the conjugate-gradient row update of Takács et al. 2011, the exact Cholesky solve
 * used for fold-in, the loss, and an exact FLOP count of one epoch for the benchmark.
 *
 * Training runs the same update in WebAssembly SIMD on worker threads (simd.ts, wasm/als-cg.wat);
 * the scalar float64 update and loss here are its fallback (ANIREC_WASM=0, no SIMD) and the
 * reference test/models/als-simd.test.ts holds it to.
 */
import type { TrainingData } from '../types.js';

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
export function gramian(factors: Float32Array, rows: number, k: number, out: Float64Array): void {
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

export interface Scratch {
  x: Float64Array;
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
}

/** Dense v ↦ α0·G·v + λ·v (k×k row-major G), with four accumulators to hide add latency. */
export function denseMatvec(gram: Float64Array, v: Float64Array, out: Float64Array, alpha0: number, lambda: number, k: number): void {
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
export function sparseAccumulate(
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
export function cgSolveRow(
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

/** A += c·y·yᵀ (upper triangle), b += c·y for the factor row at offset o (zero terms skipped). */
export function addOuter(A: Float64Array, b: Float64Array, Y: Float32Array, o: number, c: number, k: number): void {
  for (let a = 0; a < k; a++) {
    const ca = c * Y[o + a]!;
    if (ca === 0) continue;
    b[a]! += ca;
    const ga = a * k;
    for (let bb = a; bb < k; bb++) A[ga + bb]! += ca * Y[o + bb]!;
  }
}

/**
 * Solves the SPD system A x = b in place by Cholesky (A row-major k×k, overwritten; b becomes x).
 * Each entry of the factor is one dot product, a chain of dependent multiply-adds; four rows of a
 * column are computed side by side so four chains run at once. Every entry still subtracts the
 * same terms in the same order, so the result is bit-for-bit the one-row-at-a-time factor.
 */
export function choleskySolveInPlace(A: Float64Array, b: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    const rj = j * k;
    let d = A[rj + j]!;
    for (let m = 0; m < j; m++) d -= A[rj + m]! * A[rj + m]!;
    if (!(d > 0)) d = 1e-12;
    const l = Math.sqrt(d);
    A[rj + j] = l;
    let i = j + 1;
    for (; i + 3 < k; i += 4) {
      const r0 = i * k;
      const r1 = r0 + k;
      const r2 = r1 + k;
      const r3 = r2 + k;
      let s0 = A[r0 + j]!;
      let s1 = A[r1 + j]!;
      let s2 = A[r2 + j]!;
      let s3 = A[r3 + j]!;
      for (let m = 0; m < j; m++) {
        const ljm = A[rj + m]!;
        s0 -= A[r0 + m]! * ljm;
        s1 -= A[r1 + m]! * ljm;
        s2 -= A[r2 + m]! * ljm;
        s3 -= A[r3 + m]! * ljm;
      }
      A[r0 + j] = s0 / l;
      A[r1 + j] = s1 / l;
      A[r2 + j] = s2 / l;
      A[r3 + j] = s3 / l;
    }
    for (; i < k; i++) {
      const ri = i * k;
      let s = A[ri + j]!;
      for (let m = 0; m < j; m++) s -= A[ri + m]! * A[rj + m]!;
      A[ri + j] = s / l;
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

/** The full objective: Σ_obs c(1 − ŷ)² + α0·Σ_u x_uᵀ(YᵀY)x_u + Σ λ_row‖row‖². */
export function alsLoss(
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

/**
 * out[item] = Y[item] · x for each listed item (row-major factors, k per row): the scalar path of
 * fold-in scoring, used where the WebAssembly kernel (src/models/wasm/als-scorer.ts) cannot run.
 * Eight items at a time: eight independent sums keep the FPU busy (one sum is a chain of
 * dependent adds; eight measured ~18% faster than four), while each item's sum still adds the
 * same terms in the same order, so the scores are bit-for-bit those of the one-item loop.
 */
export function scoreDotProducts(Y: Float32Array, k: number, items: Int32Array, x: Float64Array, out: Float32Array): void {
  let q = 0;
  for (; q + 7 < items.length; q += 8) {
    const o0 = items[q]! * k;
    const o1 = items[q + 1]! * k;
    const o2 = items[q + 2]! * k;
    const o3 = items[q + 3]! * k;
    const o4 = items[q + 4]! * k;
    const o5 = items[q + 5]! * k;
    const o6 = items[q + 6]! * k;
    const o7 = items[q + 7]! * k;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let j = 0; j < k; j++) {
      const xj = x[j]!;
      s0 += Y[o0 + j]! * xj;
      s1 += Y[o1 + j]! * xj;
      s2 += Y[o2 + j]! * xj;
      s3 += Y[o3 + j]! * xj;
      s4 += Y[o4 + j]! * xj;
      s5 += Y[o5 + j]! * xj;
      s6 += Y[o6 + j]! * xj;
      s7 += Y[o7 + j]! * xj;
    }
    out[items[q]!] = s0;
    out[items[q + 1]!] = s1;
    out[items[q + 2]!] = s2;
    out[items[q + 3]!] = s3;
    out[items[q + 4]!] = s4;
    out[items[q + 5]!] = s5;
    out[items[q + 6]!] = s6;
    out[items[q + 7]!] = s7;
  }
  for (; q < items.length; q++) {
    const o = items[q]! * k;
    let s = 0;
    for (let j = 0; j < k; j++) s += Y[o + j]! * x[j]!;
    out[items[q]!] = s;
  }
}
