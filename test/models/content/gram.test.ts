import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cosineGram, cosineGramSync } from '../../../src/models/content/gram.js';

function randomUnit(n: number, dims: number, seed: number): Float32Array {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5;
  const u = new Float32Array(n * dims).map(() => rand());
  for (let i = 0; i < n; i++) {
    const row = u.subarray(i * dims, (i + 1) * dims);
    const norm = Math.hypot(...row);
    for (let d = 0; d < dims; d++) row[d]! /= norm;
  }
  return u;
}

describe('cosine Gram matrix', () => {
  it('matches exact cosines within int8 quantisation error, in worker threads and in-thread', async () => {
    const n = 600;
    const dims = 37; // not a multiple of 4: exercises the remainder paths
    const u = randomUnit(n, dims, 7);
    const parallel = await cosineGram(u, n, dims, 2);
    const local = cosineGramSync(u, n, dims);
    assert.deepEqual(parallel, local);
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [5, 599],
      [598, 3],
      [300, 301],
    ] as const) {
      let exact = 0;
      for (let d = 0; d < dims; d++) exact += u[a * dims + d]! * u[b * dims + d]!;
      assert.ok(Math.abs(parallel[a * n + b]! - exact) < 0.02, `(${a},${b}) ${parallel[a * n + b]} vs ${exact}`);
      assert.equal(parallel[a * n + b], parallel[b * n + a]);
    }
  });
});
