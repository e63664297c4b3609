import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invertSpdInPlace } from '../../src/models/dense-inverse.js';
import { createRng } from '../../src/models/random.js';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: n * n }, () => rng() - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[i * n + k]! * x[j * n + k]!;
      a[i * n + j] = s + (i === j ? 0.5 : 0);
    }
  }
  return a;
}

function maxErrorFromIdentity(a: Float64Array, inverse: Float64Array, n: number): number {
  let error = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * inverse[k * n + j]!;
      error = Math.max(error, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return error;
}

describe('invertSpdInPlace', () => {
  // Block sizes that divide n, that don't, larger than n, and the unblocked case.
  for (const [n, block] of [[1, 4], [9, 4], [40, 32], [37, 8], [12, 1], [6, 64]] as const) {
    it(`inverts a random ${n}×${n} SPD matrix with blocks of ${block}`, () => {
      const a = randomSpd(n, n * 31 + block);
      const inverse = invertSpdInPlace(a.slice(), n, undefined, block);
      assert.ok(maxErrorFromIdentity(a, inverse, n) < 1e-9);
    });
  }

  it('refuses a matrix that is not positive definite', () => {
    assert.throws(() => invertSpdInPlace(Float64Array.from([1, 2, 2, 1]), 2), /not positive definite/);
  });
});
