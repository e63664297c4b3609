import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridPoints, randomPoints } from '../../src/eval/hyperparams.js';
import { modelParamsFor, SEARCH_SPACES } from '../../src/eval/search-spaces.js';
import { DEFAULT_ANIREC_PARAMS } from '../../src/models/hybrid/params.js';
import { DEFAULT_MODEL_PARAMS } from '../../src/models/train-model.js';
import { resolveRankerParams } from '../../src/models/ranker/index.js';

describe('search spaces', () => {
  it("puts a base model's point into that model's parameters only", () => {
    const params = modelParamsFor('ease', { lambda: 200, weighting: 'binary' });
    assert.deepEqual(params.ease, { lambda: 200, weighting: 'binary' });
    assert.deepEqual(params.candidates, DEFAULT_MODEL_PARAMS.candidates);
  });

  it("routes the hybrid's candidates.* and ranker.* keys to the candidate counts and the ranker", () => {
    const params = modelParamsFor('anirec', {
      'candidates.ease': 75,
      'candidates.als': 25,
      'ranker.learningRate': 0.1,
      'ranker.maxLeaves': 15,
    });
    assert.deepEqual(params.candidates, { ...DEFAULT_MODEL_PARAMS.candidates, ease: 75, als: 25 });
    // Ranker settings the point does not name keep the hybrid's defaults.
    assert.deepEqual(params.anirec.ranker, { ...DEFAULT_ANIREC_PARAMS.ranker, learningRate: 0.1, maxLeaves: 15 });
    assert.deepEqual(params.ease, DEFAULT_MODEL_PARAMS.ease);
    assert.throws(() => modelParamsFor('anirec', { 'candidates.bogus': 3 }), /neither candidates/);
    assert.throws(() => modelParamsFor('anirec', { lambda: 3 }), /neither candidates/);
  });

  it("every point of the hybrid's space is a valid configuration", () => {
    for (const point of randomPoints(SEARCH_SPACES.anirec!, 50, 7)) {
      const params = modelParamsFor('anirec', point);
      for (const count of Object.values(params.candidates)) assert.ok(Number.isInteger(count) && count > 0);
      assert.doesNotThrow(() => resolveRankerParams(params.anirec.ranker));
    }
    // Spaces made only of lists can also be searched as a grid.
    for (const [name, space] of Object.entries(SEARCH_SPACES)) {
      if (Object.values(space).every(Array.isArray)) assert.ok(gridPoints(space).length > 0, name);
    }
  });
});
