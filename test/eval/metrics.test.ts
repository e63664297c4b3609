import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  averagePrecisionAtK,
  catalogueCoverageAtK,
  hitRateAtK,
  meanAbsoluteError,
  ndcgAtK,
  noveltyAtK,
  precisionAtK,
  recallAtK,
  relevanceAtRanks,
  rootMeanSquaredError,
  selfInformation,
} from '../../src/eval/metrics.js';
import { createRng } from '../../src/models/random.js';
import { topKIndices } from '../../src/models/top-k.js';
import { csrFromTriples } from './helpers.js';

const close = (actual: number, expected: number, eps = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) < eps, `expected ${expected}, got ${actual}`);

const i32 = (...v: number[]): Int32Array => Int32Array.from(v);
const L2 = 1 / Math.log2(3); // discount at rank 2
const L4 = 1 / Math.log2(5); // discount at rank 4

describe('ranking metrics (hand-computed)', () => {
  // Ranked [3, 1, 4, 5, 9], relevant {1, 5, 7}: hits at ranks 2 and 4.
  const hits = relevanceAtRanks(i32(3, 1, 4, 5, 9), i32(1, 5, 7));

  it('marks hits by rank', () => {
    assert.deepEqual(Array.from(hits), [0, 1, 0, 1, 0]);
  });

  it('NDCG@5 and NDCG@2 use an ideal DCG over min(k, |relevant|)', () => {
    close(ndcgAtK(hits, 3, 5), (L2 + L4) / (1 + L2 + 0.5));
    close(ndcgAtK(hits, 3, 2), L2 / (1 + L2));
  });

  it('Recall@k divides by min(k, |relevant|)', () => {
    close(recallAtK(hits, 3, 5), 2 / 3);
    close(recallAtK(hits, 3, 2), 1 / 2);
    // A perfect top-2 with 3 relevant items is recall 1, not 2/3.
    close(recallAtK(Uint8Array.of(1, 1), 3, 2), 1);
  });

  it('Precision@k, AP@k and hit rate', () => {
    close(precisionAtK(hits, 5), 2 / 5);
    close(precisionAtK(hits, 2), 1 / 2);
    close(averagePrecisionAtK(hits, 3, 5), (1 / 2 + 2 / 4) / 3);
    close(averagePrecisionAtK(hits, 3, 2), 1 / 2 / 2);
    assert.equal(hitRateAtK(hits, 5), 1);
    assert.equal(hitRateAtK(hits, 1), 0);
  });

  it('fewer relevant items than k', () => {
    const first = relevanceAtRanks(i32(3, 1, 4, 5, 9), i32(3));
    close(ndcgAtK(first, 1, 5), 1);
    close(recallAtK(first, 1, 5), 1);
    close(precisionAtK(first, 5), 1 / 5);
    close(averagePrecisionAtK(first, 1, 5), 1);
    const third = relevanceAtRanks(i32(3, 1, 4, 5, 9), i32(4));
    close(ndcgAtK(third, 1, 5), 0.5);
    close(averagePrecisionAtK(third, 1, 5), 1 / 3);
  });

  it('no relevant items: normalised metrics are undefined, counts are zero', () => {
    const none = relevanceAtRanks(i32(3, 1, 4), i32());
    assert.ok(Number.isNaN(ndcgAtK(none, 0, 3)));
    assert.ok(Number.isNaN(recallAtK(none, 0, 3)));
    assert.ok(Number.isNaN(averagePrecisionAtK(none, 0, 3)));
    assert.equal(precisionAtK(none, 3), 0);
    assert.equal(hitRateAtK(none, 3), 0);
  });

  it('a list shorter than k (catalogue exhausted) still divides precision by k', () => {
    const short = relevanceAtRanks(i32(2, 8), i32(2, 8));
    close(precisionAtK(short, 5), 2 / 5);
    close(ndcgAtK(short, 2, 5), 1);
    close(recallAtK(short, 2, 5), 1);
  });
});

describe('topKIndices', () => {
  it('breaks ties toward the lower index and skips -Infinity / NaN', () => {
    const scores = Float32Array.of(0.5, 0.9, 0.5, 0.9, -Infinity, NaN, 0.1);
    assert.deepEqual(Array.from(topKIndices(scores, 3)), [1, 3, 0]);
    assert.deepEqual(Array.from(topKIndices(scores, 10)), [1, 3, 0, 2, 6]);
    assert.equal(topKIndices(scores, 0).length, 0);
    // With ties the ranking decides the metric: item 2 ties item 0 but loses the tie.
    const hits = relevanceAtRanks(topKIndices(scores, 3), i32(2));
    assert.equal(ndcgAtK(hits, 1, 3), 0);
  });

  it('matches a full sort on random inputs with many ties', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng() * 60);
      const scores = Float32Array.from({ length: n }, () => (rng() < 0.1 ? -Infinity : Math.floor(rng() * 6)));
      const k = Math.floor(rng() * 12);
      const expected = Array.from({ length: n }, (_, i) => i)
        .filter((i) => scores[i] !== -Infinity)
        .sort((a, b) => scores[b]! - scores[a]! || a - b)
        .slice(0, k);
      assert.deepEqual(Array.from(topKIndices(scores, k, new Int32Array(k))), expected);
    }
  });
});

describe('beyond-accuracy metrics', () => {
  it('catalogue coverage@k counts distinct items in the top k', () => {
    const lists = [i32(0, 1, 5), i32(1, 2, 6)];
    close(catalogueCoverageAtK(lists, 10, 2), 3 / 10);
    close(catalogueCoverageAtK(lists, 10, 1), 2 / 10);
    close(catalogueCoverageAtK(lists, 10, 3), 5 / 10);
  });

  it('novelty is the mean self-information, cold items counted as listed once', () => {
    // 4 training users: item 0 listed by all, item 1 by one, item 2 by nobody.
    const train = csrFromTriples(4, 3, [
      [0, 0, 8],
      [1, 0, 0],
      [2, 0, 7],
      [3, 0, 9],
      [3, 1, 5],
    ]);
    const info = selfInformation(train);
    assert.deepEqual(Array.from(info), [0, 2, 2]);
    close(noveltyAtK(i32(0, 1, 2), info, 2), 1);
    close(noveltyAtK(i32(0, 1, 2), info, 3), 4 / 3);
    assert.ok(Number.isNaN(noveltyAtK(i32(), info, 3)));
  });

  it('MAE and RMSE', () => {
    const predicted = Float32Array.of(3, 5, 8);
    const actual = Float32Array.of(4, 5, 6);
    close(meanAbsoluteError(predicted, actual), 1);
    close(rootMeanSquaredError(predicted, actual), Math.sqrt(5 / 3));
    assert.ok(Number.isNaN(meanAbsoluteError(new Float32Array(0), new Float32Array(0))));
    assert.throws(() => rootMeanSquaredError(predicted, Float32Array.of(1)));
  });
});
