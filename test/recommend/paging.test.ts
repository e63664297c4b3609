import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { topKIndices } from '../../src/models/top-k.js';
import type { ModelContext } from '../../src/recommend/model-context.js';
import { selectPage, selectPageFromRanking } from '../../src/recommend/paging.js';

/** Only MMR reads the context, for tag similarity: any deterministic similarity will do here. */
const ctx = { tagSimilarity: { pair: (a: number, b: number) => ((a * 7 + b * 13) % 10) / 10 } } as unknown as ModelContext;

describe('pages cut from a cached ranking', () => {
  it('are exactly the pages a scan of the catalogue gives, or null when the ranking is too short', () => {
    const n = 300;
    fc.assert(
      fc.property(
        // Few distinct values, so ties (ordered by index) are common; some items cannot be recommended.
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 20 }).map((v) => v / 4),
            fc.constant(-Infinity),
          ),
          { minLength: n, maxLength: n },
        ),
        fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        fc.integer({ min: 1, max: 200 }),
        fc.record({
          k: fc.integer({ min: 1, max: 30 }),
          offset: fc.integer({ min: 0, max: 60 }),
          diversity: fc.constantFrom(0, 0, 0.3, 1),
        }),
        (values, allowedFlags, excludedFlags, rankingLength, page) => {
          const scores = Float32Array.from(values);
          const allowed = Uint8Array.from(allowedFlags, (b) => (b ? 1 : 0));
          const exclude = Uint8Array.from(excludedFlags, (b) => (b ? 1 : 0));
          const ranking = topKIndices(scores, rankingLength);
          const complete = ranking.length < rankingLength;
          const fast = selectPageFromRanking(
            ctx,
            ranking,
            Float32Array.from(ranking, (i) => scores[i]!),
            complete,
            exclude,
            allowed,
            page,
          );
          const scanned = selectPage(ctx, scores.slice(), exclude, allowed, page);
          if (fast === null) {
            assert.equal(complete, false, 'a complete ranking always answers');
            return;
          }
          assert.deepEqual(fast, scanned);
        },
      ),
      { numRuns: 400, seed: 7 },
    );
  });
});
