/** L2 penalty (λ/2)·Σ w² over `values`; adds its gradient λ·w into `grad`. Returns the penalty. */
export function l2Penalty(values: Float32Array, grad: Float32Array, lambda: number): number {
  if (lambda === 0) return 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const w = values[i]!;
    s += w * w;
    grad[i]! += lambda * w;
  }
  return 0.5 * lambda * s;
}

/** The same penalty over rows `rows` (each `dim` long) of a table: embedding rows used in a batch. */
export function l2PenaltyRows(values: Float32Array, grad: Float32Array, dim: number, rows: Int32Array, lambda: number): number {
  if (lambda === 0) return 0;
  let s = 0;
  for (let k = 0; k < rows.length; k++) {
    const o = rows[k]! * dim;
    for (let j = 0; j < dim; j++) {
      const w = values[o + j]!;
      s += w * w;
      grad[o + j]! += lambda * w;
    }
  }
  return 0.5 * lambda * s;
}
