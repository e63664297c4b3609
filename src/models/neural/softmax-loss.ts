import { copyTransposed, simdGemm, type SimdGemm } from './gemm.js';

/**
 * Softmax cross-entropy over a shared candidate set, the loss of retrieval two-towers: each
 * query row b must pick its positive column pos[b] among N candidates (the batch's positives,
 * i.e. in-batch negatives, plus any sampled negatives). Logits are (u·v)/τ − log Q(candidate),
 * the logQ correction of Yi et al. (2019, "Sampling-bias-corrected neural modeling"): popular
 * titles are in-batch negatives more often, and without the correction the model learns to push
 * them down for that reason alone. A candidate that is the same title as a row's positive (the
 * same title twice in one batch) is not a negative for that row and is masked out.
 */
export interface SoftmaxBatch {
  /** Query embeddings, rows × dim. */
  queries: Float32Array;
  rows: number;
  /** Candidate embeddings, candidates × dim. */
  candidates: Float32Array;
  count: number;
  dim: number;
  /** Column of each row's positive among the candidates. */
  positive: Int32Array;
  /** Item id of each candidate and of each row's positive, for masking duplicates; null = no masking. */
  candidateItems: Int32Array | null;
  positiveItems: Int32Array | null;
  /** log Q per candidate (subtracted from its logit), or null for no correction. */
  logQ: Float32Array | null;
  temperature: number;
  /** Per-row weight of the loss; null = 1 each. The loss is the weighted mean. */
  rowWeights: Float32Array | null;
}

/**
 * Returns the loss and writes dL/dqueries and dL/dcandidates (overwritten, not accumulated).
 * `logits` is scratch of at least rows × count values.
 */
export function softmaxLoss(batch: SoftmaxBatch, logits: Float32Array, gradQueries: Float32Array, gradCandidates: Float32Array): number {
  const { queries: u, rows, candidates: v, count, dim, positive, candidateItems, positiveItems, logQ, temperature, rowWeights } = batch;
  const invT = 1 / temperature;
  let weightSum = 0;
  for (let b = 0; b < rows; b++) weightSum += rowWeights === null ? 1 : rowWeights[b]!;
  if (!(weightSum > 0)) throw new RangeError('softmaxLoss: the row weights sum to zero');
  const kernel = simdGemm();
  if (kernel !== null) return softmaxLossSimd(kernel, batch, weightSum, logits, gradQueries, gradCandidates);
  let loss = 0;
  for (let b = 0; b < rows; b++) {
    const uo = b * dim;
    const lo = b * count;
    const pos = positive[b]!;
    const posItem = positiveItems === null ? -1 : positiveItems[b]!;
    let max = -Infinity;
    for (let n = 0; n < count; n++) {
      if (candidateItems !== null && n !== pos && candidateItems[n] === posItem) {
        logits[lo + n] = -Infinity;
        continue;
      }
      const vo = n * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) s += u[uo + j]! * v[vo + j]!;
      const logit = s * invT - (logQ === null ? 0 : logQ[n]!);
      logits[lo + n] = logit;
      if (logit > max) max = logit;
    }
    let z = 0;
    for (let n = 0; n < count; n++) z += Math.exp(logits[lo + n]! - max);
    const logZ = max + Math.log(z);
    const w = (rowWeights === null ? 1 : rowWeights[b]!) / weightSum;
    loss += w * (logZ - logits[lo + pos]!);
    // From here on `logits` holds dL/dlogit = w·(softmax − onehot).
    for (let n = 0; n < count; n++) logits[lo + n] = w * Math.exp(logits[lo + n]! - logZ);
    logits[lo + pos]! -= w;
  }
  gradQueries.fill(0, 0, rows * dim);
  gradCandidates.fill(0, 0, count * dim);
  for (let b = 0; b < rows; b++) {
    const uo = b * dim;
    const lo = b * count;
    for (let n = 0; n < count; n++) {
      const g = logits[lo + n]! * invT;
      if (g === 0) continue;
      const vo = n * dim;
      for (let j = 0; j < dim; j++) {
        gradQueries[uo + j]! += g * v[vo + j]!;
        gradCandidates[vo + j]! += g * u[uo + j]!;
      }
    }
  }
  return loss;
}

/**
 * The same loss with its three products (logits U·Vᵀ, dU = G·V, dV = Gᵀ·U) in the SIMD kernel;
 * the row-wise softmax stays in JavaScript. Masked candidates still get a dot product (the
 * kernel computes the whole block) that is then discarded.
 */
function softmaxLossSimd(
  kernel: SimdGemm,
  batch: SoftmaxBatch,
  weightSum: number,
  logits: Float32Array,
  gradQueries: Float32Array,
  gradCandidates: Float32Array,
): number {
  const { queries: u, rows, candidates: v, count, dim, positive, candidateItems, positiveItems, logQ, temperature, rowWeights } = batch;
  const invT = 1 / temperature;
  const vAt = rows * dim;
  const vtAt = vAt + count * dim;
  const lAt = vtAt + dim * count;
  const gqAt = lAt + rows * count;
  const gcAt = gqAt + rows * dim;
  const mem = kernel.scratch(gcAt + count * dim);
  mem.set(u.subarray(0, rows * dim), 0);
  mem.set(v.subarray(0, count * dim), vAt);
  copyTransposed(v, count, dim, mem, vtAt);
  mem.fill(0, lAt, gcAt + count * dim);
  kernel.gemm(rows, count, dim, 0, dim, 1, vtAt, count, lAt, count);
  let loss = 0;
  for (let b = 0; b < rows; b++) {
    const lo = b * count;
    const mo = lAt + lo;
    const pos = positive[b]!;
    const posItem = positiveItems === null ? -1 : positiveItems[b]!;
    let max = -Infinity;
    for (let n = 0; n < count; n++) {
      if (candidateItems !== null && n !== pos && candidateItems[n] === posItem) {
        logits[lo + n] = -Infinity;
        continue;
      }
      const logit = mem[mo + n]! * invT - (logQ === null ? 0 : logQ[n]!);
      logits[lo + n] = logit;
      if (logit > max) max = logit;
    }
    // Each exp once: the row keeps exp(logit − max), and softmax = that / z.
    const posLogit = logits[lo + pos]!;
    let z = 0;
    for (let n = 0; n < count; n++) {
      const e = Math.exp(logits[lo + n]! - max);
      logits[lo + n] = e;
      z += e;
    }
    const w = (rowWeights === null ? 1 : rowWeights[b]!) / weightSum;
    loss += w * (max + Math.log(z) - posLogit);
    const scale = w / z;
    for (let n = 0; n < count; n++) logits[lo + n] = scale * logits[lo + n]!;
    logits[lo + pos]! -= w;
    // The kernel's G is dL/dlogit · 1/τ, the gradient of the dot products.
    for (let n = 0; n < count; n++) mem[mo + n] = logits[lo + n]! * invT;
  }
  kernel.gemm(rows, dim, count, lAt, count, 1, vAt, dim, gqAt, dim);
  kernel.gemm(count, dim, rows, lAt, 1, count, 0, dim, gcAt, dim);
  gradQueries.set(mem.subarray(gqAt, gqAt + rows * dim));
  gradCandidates.set(mem.subarray(gcAt, gcAt + count * dim));
  return loss;
}
