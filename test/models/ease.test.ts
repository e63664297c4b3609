import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpdWorkspace } from '../../src/models/dense-inverse.js';
import { accumulateGram, type GramRows } from '../../src/models/ease/gram.js';
import { createRng } from '../../src/models/random.js';
import { DEFAULT_EASE_PARAMS, type EaseParams } from '../../src/models/ease/params.js';
import { easeSelection, trainEase } from '../../src/models/ease/train.js';
import { entryWeight } from '../../src/models/sparse.js';
import { topK } from '../../src/models/top-k.js';
import type { TrainingData } from '../../src/models/types.js';
import { BLOCK_A, BLOCK_B, COLD, historyOf, loadBundled, plantedBlocks } from './model-test-data.js';
import { referenceInverse } from './reference-inverse.js';

/**
 * EASE written out the plain way: a dense user × title matrix, XᵀX + λI, the textbook
 * Gauss–Jordan inverse with partial pivoting, B = I − P·diag(1/diag(P)). What anirec computed
 * before its inverse moved to WebAssembly.
 */
function referenceWeights(data: TrainingData, selected: Int32Array, p: EaseParams): Float64Array {
  const n = selected.length;
  const dense = new Map<number, number>();
  selected.forEach((item, d) => dense.set(item, d));
  const g = new Float64Array(n * n);
  for (let u = 0; u < data.nUsers; u++) {
    let sum = 0;
    let scored = 0;
    for (let e = data.indptr[u]!; e < data.indptr[u + 1]!; e++) {
      if (data.scores[e]! > 0) {
        sum += data.scores[e]!;
        scored++;
      }
    }
    const mean = scored > 0 ? sum / scored : 0;
    const x = new Float64Array(n);
    for (let e = data.indptr[u]!; e < data.indptr[u + 1]!; e++) {
      const d = dense.get(data.indices[e]!);
      if (d !== undefined) x[d] = entryWeight(data.scores[e]!, mean, p.weighting);
    }
    for (let a = 0; a < n; a++) if (x[a] !== 0) for (let b = 0; b < n; b++) g[a * n + b]! += x[a]! * x[b]!;
  }
  for (let a = 0; a < n; a++) g[a * n + a]! += p.lambda;
  const inverse = referenceInverse(g, n);
  const weights = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) weights[a * n + b] = a === b ? 0 : -inverse[a * n + b]! / inverse[b * n + b]!;
  return weights;
}

describe('EASE', () => {
  it('recommends the rest of a planted block and never the cold title', () => {
    const model = trainEase(plantedBlocks(), { lambda: 10, minCount: 1 });
    const scores = new Float32Array(model.nItems);
    model.scoreFoldIn(historyOf(BLOCK_A.slice(0, 5)), scores);
    const top = [...topK(scores, 10, new Set(BLOCK_A.slice(0, 5)))];
    assert.ok(
      top.every((i) => BLOCK_A.includes(i)),
      `top-10 ${top} strays outside block A`,
    );
    assert.equal(scores[COLD], -Infinity);
    assert.ok(!top.some((i) => BLOCK_B.includes(i)));
  });

  it('fits the same weights and top-20 lists as the plain dense computation on the bundled sample (300 titles)', () => {
    const data = loadBundled();
    const params = { ...DEFAULT_EASE_PARAMS, maxItems: 300 };
    const model = trainEase(data, params);
    const selected = easeSelection(data, params);
    assert.deepEqual(model.selected, selected);
    const reference = referenceWeights(data, selected, params);
    let diff = 0;
    for (let i = 0; i < reference.length; i++) diff = Math.max(diff, Math.abs(model.weights[i]! - reference[i]!));
    // The model stores float32 weights; the reference is float64.
    assert.ok(diff < 1e-6, `weights differ by up to ${diff}`);
    const n = selected.length;
    const own = new Float32Array(data.nItems);
    let compared = 0;
    for (let u = 0; u < data.nUsers; u += 25) {
      const items = data.indices.subarray(data.indptr[u]!, data.indptr[u + 1]!);
      const scores = data.scores.subarray(data.indptr[u]!, data.indptr[u + 1]!);
      model.scoreFoldIn({ items, scores }, own);
      // The reference's scores, accumulated in float64 from the float32-rounded weights.
      const ref = new Float32Array(data.nItems).fill(-Infinity);
      const acc = new Float64Array(n);
      let sum = 0;
      let scored = 0;
      for (const s of scores) if (s > 0) ((sum += s), scored++);
      const mean = scored > 0 ? sum / scored : 0;
      items.forEach((item, h) => {
        const d = selected.indexOf(item);
        if (d < 0) return;
        const w = entryWeight(scores[h]!, mean, params.weighting);
        for (let b = 0; b < n; b++) acc[b]! += w * Math.fround(reference[d * n + b]!);
      });
      selected.forEach((item, d) => (ref[item] = acc[d]!));
      const listed = new Set(items);
      assert.deepEqual([...topK(own, 20, listed)], [...topK(ref, 20, listed)], `user ${u}`);
      compared++;
    }
    assert.ok(compared > 100);
  });

  it('builds the same Gram bit for bit on one thread and on several', () => {
    const rng = createRng(3);
    const n = 97;
    const indptr = [0];
    const items: number[] = [];
    const weights: number[] = [];
    for (let u = 0; u < 300; u++) {
      for (let d = 0; d < n; d++) {
        if (rng() < 0.2) {
          items.push(d);
          weights.push(0.25 + rng() * 2);
        }
      }
      indptr.push(items.length);
    }
    const rows: GramRows = { indptr: Int32Array.from(indptr), items: Int32Array.from(items), weights: Float64Array.from(weights) };
    const one = new SpdWorkspace(n);
    accumulateGram(rows, one.matrix, one.stride, 1);
    const three = new SpdWorkspace(n);
    accumulateGram(rows, three.matrix, three.stride, 3, 0);
    assert.deepEqual(three.matrix, one.matrix);
    // Spot-check one entry against its definition.
    let g = 0;
    for (let u = 0; u < 300; u++) {
      const row = items.slice(indptr[u], indptr[u + 1]);
      const a = row.indexOf(3);
      const b = row.indexOf(40);
      if (a >= 0 && b >= 0) g += weights[indptr[u]! + a]! * weights[indptr[u]! + b]!;
    }
    assert.equal(one.matrix[3 * one.stride + 40], g);
  });
});
