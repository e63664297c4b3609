/**
 * The hybrid's candidate generator: filtered requests pick candidates among eligible titles, and
 * a component can reserve a share of its candidates for titles nobody rated (issue 12).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CandidateGenerator, unratedItems } from '../../src/models/hybrid/candidates.js';
import type { History, Recommender } from '../../src/models/types.js';

/** A component whose score of item i is `scores[i]`, whatever the history. */
function fixed(scores: number[]): Recommender {
  return {
    kind: 'fixed',
    nItems: scores.length,
    scoreFoldIn(_history: History, out: Float32Array): void {
      out.set(scores);
    },
    async save(): Promise<void> {},
  };
}

// Items 0-5 are rated and score high; 6-9 are unrated and score lower (as a two-tower model's ID
// embeddings lift rated titles); item 0 is on the user's list.
const SCORES = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
const HISTORY: History = { items: Int32Array.of(0), scores: Float32Array.of(9) };
const UNRATED = Uint8Array.of(0, 0, 0, 0, 0, 0, 1, 1, 1, 1);

describe('CandidateGenerator', () => {
  test('without a share for unrated titles, a component proposes only its top list', () => {
    const generator = new CandidateGenerator([{ name: 'tt', model: fixed(SCORES), candidates: 3, unratedCandidates: 2 }]);
    assert.deepEqual([...generator.generate(HISTORY).candidates], [1, 2, 3]);
  });

  test('with the unrated mask, it adds its best unrated titles; the rank features still read its plain top list', () => {
    const generator = new CandidateGenerator([{ name: 'tt', model: fixed(SCORES), candidates: 3, unratedCandidates: 2 }], UNRATED);
    const { candidates, views } = generator.generate(HISTORY);
    assert.deepEqual([...candidates], [1, 2, 3, 6, 7]);
    assert.deepEqual([...views[0]!.top], [1, 2, 3]);
    const other = new CandidateGenerator([{ name: 'ease', model: fixed(SCORES), candidates: 3 }], UNRATED);
    assert.deepEqual([...other.generate(HISTORY).candidates], [1, 2, 3], 'a component without a share proposes no extra titles');
  });

  test('a filtered request takes both shares among eligible titles only', () => {
    const generator = new CandidateGenerator([{ name: 'tt', model: fixed(SCORES), candidates: 2, unratedCandidates: 1 }], UNRATED);
    const eligible = Uint8Array.of(1, 0, 1, 0, 1, 1, 0, 1, 1, 0);
    const { candidates, views } = generator.generateReusing(HISTORY, eligible);
    assert.deepEqual([...candidates], [2, 4, 7]);
    assert.deepEqual([...views[0]!.top], [1, 2], 'the rank features do not depend on the filter');
  });

  test('unratedItems marks the titles with no training interactions', () => {
    assert.deepEqual([...unratedItems(Float32Array.of(0, Math.log1p(3), 0, Math.log1p(1)))], [1, 0, 1, 0]);
  });
});
