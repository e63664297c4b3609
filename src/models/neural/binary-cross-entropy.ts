/**
 * Binary cross-entropy on logits, the pointwise loss of NeuMF (He et al. 2017): each row is a
 * (user, title) pair labelled 1 (listed) or 0 (a sampled negative). Computed from the logit, as
 * softplus(z) − y·z, so a confident wrong answer gives a large finite loss instead of log(0).
 */

/** log(1 + e^z) without overflow for large |z|. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Weighted mean of softplus(z) − y·z over `rows` logits (Σ w·loss / Σ w; `weights` null = 1
 * each). Writes dL/dz = w·(σ(z) − y) / Σ w into `grad` (overwritten) and returns the loss.
 */
export function binaryCrossEntropy(
  logits: Float32Array,
  labels: Float32Array,
  weights: Float32Array | null,
  rows: number,
  grad: Float32Array,
): number {
  let weightSum = 0;
  for (let r = 0; r < rows; r++) weightSum += weights === null ? 1 : weights[r]!;
  if (!(weightSum > 0)) throw new RangeError('binaryCrossEntropy: the row weights sum to zero');
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const z = logits[r]!;
    const y = labels[r]!;
    const w = (weights === null ? 1 : weights[r]!) / weightSum;
    loss += w * (softplus(z) - y * z);
    grad[r] = w * (sigmoid(z) - y);
  }
  return loss;
}
