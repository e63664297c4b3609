/**
 * Element-wise and row-wise activations with their backward passes. Each backward takes the
 * forward *output*, so callers keep one buffer per layer instead of pre- and post-activation.
 */

/** ReLU in place. */
export function reluForward(values: Float32Array, length = values.length): void {
  for (let i = 0; i < length; i++) if (values[i]! < 0) values[i] = 0;
}

/** dX = dY where the output was positive, else 0 (in place on `grad`). */
export function reluBackward(output: Float32Array, grad: Float32Array, length = output.length): void {
  for (let i = 0; i < length; i++) if (!(output[i]! > 0)) grad[i] = 0;
}

/**
 * Scales each row of `x` (rows × dim) to unit length into `y`, remembering the norms for the
 * backward pass. A zero row stays zero (its norm is floored), so it scores 0 against everything.
 */
export function l2NormalizeForward(x: Float32Array, rows: number, dim: number, y: Float32Array, norms: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[o + j]! * x[o + j]!;
    const norm = Math.max(Math.sqrt(s), 1e-6);
    norms[r] = norm;
    for (let j = 0; j < dim; j++) y[o + j] = x[o + j]! / norm;
  }
}

/** dX = (dY − y·(y·dY)) / ‖x‖ for y = x/‖x‖, written into `dx` (may alias `dy`). */
export function l2NormalizeBackward(
  y: Float32Array,
  norms: Float32Array,
  rows: number,
  dim: number,
  dy: Float32Array,
  dx: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += y[o + j]! * dy[o + j]!;
    const inv = 1 / norms[r]!;
    for (let j = 0; j < dim; j++) dx[o + j] = (dy[o + j]! - y[o + j]! * dot) * inv;
  }
}
