import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lambdaShare } from '../../../src/models/ranker/kernels.js';
import { ndcgTables } from '../../../src/models/ranker/ndcg.js';
import { createRng } from '../../../src/models/random.js';

/** The LambdaMART gradients written plainly: a fresh sort per query and every pair visited. */
function referenceGradients(
  gains: Float64Array,
  discounts: Float64Array,
  inverseIdeal: Float64Array,
  groupOffsets: Int32Array,
  scores: Float64Array,
  k: number,
) {
  const grad = new Float64Array(scores.length);
  const hess = new Float64Array(scores.length);
  for (let q = 0; q + 1 < groupOffsets.length; q++) {
    const start = groupOffsets[q]!;
    const n = groupOffsets[q + 1]! - start;
    if (inverseIdeal[q] === 0 || n < 2) continue;
    const order = Array.from({ length: n }, (_, i) => start + i).sort((a, b) => scores[b]! - scores[a]! || a - b);
    for (let i = 0; i < Math.min(k, n - 1); i++) {
      let gradI = 0;
      let hessI = 0;
      for (let j = i + 1; j < n; j++) {
        const [ri, rj] = [order[i]!, order[j]!];
        if (gains[ri] === gains[rj]) continue;
        const iHigher = gains[ri]! > gains[rj]!;
        const gap = iHigher ? scores[ri]! - scores[rj]! : scores[rj]! - scores[ri]!;
        const delta = Math.abs(gains[ri]! - gains[rj]!) * (discounts[i]! - discounts[j]!) * inverseIdeal[q]!;
        const rho = 1 / (1 + Math.exp(gap));
        gradI += iHigher ? -delta * rho : delta * rho;
        grad[rj]! += iHigher ? delta * rho : -delta * rho;
        hessI += delta * rho * (1 - rho);
        hess[rj]! += delta * rho * (1 - rho);
      }
      grad[order[i]!]! += gradI;
      hess[order[i]!]! += hessI;
    }
  }
  return { grad, hess };
}

describe('ranker kernels', () => {
  it('computes LambdaMART gradients exactly as the plain pair loop, over rounds of changing scores', () => {
    const rng = createRng(21);
    const sizes = [1, 2, 40, 7, 120, 33, 60];
    const groupOffsets = Int32Array.from([0, ...sizes.map((_, q) => sizes.slice(0, q + 1).reduce((a, b) => a + b, 0))]);
    const n = groupOffsets.at(-1)!;
    // Graded labels, mostly irrelevant, and one query with none relevant.
    const labels = Float32Array.from({ length: n }, (_, r) =>
      r >= groupOffsets[5]! && r < groupOffsets[6]! ? 0 : rng() < 0.12 ? 2 : rng() < 0.1 ? 1 : 0,
    );
    const { gains, discounts, inverseIdeal } = ndcgTables(labels, groupOffsets, 10);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const queries = Int32Array.from({ length: sizes.length }, (_, q) => q);
    const scores = new Float64Array(n);
    const grad = new Float64Array(n);
    const hess = new Float64Array(n);
    let compared = 0;
    for (let round = 0; round < 4; round++) {
      lambdaShare(queries, 0, queries.length, groupOffsets, gains, discounts, inverseIdeal, order, scores, grad, hess, 10);
      const expected = referenceGradients(gains, discounts, inverseIdeal, groupOffsets, scores, 10);
      assert.deepEqual(grad, expected.grad, `round ${round}`);
      assert.deepEqual(hess, expected.hess, `round ${round}`);
      compared += grad.filter((g) => g !== 0).length;
      // Ties on the first round, then scores that move each round (some rows jump far).
      for (let r = 0; r < n; r++) scores[r]! += round === 2 && r % 5 === 0 ? rng() * 10 - 5 : rng() * 0.2 - 0.1;
    }
    assert.ok(compared > 100, `gradients compared: ${compared}`);
  });
});
