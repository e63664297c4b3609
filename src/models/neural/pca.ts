import { createRng, gaussian } from '../random.js';

/**
 * The top principal components of a set of dense rows, by subspace (orthogonal) iteration on the
 * covariance matrix: deterministic for a seed, no linear-algebra dependency. The two-tower uses
 * it to shrink 512-d synopsis vectors to a few dozen inputs, which keeps most of their variance
 * and makes the first layer of both towers several times cheaper.
 */
export interface Projection {
  mean: Float32Array;
  /** components × dim, orthonormal rows, strongest first. */
  components: Float32Array;
  count: number;
  dim: number;
  /** Share of the total variance each component explains. */
  explained: Float64Array;
}

export function principalComponents(rows: Float32Array, n: number, dim: number, count: number, seed = 1, iterations = 60): Projection {
  const k = Math.max(1, Math.min(count, dim, n));
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j]! += rows[r * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= Math.max(1, n);
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dim; j++) centred[j] = rows[r * dim + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) {
      const ca = centred[a]!;
      if (ca === 0) continue;
      const o = a * dim;
      for (let b = a; b < dim; b++) cov[o + b]! += ca * centred[b]!;
    }
  }
  let trace = 0;
  for (let a = 0; a < dim; a++) {
    trace += cov[a * dim + a]!;
    for (let b = a + 1; b < dim; b++) cov[b * dim + a] = cov[a * dim + b]!;
  }
  const rng = createRng(seed);
  // Q: k × dim basis, iterated Q ← orthonormalise(Q·C).
  const q = Float64Array.from({ length: k * dim }, () => gaussian(rng));
  orthonormalise(q, k, dim);
  const next = new Float64Array(k * dim);
  for (let it = 0; it < iterations; it++) {
    next.fill(0);
    for (let c = 0; c < k; c++) {
      const qo = c * dim;
      for (let a = 0; a < dim; a++) {
        const qa = q[qo + a]!;
        if (qa === 0) continue;
        const o = a * dim;
        for (let b = 0; b < dim; b++) next[qo + b]! += qa * cov[o + b]!;
      }
    }
    orthonormalise(next, k, dim);
    q.set(next);
  }
  // Rayleigh quotients give each component's variance; sort strongest first.
  const variance = Array.from({ length: k }, (_, c) => {
    let s = 0;
    for (let a = 0; a < dim; a++) {
      let row = 0;
      for (let b = 0; b < dim; b++) row += cov[a * dim + b]! * q[c * dim + b]!;
      s += q[c * dim + a]! * row;
    }
    return { c, s };
  }).sort((x, y) => y.s - x.s);
  const components = new Float32Array(k * dim);
  const explained = new Float64Array(k);
  variance.forEach(({ c, s }, rank) => {
    for (let j = 0; j < dim; j++) components[rank * dim + j] = q[c * dim + j]!;
    explained[rank] = trace > 0 ? s / trace : 0;
  });
  return { mean: Float32Array.from(mean), components, count: k, dim, explained };
}

/** Modified Gram–Schmidt on the rows of m (k × dim), in place. */
function orthonormalise(m: Float64Array, k: number, dim: number): void {
  for (let c = 0; c < k; c++) {
    const o = c * dim;
    for (let p = 0; p < c; p++) {
      const po = p * dim;
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += m[o + j]! * m[po + j]!;
      for (let j = 0; j < dim; j++) m[o + j]! -= dot * m[po + j]!;
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += m[o + j]! * m[o + j]!;
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) m[o + j] = norm > 1e-12 ? m[o + j]! / norm : 0;
  }
}

/** out (count values) = components · (x − mean). */
export function project(p: Projection, x: Float32Array, out: Float32Array, outOffset = 0): void {
  for (let c = 0; c < p.count; c++) {
    let s = 0;
    const o = c * p.dim;
    for (let j = 0; j < p.dim; j++) s += p.components[o + j]! * (x[j]! - p.mean[j]!);
    out[outOffset + c] = s;
  }
}
