import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coverageOf } from '../../src/models/bundle.js';
import { DEFAULT_MODEL_PARAMS, trainBundle } from '../../src/models/train-model.js';
import type { Recommender } from '../../src/models/types.js';
import { COLD, plantedBlocks } from './model-test-data.js';

describe('bundle coverage', () => {
  it('records how many titles the model scores: EASE leaves out what its cap and minCount leave out', async () => {
    const data = plantedBlocks();
    const capped = await trainBundle('ease', data, new Map(), { ...DEFAULT_MODEL_PARAMS, ease: { maxItems: 12 } });
    assert.deepEqual(capped.manifest.coverage, { ease: 12 });
    const all = await trainBundle('ease', data, new Map());
    const ease = all.manifest.coverage?.ease ?? 0;
    assert.ok(ease > 12 && ease < data.nItems, `EASE scores ${ease} of ${data.nItems} (the unlisted title ${COLD} not among them)`);
    const popularity = await trainBundle('popularity', data, new Map());
    assert.equal(Object.keys(popularity.manifest.coverage ?? {}).join(), 'popularity');
  });

  it('counts each component of a model built from others, by name', () => {
    const part = (kind: string, scorable: number): Recommender => ({
      kind,
      nItems: 10,
      scoreFoldIn: (_history, out) => {
        for (let i = 0; i < scorable; i++) out[i] = i;
      },
      save: async () => {},
    });
    const whole: Recommender = {
      ...part('whole', 0),
      components: () =>
        new Map([
          ['a', part('a', 3)],
          ['b', part('b', 10)],
        ]),
    };
    assert.deepEqual(coverageOf(whole, plantedBlocks()), { a: 3, b: 10 });
  });
});
