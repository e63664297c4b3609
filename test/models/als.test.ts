import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alsEpochFlops, choleskySolveInPlace } from '../../src/models/als/kernels.js';
import { AlsRecommender } from '../../src/models/als/model.js';
import { trainAls } from '../../src/models/als/train.js';
import { loadRecommender } from '../../src/models/artifacts.js';
import { trainPopularity } from '../../src/models/popularity/train.js';
import { BLOCK_A, BLOCK_B, COLD, historyOf, holdOutSplit, loadBundled, plantedBlocks } from './model-test-data.js';

/** Two user groups, each listing ~60% of its own 20-item block; MAL id 1000 is a cold catalogue title. */

const SMALL = { factors: 4, iterations: 30, regularization: 0.05, unobservedWeight: 0.3 };

test('Cholesky solve matches a known system', () => {
  const A = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
  const x = [1, -2, 3];
  const b = Float64Array.from([4 * 1 + 2 * -2, 2 * 1 + 5 * -2 + 3, -2 + 9]);
  choleskySolveInPlace(A, b, 3);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(b[i]! - x[i]!) < 1e-12);
});

/** The textbook one-row-at-a-time Cholesky solve the blocked kernel must reproduce exactly. */
function referenceCholeskySolve(A: Float64Array, b: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    let d = A[j * k + j]!;
    for (let m = 0; m < j; m++) d -= A[j * k + m]! * A[j * k + m]!;
    const l = Math.sqrt(d > 0 ? d : 1e-12);
    A[j * k + j] = l;
    for (let i = j + 1; i < k; i++) {
      let s = A[i * k + j]!;
      for (let m = 0; m < j; m++) s -= A[i * k + m]! * A[j * k + m]!;
      A[i * k + j] = s / l;
    }
  }
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let m = 0; m < i; m++) s -= A[i * k + m]! * b[m]!;
    b[i] = s / A[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let m = i + 1; m < k; m++) s -= A[m * k + i]! * b[m]!;
    b[i] = s / A[i * k + i]!;
  }
}

test('blocked Cholesky solve is bit-for-bit the one-row-at-a-time solve, and solves the system', () => {
  let seed = 11;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  for (const k of [1, 2, 4, 5, 7, 8, 13, 33, 64]) {
    // A = MᵀM + I is symmetric positive definite.
    const M = Float64Array.from({ length: k * k }, random);
    const A = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = i === j ? 1 : 0;
        for (let m = 0; m < k; m++) s += M[m * k + i]! * M[m * k + j]!;
        A[i * k + j] = s;
      }
    }
    const b = Float64Array.from({ length: k }, random);
    const [A1, b1, A2, b2] = [A.slice(), b.slice(), A.slice(), b.slice()];
    choleskySolveInPlace(A1, b1, k);
    referenceCholeskySolve(A2, b2, k);
    assert.deepEqual([...b1], [...b2], `k = ${k}`);
    for (let i = 0; i < k; i++) {
      let ax = 0;
      for (let j = 0; j < k; j++) ax += A[i * k + j]! * b1[j]!;
      assert.ok(Math.abs(ax - b[i]!) < 1e-9, `k = ${k}, row ${i}`);
    }
  }
});

test('ALS fold-in scores are bit-for-bit the plain dot products with the folded-in factor', () => {
  const data = plantedBlocks();
  const model = trainAls(data, SMALL);
  const history = historyOf([20, 21, 22, 23, 24]);
  const out = new Float32Array(data.nItems);
  model.scoreFoldIn(history, out);
  const x = model.foldIn(history);
  let scored = 0;
  for (let i = 0; i < data.nItems; i++) {
    if (model.known[i] !== 1) {
      assert.equal(out[i], -Infinity);
      continue;
    }
    let s = 0;
    for (let j = 0; j < model.factors; j++) s += model.itemFactors[i * model.factors + j]! * x[j]!;
    assert.equal(out[i], Math.fround(s), `item ${i}`);
    scored++;
  }
  assert.ok(scored > 16, 'enough items to cover the eight-item blocks and the remainder');
});

test('ALS loss never increases over epochs and drops substantially', () => {
  const messages: string[] = [];
  const model = trainAls(plantedBlocks(), { ...SMALL, cgSteps: 2 }, { onProgress: (_f, m) => messages.push(m) });
  const losses = model.report!.losses;
  assert.equal(losses.length, SMALL.iterations);
  assert.equal(messages.length, SMALL.iterations);
  assert.match(messages[0]!, /loss/);
  for (let e = 1; e < losses.length; e++)
    assert.ok(losses[e]! <= losses[e - 1]! * (1 + 1e-6), `epoch ${e}: ${losses[e]} > ${losses[e - 1]}`);
  assert.ok(losses.at(-1)! < 0.8 * losses[0]!, `${losses.at(-1)} vs ${losses[0]}`);
});

