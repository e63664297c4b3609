import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { env } from '../../src/env/env.js';
import { AlsRecommender } from '../../src/models/als/model.js';
import { alsSimdModule, partitionRows } from '../../src/models/als/simd.js';
import { trainAls } from '../../src/models/als/train.js';
import { topKIndices } from '../../src/models/top-k.js';
import type { TrainingData } from '../../src/models/types.js';
import { loadBundled } from './model-test-data.js';

/** The first 1,500 users of the bundled 2016 sample (about a third of its rows). */
function bundledSlice(): TrainingData {
  const data = loadBundled();
  const nUsers = 1500;
  const end = data.indptr[nUsers]!;
  return {
    ...data,
    nUsers,
    indptr: data.indptr.slice(0, nUsers + 1),
    indices: data.indices.slice(0, end),
    scores: data.scores.slice(0, end),
  };
}

function train(data: TrainingData, factors: number, wasm: boolean, threads?: number): AlsRecommender {
  const saved = env.wasm;
  env.wasm = wasm;
  try {
    return trainAls(data, { factors, iterations: 5 }, { seed: 7, threads });
  } finally {
    env.wasm = saved;
  }
}

function relativeDifference(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

function identical(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]!));
}

/** Mean share of each sampled user's fold-in top 20 that the other model's top 20 also holds. */
function top20Overlap(data: TrainingData, a: AlsRecommender, b: AlsRecommender): number {
  const sa = new Float32Array(data.nItems);
  const sb = new Float32Array(data.nItems);
  let shared = 0;
  let users = 0;
  for (let u = 0; u < data.nUsers; u += 30) {
    const start = data.indptr[u]!;
    const end = data.indptr[u + 1]!;
    if (end - start < 5) continue;
    const history = { items: data.indices.slice(start, end), scores: data.scores.slice(start, end) };
    a.scoreFoldIn(history, sa);
    b.scoreFoldIn(history, sb);
    for (const item of history.items) sa[item] = sb[item] = -Infinity;
    const top = new Set(Array.from(topKIndices(sa, 20)));
    shared += Array.from(topKIndices(sb, 20)).filter((item) => top.has(item)).length / 20;
    users++;
  }
  assert.ok(users > 20, `only ${users} users sampled`);
  return shared / users;
}

describe('iALS SIMD training against the scalar reference', () => {
  const data = bundledSlice();

  it('runs here (Node 20 has WebAssembly SIMD), and not when env.wasm is off', () => {
    const saved = env.wasm;
    try {
      env.wasm = true;
      assert.notEqual(alsSimdModule(), null);
      env.wasm = false;
      assert.equal(alsSimdModule(), null);
    } finally {
      env.wasm = saved;
    }
  });

  for (const factors of [32, 13]) {
    it(`k = ${factors}: same losses, factors and top-20 lists as the scalar path, on 1 and 2 threads`, () => {
      const scalar = train(data, factors, false);
      const one = train(data, factors, true, 1);
      const two = train(data, factors, true, 2);
      // Float32 arithmetic in another order: close to the float64 reference, but not equal to it.
      assert.ok(!identical(one.itemFactors, scalar.itemFactors), 'the SIMD path did not run');
      for (const model of [one, two]) {
        const losses = model.report!.losses;
        assert.equal(losses.length, 5);
        losses.forEach((loss, e) => {
          const reference = scalar.report!.losses[e]!;
          assert.ok(Math.abs(loss - reference) / reference < 1e-5, `epoch ${e}: loss ${loss} vs scalar ${reference}`);
        });
        assert.ok(relativeDifference(model.itemFactors, scalar.itemFactors) < 1e-3);
        assert.ok(relativeDifference(model.report!.userFactors, scalar.report!.userFactors) < 1e-3);
      }
      // Each row is updated by one thread from the same inputs, so the thread count changes nothing.
      assert.ok(identical(one.itemFactors, two.itemFactors));
      assert.ok(identical(one.report!.userFactors, two.report!.userFactors));
      const overlap = top20Overlap(data, one, scalar);
      assert.ok(overlap >= 0.97, `top-20 overlap ${overlap}`);
    });
  }
});

describe('partitionRows', () => {
  it('cuts rows into contiguous ranges of about equal work', () => {
    // 100 rows: the first 10 hold 1,000 entries each, the rest one each.
    const indptr = new Int32Array(101);
    for (let r = 0; r < 100; r++) indptr[r + 1] = indptr[r]! + (r < 10 ? 1000 : 1);
    const k = 8;
    for (const T of [1, 2, 3, 7]) {
      const bounds = partitionRows(indptr, k, T);
      assert.equal(bounds.length, T + 1);
      assert.equal(bounds[0], 0);
      assert.equal(bounds[T], 100);
      const work = (a: number, b: number) => (b - a) * k + 2 * (indptr[b]! - indptr[a]!);
      const total = work(0, 100);
      for (let w = 0; w < T; w++) {
        assert.ok(bounds[w]! <= bounds[w + 1]!);
        // No share is more than one heavy row (2,008) above an equal share.
        assert.ok(work(bounds[w]!, bounds[w + 1]!) <= total / T + 2 * 1000 + k, `T = ${T}, share ${w}`);
      }
    }
    assert.deepEqual(partitionRows(indptr, k, 2), [0, 5, 100]);
  });
});
