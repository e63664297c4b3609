import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridPoints, randomPoints, searchHyperparams } from '../../src/eval/hyperparams.js';
import { splitUsers } from '../../src/eval/split.js';
import type { History, TrainingData } from '../../src/models/types.js';
import { FixedScoreRecommender, syntheticData } from './helpers.js';

// Skewed so popularity is a real signal: low item indices are listed far more often.
const data = syntheticData(400, 50, 20, 21, true);
const split = splitUsers(data, { seed: 9, validationUsers: 60, testUsers: 60 });

type P = { direction: string; smoothing: number };
/** Popularity (direction 'up') or its reverse, with additive smoothing that does not change the order. */
function trainPopularity(params: P, trainData: TrainingData): FixedScoreRecommender {
  const counts = new Float32Array(trainData.nItems);
  for (let p = 0; p < trainData.indices.length; p++) counts[trainData.indices[p]!]! += 1;
  return new FixedScoreRecommender(counts.map((c) => (params.direction === 'up' ? 1 : -1) * (c + params.smoothing)));
}

describe('gridPoints / randomPoints', () => {
  it('enumerates the grid with the first key slowest', () => {
    assert.deepEqual(gridPoints({ a: [1, 2], b: ['x', 'y'] }), [
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
    assert.throws(() => gridPoints({ a: { min: 0, max: 1 } }), /range/);
  });

  it('samples ranges within bounds, reproducibly', () => {
    const space = { lr: { min: 1e-4, max: 1e-1, log: true }, factors: { min: 8, max: 64, integer: true }, loss: ['bpr', 'warp'] };
    const points = randomPoints(space, 50, 3);
    assert.deepEqual(randomPoints(space, 50, 3), points);
    assert.notDeepEqual(randomPoints(space, 50, 4), points);
    for (const p of points) {
      assert.ok((p.lr as number) >= 1e-4 && (p.lr as number) <= 1e-1);
      assert.ok(Number.isInteger(p.factors) && (p.factors as number) >= 8 && (p.factors as number) <= 64);
      assert.ok(p.loss === 'bpr' || p.loss === 'warp');
    }
    // Log-uniform: about a third of draws below 1e-3 (one of three decades).
    const low = points.filter((p) => (p.lr as number) < 1e-3).length;
    assert.ok(low > 5 && low < 30, `${low} of 50 below 1e-3`);
  });
});

describe('searchHyperparams', () => {
  it('trains on the train split, scores validation users only, and picks the best', async () => {
    const scored: History[] = [];
    const result = await searchHyperparams<P>(split, {
      space: { direction: ['down', 'up'], smoothing: [0, 1] },
      strategy: 'grid',
      seed: 1,
      metric: 'ndcg@20',
      relevance: 'listed',
      train: (params, trainData) => {
        assert.equal(trainData, split.trainData);
        const model = trainPopularity(params, trainData);
        // Record what the model is asked to score.
        const inner = model.scoreFoldIn.bind(model);
        model.scoreFoldIn = (h, out) => {
          scored.push(h);
          inner(h, out);
        };
        return model;
      },
    });
    assert.equal(result.trials.length, 4);
    assert.equal(result.best.params.direction, 'up');
    // Smoothing does not change the ranking, so the tie keeps the earlier trial.
    assert.equal(result.best.params.smoothing, 0);
    assert.equal(result.trials[2]!.value, result.trials[3]!.value);
    assert.ok(result.best.value > result.trials[0]!.value);
    assert.equal(result.best.metrics['ndcg@20'], result.best.value);
    const validationHistories = new Set(split.validation.map((u) => u.history));
    assert.equal(scored.length, 4 * split.validation.length);
    for (const h of scored) assert.ok(validationHistories.has(h), 'a non-validation user was scored');
  });

  it('random search runs the requested trials reproducibly', async () => {
    const options = {
      space: { direction: ['down', 'up'], smoothing: { min: 0, max: 5 } },
      strategy: 'random' as const,
      trials: 5,
      seed: 12,
      train: (params: P, trainData: TrainingData) => trainPopularity(params, trainData),
    };
    const a = await searchHyperparams<P>(split, options);
    const b = await searchHyperparams<P>(split, options);
    assert.equal(a.trials.length, 5);
    assert.deepEqual(
      a.trials.map((t) => t.params),
      b.trials.map((t) => t.params),
    );
    assert.deepEqual(a.best.params, b.best.params);
    await assert.rejects(searchHyperparams<P>(split, { ...options, metric: 'ndcg@50' }), /not computed/);
    await assert.rejects(searchHyperparams<P>(split, { ...options, strategy: 'grid' }), /range/);
  });
});
