/**
 * End-to-end check on the real 2016 MAL sample: split it, score a popularity baseline, and make
 * sure the numbers are in a plausible range. Skips when the shared data folder is not there.
 */
import assert from 'node:assert/strict';
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { evaluate } from '../../src/eval/evaluate.js';
import { createRng } from '../../src/models/random.js';
import { renderTable } from '../../src/eval/report.js';
import { pairedTTest } from '../../src/eval/significance.js';
import { foldInSize, splitUsers } from '../../src/eval/split.js';
import { buildTrainingData } from '../../src/models/training-data.js';
import type { TrainingData } from '../../src/models/types.js';
import { FixedScoreRecommender } from './helpers.js';

const ratingsUrl = new URL('../../../shared/data/ratings_2016_5k_users.csv.gz', import.meta.url);
const available = existsSync(fileURLToPath(ratingsUrl));

/** Reads `user_id,anime_id,rating` (no quoted fields in this file) into CSR; -1 (unscored) becomes 0. */
async function loadRatings(): Promise<TrainingData> {
  const users: number[] = [];
  const anime: number[] = [];
  const ratings: number[] = [];
  const lines = createInterface({ input: createReadStream(ratingsUrl).pipe(createGunzip()), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      assert.equal(line.trim(), 'user_id,anime_id,rating');
      header = false;
      continue;
    }
    if (line.length === 0) continue;
    const [u, a, r] = line.split(',');
    users.push(Number(u));
    anime.push(Number(a));
    ratings.push(Number(r));
  }
  return buildTrainingData(Int32Array.from(users), Int32Array.from(anime), Float32Array.from(ratings)).data;
}

describe('real data: ratings_2016_5k_users', { skip: available ? false : 'shared data folder not present' }, () => {
  it('splits by user and gives popularity a plausible NDCG@20 under both relevance definitions', async () => {
    const data = await loadRatings();
    assert.equal(data.nUsers, 5000);
    assert.equal(data.nItems, 7390);
    assert.equal(data.indices.length, 520_609);

    const split = splitUsers(data, { seed: 2016, validationUsers: 500, testUsers: 500 });
    assert.equal(split.trainData.nUsers, 4000);
    assert.equal(split.validation.length, 500);
    assert.equal(split.test.length, 500);
    const i = split.description.interactions;
    assert.equal(i.train + i.validationHistory + i.validationTargets + i.testHistory + i.testTargets, 520_609);
    for (const e of split.test) {
      const n = data.indptr[e.user + 1]! - data.indptr[e.user]!;
      assert.ok(n >= 5);
      assert.equal(e.history.items.length, foldInSize(n, 0.8));
    }

    // Popularity = number of training users listing the title; the baseline every model must beat.
    const counts = new Float32Array(split.trainData.nItems);
    for (let p = 0; p < split.trainData.indices.length; p++) counts[split.trainData.indices[p]!]! += 1;
    const rng = createRng(1);
    const noise = Float32Array.from({ length: data.nItems }, () => rng());
    const result = evaluate(
      [
        { name: 'popularity', recommender: new FixedScoreRecommender(counts) },
        { name: 'fixed-noise', recommender: new FixedScoreRecommender(noise) },
      ],
      split.test,
      { trainData: split.trainData, ks: [10, 20], relevance: ['liked', 'listed'], likedThreshold: 7, ci: { method: 'normal' } },
    );
    if (process.env.ANIREC_EVAL_VERBOSE) console.log(`${split.description.text}\n${renderTable(result)}`);
    for (const section of result.sections) {
      const [popularity, noiseModel] = section.models;
      const ndcg = popularity!.metrics['ndcg@20']!;
      assert.ok(ndcg.mean > 0.05, `${section.relevance}: popularity NDCG@20 ${ndcg.mean}`);
      assert.ok(ndcg.mean < 0.9, `${section.relevance}: popularity NDCG@20 ${ndcg.mean} is implausibly high`);
      assert.ok(ndcg.low < ndcg.mean && ndcg.mean < ndcg.high);
      assert.ok(section.users.length > 400, `${section.relevance}: only ${section.users.length} users evaluated`);
      const test = pairedTTest(ndcg.perUser, noiseModel!.metrics['ndcg@20']!.perUser);
      assert.ok(test.meanDifference > 0 && test.pValue < 1e-6, `${section.relevance}: popularity vs fixed noise p = ${test.pValue}`);
    }
    const liked = result.sections.find((s) => s.relevance === 'liked')!;
    assert.equal(liked.users.length + liked.skippedUsers, 500);
  });
});
