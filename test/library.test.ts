/**
 * The library face: a user of `import … from 'anirec'` (src/index.ts, built to dist/index.js)
 * can import data, train a model, recommend and precompute without touching internal paths.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as anirec from '../src/index.js';

test('import → train → recommend → precompute through the public entry point only', async () => {
  const { BUNDLED_DATA, openStore, importFiles, loadTrainingSet, trainBundle, RecommendationEngine, precomputeRankings, listFormats } =
    anirec;
  assert.ok(listFormats().length >= 5);
  const dir = mkdtempSync(join(tmpdir(), 'anirec-library-'));
  const store = await openStore(`sqlite:${join(dir, 'anirec.db')}`);
  try {
    const ratings = join(dir, 'ratings.csv');
    writeFileSync(
      ratings,
      gunzipSync(readFileSync(BUNDLED_DATA.ratings2016)).toString('utf8').split('\n').slice(0, 15_001).join('\n') + '\n',
    );
    const summary = await importFiles(store, [{ path: BUNDLED_DATA.catalogue2016 }, { path: ratings, userSource: 'kaggle2016' }]);
    assert.equal(summary.files.length, 2);
    const set = await loadTrainingSet(store);
    const bundle = await trainBundle('itemknn', set.data, set.catalogue);
    assert.equal(bundle.manifest.kind, 'itemknn');
    assert.match(bundle.manifest.dataHash, /^[0-9a-f]{16}$/);
    const engine = await RecommendationEngine.create(bundle, store, 'library-test');
    // A new user from three titles (Fullmetal Alchemist: Brotherhood, Steins;Gate, Hunter x Hunter 2011).
    const list = engine.recommend(
      [
        { animeId: 5114, score: 10, status: 'completed' },
        { animeId: 9253, score: 9, status: 'completed' },
        { animeId: 11061, score: 9, status: 'completed' },
      ],
      { k: 5 },
    );
    assert.equal(list.items.length, 5);
    assert.ok(list.items.every((item) => item.reason.length > 0 && ![5114, 9253, 11061].includes(item.anime.id)));
    const precomputed = await precomputeRankings(engine, store);
    assert.equal(precomputed.users, await store.countUsers());
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
