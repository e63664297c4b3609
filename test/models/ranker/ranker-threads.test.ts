import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binFeatures, boundarySampleRows } from '../../../src/models/ranker/binning.js';
import { trainRanker, type RankingDataset } from '../../../src/models/ranker/index.js';
import { LambdaRankObjective } from '../../../src/models/ranker/lambdarank.js';
import { RankerThreads } from '../../../src/models/ranker/threads.js';
import { createRng } from '../../../src/models/random.js';

/** Queries of 40 candidates, 8 features (two carry the signal, one is often missing), graded labels. */
function synthetic(nQueries: number, seed: number): RankingDataset {
  const rng = createRng(seed);
  const perQuery = 40;
  const nFeatures = 8;
  const n = nQueries * perQuery;
  const features = new Float32Array(n * nFeatures);
  const labels = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < nFeatures; f++) features[r * nFeatures + f] = rng();
    if (rng() < 0.15) features[r * nFeatures + 2] = Number.NaN;
    const a = features[r * nFeatures]!;
    const b = features[r * nFeatures + 1]!;
    labels[r] = rng() < 0.85 ? (a > 0.5 !== b > 0.5 ? 2 : a > 0.8 ? 1 : 0) : 0;
  }
  const groupOffsets = Int32Array.from({ length: nQueries + 1 }, (_, q) => q * perQuery);
  return { features, nFeatures, labels, groupOffsets };
}

describe('LambdaMART on worker threads', () => {
  // More rows than the threads' thresholds for sharing out a root's histogram and partition.
  const train = synthetic(450, 11);
  const valid = synthetic(100, 12);
  const test = synthetic(100, 13);

  it('grows the same trees, leaf values and predictions on 1 and 2 threads', () => {
    // Early stopping on the first; the others keep every round, bagged and feature-sampled, and pointwise.
    for (const [params, validation] of [
      [{ rounds: 25, maxLeaves: 15, minDataInLeaf: 10 }, valid],
      [{ rounds: 15, featureFraction: 0.6, baggingFraction: 0.7 }, undefined],
      [{ objective: 'binary' as const, rounds: 15 }, undefined],
    ] as const) {
      const one = trainRanker(train, params, { validation, seed: 5, threads: 1 });
      const two = trainRanker(train, params, { validation, seed: 5, threads: 2 });
      assert.ok(one.trees.length > 1, 'the booster grew trees');
      assert.ok(
        one.trees.some((t) => t.feature.length >= 7),
        'trees have several splits',
      );
      assert.deepEqual(two.toJSON(), one.toJSON());
      assert.deepEqual(two.predict(test.features, test.labels.length), one.predict(test.features, test.labels.length));
    }
  });

  it('bins, builds histograms and computes gradients on two threads bit for bit as on one', () => {
    const nRows = train.labels.length;
    const { nFeatures } = train;
    // A sample smaller than the set, so the boundaries come from the sampled rows only.
    const single = binFeatures(train.features, nRows, nFeatures, { maxBins: 32, sampleRows: 5000, seed: 8 });
    const rng = createRng(3);
    const scores = Float64Array.from({ length: nRows }, () => rng() * 4 - 2);
    const results = [1, 2].map((T) => {
      const objective = new LambdaRankObjective(train.labels, train.groupOffsets, 10);
      const threads = new RankerThreads({ nRows, nFeatures, maxBins: 32, maxHistograms: 4, lambda: objective.tables }, T);
      try {
        const binned = threads.binFeatures(train.features, boundarySampleRows(nRows, 5000, 8));
        threads.scores.set(scores);
        const nQueries = train.groupOffsets.length - 1;
        for (let q = 0; q < nQueries; q++) threads.queries[q] = q;
        threads.gradients(nQueries);
        for (let i = 0; i < nRows; i++) threads.rows[i] = i;
        threads.setActive(Int32Array.of(0, 1, 2, 4, 5, 7));
        threads.buildHistogram(0, 0, nRows);
        threads.buildHistogram(1, 0, Math.floor(nRows / 3), 0);
        const middle = threads.partition(0, nRows, 2, 12, true);
        const inner = threads.partition(0, middle, 0, 20, false);
        return {
          binned: { ...binned, bins: binned.bins.slice() },
          grad: threads.grad.slice(),
          hess: threads.hess.slice(),
          parent: threads.histogram(0).slice(),
          child: threads.histogram(1).slice(),
          split: { middle, inner, rows: threads.rows.slice() },
        };
      } finally {
        threads.close();
      }
    });
    const [one, two] = results as [(typeof results)[0], (typeof results)[0]];
    for (const { binned } of results) {
      assert.deepEqual(binned.bins, single.bins);
      assert.deepEqual(binned.upperBounds, single.upperBounds);
      assert.equal(binned.binStride, single.binStride);
    }
    assert.ok(single.binStride > 20, 'features were binned into many bins');
    assert.ok(one.grad.some((g) => g !== 0) && one.hess.some((h) => h > 0), 'gradients were computed');
    assert.ok(
      one.child.some((v) => v !== 0),
      'the child histogram was built',
    );
    assert.deepEqual(two.grad, one.grad);
    assert.deepEqual(two.hess, one.hess);
    assert.deepEqual(two.child, one.child);
    assert.deepEqual(two.parent, one.parent);
    // The partitions keep each side in row order, on any thread count.
    const { middle, inner, rows } = one.split;
    assert.ok(middle > 0 && middle < nRows && inner > 0 && inner < middle, `split at ${inner} and ${middle}`);
    for (const [from, to] of [
      [0, inner],
      [inner, middle],
      [middle, nRows],
    ] as const) {
      for (let i = from + 1; i < to; i++) assert.ok(rows[i]! > rows[i - 1]!, `rows ${from}..${to} in order`);
    }
    const binOfRow = (row: number, f: number): number => single.bins[row * nFeatures + f]!;
    assert.ok(rows.subarray(0, middle).every((r) => (binOfRow(r, 2) === 0 ? true : binOfRow(r, 2) <= 12)));
    assert.ok(rows.subarray(middle).every((r) => binOfRow(r, 2) !== 0 && binOfRow(r, 2) > 12));
    assert.deepEqual(two.split, one.split);
  });
});
