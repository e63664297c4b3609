import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitUsers } from '../../src/eval/split.js';
import { trainItemKnn } from '../../src/models/itemknn/train.js';
import { trainScorePredictor } from '../../src/models/score-predictor.js';
import { buildTrainingData } from '../../src/models/training-data.js';
import { loadBundled } from './model-test-data.js';

describe('ScorePredictor', () => {
  it('predicts held-out scores better than the global mean, and the neighbour correction helps further', () => {
    const data = loadBundled();
    const split = splitUsers(data, { seed: 3, validationUsers: 0, testUsers: 400 });
    const baseline = trainScorePredictor(split.trainData);
    const withNeighbours = trainScorePredictor(split.trainData, {}, trainItemKnn(split.trainData, { neighbours: 200 }));
    const mae = { mean: 0, baseline: 0, neighbours: 0, n: 0 };
    for (const user of split.test) {
      const scored = Array.from(user.targets.keys()).filter((t) => user.targetScores[t]! > 0);
      if (scored.length === 0) continue;
      const items = Int32Array.from(scored, (t) => user.targets[t]!);
      const actual = scored.map((t) => user.targetScores[t]!);
      const b = baseline.predict(user.history, items);
      const k = withNeighbours.predict(user.history, items);
      actual.forEach((score, j) => {
        mae.mean += Math.abs(score - baseline.globalMean);
        mae.baseline += Math.abs(score - b[j]!);
        mae.neighbours += Math.abs(score - k[j]!);
        mae.n++;
        assert.ok(k[j]! >= 1 && k[j]! <= 10);
      });
    }
    const [mean, base, knn] = [mae.mean / mae.n, mae.baseline / mae.n, mae.neighbours / mae.n];
    assert.ok(base < mean - 0.15, `baseline MAE ${base.toFixed(3)} vs global mean ${mean.toFixed(3)}`);
    assert.ok(knn < base, `neighbour MAE ${knn.toFixed(3)} vs baseline ${base.toFixed(3)}`);
  });

  it('falls back to the item baseline for a user with no scores', () => {
    const data = buildTrainingData(Int32Array.from([1, 1, 2, 2]), Int32Array.from([10, 20, 10, 20]), Float32Array.from([9, 3, 9, 5])).data;
    const predictor = trainScorePredictor(data, { itemShrinkage: 0 });
    const [good, bad] = predictor.predict({ items: new Int32Array([0]), scores: new Float32Array([0]) }, Int32Array.from([0, 1]));
    assert.ok(good! > bad!);
    assert.equal(good, 9);
  });
});
