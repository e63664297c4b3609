import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadRecommender } from '../../src/models/artifacts.js';
import { ItemKnnRecommender, trainItemKnn } from '../../src/models/itemknn.js';
import { trainPopularity } from '../../src/models/popularity.js';
import { createRng, shuffleInPlace } from '../../src/models/random.js';
import { buildTrainingData, subsetUsers } from '../../src/models/training-data.js';
import type { History, Recommender, TrainingData } from '../../src/models/types.js';

/** Two user groups, each listing ~60% of its own 20-item block; MAL id 1000 is a cold catalogue title. */
function plantedBlocks(): TrainingData {
  const rng = createRng(7);
  const users: number[] = [];
  const anime: number[] = [];
  const scores: number[] = [];
  for (let u = 0; u < 80; u++) {
    const offset = u < 40 ? 1 : 21;
    for (let i = 0; i < 20; i++) {
      if (rng() < 0.6) {
        users.push(u);
        anime.push(offset + i);
        scores.push(rng() < 0.3 ? -1 : 5 + Math.floor(rng() * 6));
      }
    }
  }
  return buildTrainingData(Int32Array.from(users), Int32Array.from(anime), Float32Array.from(scores), [1000]).data;
}

// MAL ids 1..40 map to indices 0..39, 1000 to 40.
const BLOCK_A = Array.from({ length: 20 }, (_, i) => i);
const BLOCK_B = Array.from({ length: 20 }, (_, i) => 20 + i);
const COLD = 40;

function historyOf(items: number[]): History {
  return { items: Int32Array.from(items), scores: new Float32Array(items.length).fill(8) };
}

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

// ---- the bundled data -------------------------------------------------------------------------

function loadBundled(): TrainingData {
  const text = gunzipSync(readFileSync(new URL('../../data/ratings_2016_5k_users.csv.gz', import.meta.url))).toString('utf8');
  const lines = text.split('\n');
  const users = new Int32Array(lines.length);
  const anime = new Int32Array(lines.length);
  const scores = new Float32Array(lines.length);
  let n = 0;
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.length === 0) continue;
    const a = line.indexOf(',');
    const b = line.indexOf(',', a + 1);
    users[n] = Number(line.slice(0, a));
    anime[n] = Number(line.slice(a + 1, b));
    scores[n++] = Math.max(0, Number(line.slice(b + 1))); // -1 (listed, no score) is 0 in TrainingData
  }
  return buildTrainingData(users.subarray(0, n), anime.subarray(0, n), scores.subarray(0, n)).data;
}

/**
 * Every 10th user with ≥ 10 titles is held out; the model sees a seeded random 80% of their list
 * and must find the rest. (Random, not "last": the data has no timestamps and rows are ordered by
 * MAL id, so a "last 20%" would hold out each user's newest titles, a cold-start test instead.)
 */
function holdOutSplit(data: TrainingData): { train: TrainingData; recallAt20: (model: Recommender) => number } {
  const testUsers: number[] = [];
  const trainUsers: number[] = [];
  for (let u = 0; u < data.nUsers; u++) {
    (u % 10 === 0 && data.indptr[u + 1]! - data.indptr[u]! >= 10 ? testUsers : trainUsers).push(u);
  }
  const recallAt20 = (model: Recommender): number => {
    const out = new Float32Array(data.nItems);
    let total = 0;
    for (const u of testUsers) {
      const start = data.indptr[u]!;
      const end = data.indptr[u + 1]!;
      const entries = Int32Array.from({ length: end - start }, (_, i) => start + i);
      shuffleInPlace(entries, createRng(u));
      const cut = Math.floor((end - start) * 0.8);
      const kept = entries.slice(0, cut).sort();
      const history = { items: Int32Array.from(kept, (e) => data.indices[e]!), scores: Float32Array.from(kept, (e) => data.scores[e]!) };
      model.scoreFoldIn(history, out);
      for (const item of history.items) out[item] = -Infinity;
      const held = new Set(Array.from(entries.subarray(cut), (e) => data.indices[e]!));
      const top = Array.from(out.keys())
        .sort((a, b) => out[b]! - out[a]! || a - b)
        .slice(0, 20);
      total += top.filter((i) => held.has(i)).length / Math.min(20, held.size);
    }
    return total / testUsers.length;
  };
  return { train: subsetUsers(data, trainUsers), recallAt20 };
}

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