test('ALS fold-in ranks unseen items of the history block above the other block', () => {
  for (const weighting of ['binary', 'score'] as const) {
    const data = plantedBlocks();
    const model = trainAls(data, { ...SMALL, weighting });
    const out = new Float32Array(data.nItems);
    model.scoreFoldIn(historyOf([20, 21, 22, 23, 24]), out);
    const worstB = Math.min(...BLOCK_B.slice(5).map((i) => out[i]!));
    const bestA = Math.max(...BLOCK_A.map((i) => out[i]!));
    assert.ok(worstB > bestA, `${weighting}: worst unseen B ${worstB} should beat best A ${bestA}`);
    assert.equal(out[COLD], -Infinity);
  }
});

test('the exact fold-in solve reproduces a converged training user factor', () => {
  const data = plantedBlocks();
  const model = trainAls(data, { ...SMALL, iterations: 60, cgSteps: 8 });
  const k = model.factors;
  for (const u of [0, 17, 55]) {
    const start = data.indptr[u]!;
    const end = data.indptr[u + 1]!;
    const x = model.foldIn({ items: data.indices.slice(start, end), scores: data.scores.slice(start, end) });
    const trained = model.report!.userFactors.subarray(u * k, (u + 1) * k);
    let diff = 0;
    let norm = 0;
    for (let j = 0; j < k; j++) {
      diff += (x[j]! - trained[j]!) ** 2;
      norm += trained[j]! ** 2;
    }
    assert.ok(norm > 1e-6, 'user factor is not degenerate');
    assert.ok(Math.sqrt(diff / norm) < 0.02, `user ${u}: relative error ${Math.sqrt(diff / norm)}`);
  }
});

test('ALS similarItems stays in-block and excludes the item; save/load round-trips scores', async () => {
  const data = plantedBlocks();
  const model = trainAls(data, SMALL, { seed: 3 });
  const similar = model.similarItems(3, 5);
  assert.equal(similar.items.length, 5);
  assert.ok(!Array.from(similar.items).includes(3));
  assert.ok(
    Array.from(similar.items).every((i) => i < 20),
    `${Array.from(similar.items)}`,
  );
  assert.ok(similar.scores[0]! >= similar.scores[4]!);
  assert.equal(model.similarItems(COLD, 5).items.length, 0);

  const history = { items: Int32Array.from([1, 2, 30]), scores: Float32Array.from([9, 0, 3]) };
  const before = new Float32Array(data.nItems);
  model.scoreFoldIn(history, before);
  const dir = mkdtempSync(join(tmpdir(), 'als-'));
  try {
    await model.save(dir);
    const loaded = await loadRecommender(dir);
    assert.ok(loaded instanceof AlsRecommender);
    assert.equal(loaded.kind, 'als');
    const after = new Float32Array(data.nItems);
    loaded.scoreFoldIn(history, after);
    assert.deepEqual(after, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('training is deterministic for a seed', () => {
  const data = plantedBlocks();
  const a = trainAls(data, { ...SMALL, iterations: 3 }, { seed: 5 });
  const b = trainAls(data, { ...SMALL, iterations: 3 }, { seed: 5 });
  assert.deepEqual(a.itemFactors, b.itemFactors);
});

test('alsEpochFlops grows with interactions, rows, factors and CG steps', () => {
  const base = alsEpochFlops(520_000, 5_000, 7_000, 64, 3);
  assert.ok(base > 1e9 && base < 3e9, `${base}`);
  assert.ok(alsEpochFlops(1_040_000, 5_000, 7_000, 64, 3) > base);
  assert.ok(alsEpochFlops(520_000, 10_000, 7_000, 64, 3) > base);
  assert.ok(alsEpochFlops(520_000, 5_000, 7_000, 128, 3) > 1.9 * base);
  assert.ok(alsEpochFlops(520_000, 5_000, 7_000, 64, 4) > base);
});

test('ALS beats popularity on recall@20 for held-out users of the bundled data', () => {
  const data = loadBundled();
  const { train, recallAt20 } = holdOutSplit(data);
  const started = performance.now();
  const model = trainAls(train, { factors: 32, iterations: 8 });
  const seconds = (performance.now() - started) / 1000;
  const als = recallAt20(model);
  const pop = recallAt20(trainPopularity(train));
  const perEpoch = model.report!.secondsPerEpoch.reduce((a, b) => a + b, 0) / model.report!.secondsPerEpoch.length;
  console.log(
    `ALS: trained in ${seconds.toFixed(2)} s (${perEpoch.toFixed(2)} s/epoch, ${(model.report!.flopsPerEpoch / 1e9).toFixed(2)} GFLOP/epoch), ` +
      `recall@20 ${als.toFixed(4)} vs popularity ${pop.toFixed(4)}`,
  );
  assert.ok(als > pop * 1.3, `ALS ${als} should beat popularity ${pop}`);
});
