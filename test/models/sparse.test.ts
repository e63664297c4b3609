import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryWeight, entryWeights, meanScore, transposeCsr, userMeanScores } from '../../src/models/sparse.js';
import type { TrainingData } from '../../src/models/types.js';

// Three users × four titles: user 0 scored 8 and 4, user 1 listed title 1 unscored and scored 10,
// user 2 listed nothing.
const data: TrainingData = {
  nUsers: 3,
  nItems: 4,
  itemIds: Int32Array.from([10, 11, 12, 13]),
  indptr: Int32Array.from([0, 2, 4, 4]),
  indices: Int32Array.from([0, 2, 1, 2]),
  scores: Float32Array.from([8, 4, 0, 10]),
};

describe('shared sparse helpers', () => {
  it('weighs a listed title by its score relative to the user mean, never below a quarter', () => {
    assert.equal(entryWeight(8, 6, 'score'), 1.5);
    assert.equal(entryWeight(4, 6, 'score'), 0.5);
    assert.equal(entryWeight(1, 10, 'score'), 0.25, 'floored at 0.25');
    assert.equal(entryWeight(0, 6, 'score'), 1, 'listed without a score counts 1');
    assert.equal(entryWeight(2, 9, 'binary'), 1);
  });

  it('takes means over scored entries only', () => {
    assert.equal(meanScore(data.scores, 0, 2), 6);
    assert.equal(meanScore(data.scores, 2, 4), 10, 'the unscored entry is not a zero score');
    assert.deepEqual([...userMeanScores(data)], [6, 10, 0]);
  });

  it('weights every entry with its own user mean', () => {
    assert.deepEqual([...entryWeights(data, 'score')], [1.5, 0.5, 1, 1]);
    assert.deepEqual([...entryWeights(data, 'binary')], [1, 1, 1, 1]);
  });

  it('transposes to title → users, keeping each entry its value', () => {
    const t = transposeCsr(data, Float32Array.from([1, 2, 3, 4]));
    assert.deepEqual([...t.indptr], [0, 1, 2, 4, 4]);
    assert.deepEqual([...t.indices], [0, 1, 0, 1]);
    assert.deepEqual([...t.values], [1, 3, 2, 4]);
  });
});
