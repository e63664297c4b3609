/**
 * The cold-title selection and training data on the real bundled ratings: the numbers
 * docs/evaluation.md reports for seed 42 come from exactly these sets, and no cold title keeps an
 * interaction in what the models are trained on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { BUNDLED_DATA } from '../../src/data/bundled.js';
import { openDataFile } from '../../src/data/index.js';
import type { Anime } from '../../src/data/types.js';
import { selectRandomColdTitles, selectRecentColdTitles } from '../../src/eval/protocols/cold-selection.js';
import { coldProtocolData, heldOutRows } from '../../src/eval/protocols/protocol-users.js';
import { likedTargets } from '../../src/eval/protocols/ranking.js';
import { loadCatalogueNumbers } from '../../src/eval/protocols/serving-catalogue.js';
import { buildTrainingData } from '../../src/models/training-data.js';
import { anime } from '../models/content/fixtures.js';

function loadRatings() {
  const lines = gunzipSync(readFileSync(BUNDLED_DATA.ratings2016)).toString('utf8').split('\n');
  const n = lines.length - 1;
  const users = new Int32Array(n);
  const ids = new Int32Array(n);
  const scores = new Float32Array(n);
  let e = 0;
  for (const line of lines.slice(1)) {
    if (line.length === 0) continue;
    const [u, a, r] = line.split(',');
    users[e] = Number(u);
    ids[e] = Number(a);
    scores[e++] = Number(r);
  }
  return buildTrainingData(users.subarray(0, e), ids.subarray(0, e), scores.subarray(0, e)).data;
}

/** Year and season of the bundled Jikan TV titles (the only bundled source of airing seasons). */
async function seasons(): Promise<Map<number, Anime>> {
  const out = new Map<number, Anime>();
  for await (const chunk of (await openDataFile(BUNDLED_DATA.catalogueJikan)).chunks) {
    for (const patch of chunk.anime)
      out.set(patch.animeId, anime(patch.animeId, { year: patch.year ?? null, season: patch.season ?? null }));
  }
  return out;
}

describe('cold titles on the bundled 2016 ratings (seed 42)', async () => {
  const data = loadRatings();
  const rows = heldOutRows(data, { seed: 42, testUsers: 1000, validationUsers: 500 });
  const random = selectRandomColdTitles(data, 0.1, 42);
  const recent = selectRecentColdTitles(data, await seasons(), 4);

  it('selects 10% of the rated titles at random and the titles of 2016 as recent', () => {
    assert.equal(data.nUsers, 5000);
    assert.equal(random.titlesWithInteractions, 7390);
    assert.equal(random.items.length, 739);
    assert.deepEqual(selectRandomColdTitles(data, 0.1, 42).animeIds, random.animeIds);
    assert.deepEqual(recent.seasons, ['2016 fall', '2016 summer', '2016 spring', '2016 winter']);
    assert.equal(recent.items.length, 131);
  });

  for (const cold of [random, recent]) {
    it(`removes every interaction of the ${cold.variant} cold titles from training, and nothing else`, () => {
      const { trainData, test } = coldProtocolData(data, rows, cold.mask, 42);
      assert.equal(trainData.nUsers, 4000);
      for (let e = 0; e < trainData.indices.length; e++)
        assert.equal(cold.mask[trainData.indices[e]!], 0, 'a cold title kept an interaction');
      let nonTestInteractions = 0;
      let nonTestCold = 0;
      for (const u of rows.nonTest) {
        for (let e = data.indptr[u]!; e < data.indptr[u + 1]!; e++) {
          nonTestInteractions++;
          if (cold.mask[data.indices[e]!] === 1) nonTestCold++;
        }
      }
      assert.ok(nonTestCold > 0);
      assert.equal(trainData.indices.length, nonTestInteractions - nonTestCold);
      const withTargets = test.users.filter((u) => likedTargets(u, 7, cold.mask).length > 0);
      assert.ok(withTargets.length > 100, `only ${withTargets.length} test users have a liked cold title`);
      for (const u of test.users) for (const item of u.history.items) assert.equal(cold.mask[item], 0);
    });
  }

  it('reads the 2016 member counts the members baseline uses', async () => {
    const numbers = await loadCatalogueNumbers(BUNDLED_DATA.catalogue2016);
    assert.equal(numbers.byId.get(5114)!.members, 793_665, 'Fullmetal Alchemist: Brotherhood in the 2016 catalogue');
    assert.equal(numbers.byId.get(1535)!.members, 1_013_917, 'Death Note');
  });
});
