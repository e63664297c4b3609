import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meanNdcg, RankerModel, trainRanker, type RankingDataset } from '../../../src/models/ranker/index.js';
import { createRng } from '../../../src/models/random.js';

/**
 * Queries of 30 candidates whose relevance depends non-linearly on two features (an interaction
 * a linear model cannot express), plus a noise feature and missing values.
 */
function synthetic(nQueries: number, seed: number, noiseOnly = false): RankingDataset {
  const rng = createRng(seed);
  const perQuery = 30;
  const nFeatures = 3;
  const n = nQueries * perQuery;
  const features = new Float32Array(n * nFeatures);
  const labels = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const a = rng();
    const b = rng();
    features[r * 3] = a;
    features[r * 3 + 1] = rng() < 0.1 ? Number.NaN : b;
    features[r * 3 + 2] = rng();
    const signal = a > 0.5 !== b > 0.5 ? 2 : a > 0.8 ? 1 : 0;
    labels[r] = noiseOnly ? (rng() < 0.1 ? 1 : 0) : rng() < 0.9 ? signal : 0;
  }
  const groupOffsets = Int32Array.from({ length: nQueries + 1 }, (_, q) => q * perQuery);
  return { features, nFeatures, labels, groupOffsets, featureNames: ['a', 'b', 'noise'] };
}

describe('LambdaMART ranker', () => {
  const train = synthetic(300, 1);
  const valid = synthetic(100, 2);
  const test = synthetic(200, 3);

  it('learns a non-linear interaction and ranks held-out queries far better than any single feature', () => {
    const model = trainRanker(train, { rounds: 80, maxLeaves: 8, minDataInLeaf: 10 }, { validation: valid, seed: 7 });
    const predicted = model.predict(test.features, test.labels.length);
    const learned = meanNdcg(predicted, test.labels, test.groupOffsets, 10);
    const single = Math.max(
      ...[0, 1, 2].map((f) =>
        meanNdcg(
          Array.from({ length: test.labels.length }, (_, r) => test.features[r * 3 + f]! || 0),
          test.labels,
          test.groupOffsets,
          10,
        ),
      ),
    );
    assert.ok(learned > 0.85, `NDCG@10 ${learned.toFixed(3)}`);
    assert.ok(learned > single + 0.2, `learned ${learned.toFixed(3)} vs best single feature ${single.toFixed(3)}`);
    const importance = model.featureImportance();
    assert.equal(importance.at(-1)!.feature, 'noise');
  });

  it('stops early when validation stops improving and keeps only the best rounds', () => {
    const noisy = synthetic(100, 4, true);
    const model = trainRanker(noisy, { rounds: 200, earlyStoppingRounds: 10 }, { validation: synthetic(50, 5, true), seed: 1 });
    assert.ok(model.bestRound < 150, `bestRound ${model.bestRound}`);
    assert.equal(model.trees.length, model.bestRound);
  });

  it('round-trips through JSON with identical predictions, and rejects damaged files', () => {
    const model = trainRanker(train, { rounds: 20 }, { seed: 3 });
    const copy = RankerModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    assert.deepEqual(copy.predict(test.features, test.labels.length), model.predict(test.features, test.labels.length));
    const json = model.toJSON();
    json.trees[0]!.left[0] = 0;
    assert.throws(() => RankerModel.fromJSON(json), /tree 0 node 0 is malformed/);
    assert.throws(() => RankerModel.fromJSON({ format: 'xgboost' }), /not an anirec gradient-boosted ranker/);
  });

  it('trains the pointwise binary objective and bagged/feature-sampled variants deterministically', () => {
    const binary = trainRanker(train, { objective: 'binary', rounds: 40 }, { seed: 1 });
    assert.ok(meanNdcg(binary.predict(test.features, test.labels.length), test.labels, test.groupOffsets, 10) > 0.75);
    const a = trainRanker(train, { rounds: 15, baggingFraction: 0.5, featureFraction: 0.67 }, { seed: 9 });
    const b = trainRanker(train, { rounds: 15, baggingFraction: 0.5, featureFraction: 0.67 }, { seed: 9 });
    const first = test.features.subarray(0, 90);
    assert.deepEqual(a.predict(first, 30), b.predict(first, 30));
  });

  it('rejects inconsistent data and parameters with a message naming the problem', () => {
    assert.throws(() => trainRanker({ ...train, labels: train.labels.subarray(1) }), /feature values, expected/);
    assert.throws(() => trainRanker(train, { maxBins: 300 }), /maxBins must be an integer in \[2, 255\]/);
    assert.throws(() => trainRanker(train, { learningRate: 0 }), /learningRate/);
  });
});
