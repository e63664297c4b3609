import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRecommender } from '../../src/models/artifacts.js';
import { ItemKnnRecommender } from '../../src/models/itemknn/model.js';
import { trainItemKnn } from '../../src/models/itemknn/train.js';
import { trainPopularity } from '../../src/models/popularity/train.js';
import { BLOCK_A, BLOCK_B, COLD, historyOf, holdOutSplit, loadBundled, plantedBlocks } from './model-test-data.js';

/** Two user groups, each listing ~60% of its own 20-item block; MAL id 1000 is a cold catalogue title. */

test('item-kNN fold-in ranks unseen items of the history block above the other block', () => {
  for (const weighting of ['binary', 'score'] as const) {
    const data = plantedBlocks();
    assert.equal(data.nItems, 41);
    const model = trainItemKnn(data, { weighting, shrinkage: 5 });
    const out = new Float32Array(data.nItems);
    model.scoreFoldIn(historyOf([0, 1, 2, 3, 4]), out);
    const worstA = Math.min(...BLOCK_A.slice(5).map((i) => out[i]!));
    const bestB = Math.max(...BLOCK_B.map((i) => out[i]!));
    assert.ok(worstA > bestB, `${weighting}: worst unseen A ${worstA} should beat best B ${bestB}`);
    assert.ok(worstA > 0);
  }
});

test('item-kNN similarity excludes self, is symmetric with all neighbours kept, and stays in-block', () => {
  const data = plantedBlocks();
  const model = trainItemKnn(data, { neighbours: 1000 });
  const sim = (a: number, b: number): number | undefined => {
    const { items, scores } = model.similarItems(a, 1000);
    const at = Array.from(items).indexOf(b);
    return at < 0 ? undefined : scores[at];
  };
  for (let a = 0; a < 40; a++) {
    const { items, scores } = model.similarItems(a, 1000);
    assert.ok(!Array.from(items).includes(a), 'self is not its own neighbour');
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1]! >= scores[i]!, 'sorted best first');
    for (const b of items) {
      assert.equal(a < 20, b < 20, 'neighbours come from the same block');
      assert.ok(Math.abs(sim(a, b)! - sim(b, a)!) < 1e-6, 'symmetric');
    }
  }
  const top3 = model.similarItems(25, 3);
  assert.equal(top3.items.length, 3);
  assert.ok(Array.from(top3.items).every((i) => i >= 20 && i < 40));
});

test('item-kNN keeps at most `neighbours` per item and applies shrinkage', () => {
  const data = plantedBlocks();
  const small = trainItemKnn(data, { neighbours: 4, shrinkage: 0 });
  for (let a = 0; a < data.nItems; a++) assert.ok(small.neighbourIndptr[a + 1]! - small.neighbourIndptr[a]! <= 4);
  const shrunk = trainItemKnn(data, { neighbours: 4, shrinkage: 50 });
  assert.ok(shrunk.similarItems(0, 1).scores[0]! < small.similarItems(0, 1).scores[0]!);
});

test('item-kNN gives cold items -Infinity and round-trips through save/load', async () => {
  const data = plantedBlocks();
  const model = trainItemKnn(data, { weighting: 'score' });
  const history = { items: Int32Array.from([21, 22, 30]), scores: Float32Array.from([9, 0, 4]) };
  const before = new Float32Array(data.nItems);
  model.scoreFoldIn(history, before);
  assert.equal(before[COLD], -Infinity);
  const dir = mkdtempSync(join(tmpdir(), 'itemknn-'));
  try {
    await model.save(dir);
    const loaded = await loadRecommender(dir);
    assert.ok(loaded instanceof ItemKnnRecommender);
    assert.equal(loaded.kind, 'itemknn');
    const after = new Float32Array(data.nItems);
    loaded.scoreFoldIn(history, after);
    assert.deepEqual(after, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('item-kNN beats popularity on recall@20 for held-out users of the bundled data', () => {
  const data = loadBundled();
  const { train, recallAt20 } = holdOutSplit(data);
  const started = performance.now();
  const model = trainItemKnn(train);
  const seconds = (performance.now() - started) / 1000;
  const knn = recallAt20(model);
  const pop = recallAt20(trainPopularity(train));
  console.log(`item-kNN: trained in ${seconds.toFixed(2)} s, recall@20 ${knn.toFixed(4)} vs popularity ${pop.toFixed(4)}`);
  assert.ok(knn > pop * 1.3, `item-kNN ${knn} should beat popularity ${pop}`);
});
