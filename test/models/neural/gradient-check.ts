/** Finite-difference checks shared by the neural kernel tests. */
import assert from 'node:assert/strict';
import { createRng, gaussian } from '../../../src/models/random.js';

export function randomArray(length: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => scale * gaussian(rng));
}

/**
 * Compares `analytic` with central differences of `loss` w.r.t. every element of `values`
 * (perturbed in place and restored). Float32 storage limits precision, so the step is large
 * and the tolerance relative.
 */
export function assertGradient(
  name: string,
  values: Float32Array,
  analytic: ArrayLike<number>,
  loss: () => number,
  eps = 1e-2,
  tolerance = 2e-2,
): void {
  assert.ok(values.length > 0, `${name}: nothing to check`);
  let checked = 0;
  for (let i = 0; i < values.length; i++) {
    const original = values[i]!;
    values[i] = original + eps;
    const up = loss();
    values[i] = original - eps;
    const down = loss();
    values[i] = original;
    const numeric = (up - down) / (2 * eps);
    const error = Math.abs(numeric - analytic[i]!);
    assert.ok(error <= tolerance * Math.max(1, Math.abs(numeric)), `${name}[${i}]: analytic ${analytic[i]} vs numeric ${numeric}`);
    checked++;
  }
  assert.equal(checked, values.length);
}

/** Σ c·y: a loss whose gradient w.r.t. y is c, so any layer's backward can be fed c. */
export function linearLoss(y: ArrayLike<number>, c: Float32Array, length = c.length): number {
  let s = 0;
  for (let i = 0; i < length; i++) s += c[i]! * y[i]!;
  return s;
}
