import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Anime } from '../../../src/data/types.js';
import { loadRecommender } from '../../../src/models/artifacts.js';
import { ContentRecommender, contentHistoryWeight } from '../../../src/models/content/model.js';
import { DEFAULT_CONTENT_PARAMS } from '../../../src/models/content/params.js';
import { trainContentModel } from '../../../src/models/content/train.js';
import { synopsisHash, writeEmbeddingCache } from '../../../src/models/content/text-embeddings.js';
import { topK } from '../../../src/models/top-k.js';
import { anime, MECHA_2016, MECHA_A, MECHA_B, ROMANCE, ROMANCE_B, SPORTS, trainingData, UNKNOWN_ID } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'anirec-content-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const extra: Anime[] = [
  anime(7, {
    genres: ['Comedy'],
    themes: ['Gag Humor'],
    studios: ['J.C.Staff'],
    synopsis: 'Everyday comedic misadventures of a lazy office worker and his cat.',
  }),
  anime(8, {
    genres: ['Horror', 'Mystery'],
    themes: ['Psychological'],
    studios: ['Madhouse'],
    synopsis: 'A detective investigates a series of gruesome murders in a foggy village.',
  }),
];
const catalogueList = [MECHA_A, MECHA_B, ROMANCE, ROMANCE_B, SPORTS, MECHA_2016, ...extra];
const catalogue = new Map(catalogueList.map((a) => [a.animeId, a]));
// Vocabulary order: 1,2,3,4,5,6,7,8,999 → indices 0..8. Only items 0,2,4,6 have interactions:
// MECHA_B (1), ROMANCE_B (3), MECHA_2016 (5), 8 (7) are cold.
const ids = [1, 2, 3, 4, 5, 6, 7, 8, UNKNOWN_ID];
const data = trainingData(ids, [
  [
    [0, 9],
    [2, 7],
    [4, 8],
  ],
  [
    [0, 6],
    [6, 5],
  ],
]);
const noCache = { embeddingCachePath: join(dir, 'absent.bin'), minSimilarity: 0 };

function scores(model: ContentRecommender, items: number[], s: number[]): Float32Array {
  const out = new Float32Array(model.nItems);
  model.scoreFoldIn({ items: Int32Array.from(items), scores: Float32Array.from(s) }, out);
  return out;
}

describe('content model', () => {
  it('ranks titles similar to the history first, including cold titles nobody rated', async () => {
    const model = await trainContentModel(data, catalogue, noCache);
    assert.equal(model.kind, 'content');
    const out = scores(model, [0], [9]); // loved MECHA_A
    const ranked = [...topK(out, 8, new Set([0]))];
    assert.equal(ranked[0], 1, `MECHA_B (cold) first, got ${ranked}`);
    assert.ok(out[1]! > out[2]!, 'mecha above romance');
    assert.ok(ranked.indexOf(5) >= 0 && ranked.indexOf(5) < ranked.indexOf(2), '2016 mecha (cold, genres only) above romance');
    assert.equal(out[8], -Infinity, 'title absent from the catalogue cannot be judged');
    const romance = scores(model, [2], [10]);
    assert.equal(topK(romance, 1, new Set([2]))[0], 3, 'ROMANCE_B (cold) first for a romance fan');
  });

  it('lets disliked titles push similar titles down', async () => {
    const model = await trainContentModel(data, catalogue, noCache);
    const liked = scores(model, [2, 0], [9, 2]); // loves romance, hated mecha
    const withoutDislike = scores(model, [2], [9]);
    assert.ok(liked[1]! < withoutDislike[1]!, `MECHA_B pushed down: ${liked[1]} vs ${withoutDislike[1]}`);
    assert.ok(liked[3]! > liked[1]!);
    const hater = scores(model, [0, 4], [1, 8]); // hated MECHA_A, liked SPORTS
    assert.ok(hater[1]! < 0, `MECHA_B below zero for a mecha hater: ${hater[1]}`);
    assert.ok(hater[1]! < hater[6]!, 'below an unrelated comedy');
    assert.ok(contentHistoryWeight(0, 7, DEFAULT_CONTENT_PARAMS) > 0, 'listed without a score is mildly positive');
    assert.ok(contentHistoryWeight(2, 7, DEFAULT_CONTENT_PARAMS) < 0);
    assert.ok(contentHistoryWeight(10, 7, DEFAULT_CONTENT_PARAMS) > contentHistoryWeight(7, 7, DEFAULT_CONTENT_PARAMS));
  });

  it('answers "more like this" from the neighbour lists', async () => {
    const model = await trainContentModel(data, catalogue, noCache);
    const similar = model.similarItems(0, 3);
    assert.equal(similar.items[0], 1);
    assert.ok(similar.items.length <= 3);
    for (let k = 1; k < similar.scores.length; k++) assert.ok(similar.scores[k - 1]! >= similar.scores[k]!);
    assert.ok(![...similar.items].includes(0), 'an item is not its own neighbour');
    assert.equal(model.similarItems(8, 5).items.length, 0);
  });

  it('uses cached embeddings only when the hash matches, and TF-IDF otherwise', async () => {
    // Fake 4-d "embeddings": mecha titles share a direction, the romance gets an orthogonal one.
    const path = join(dir, 'cache.bin');
    const v = (x: number[]) => Float32Array.from(x);
    writeEmbeddingCache(path, [
      { animeId: 1, hash: synopsisHash(MECHA_A.synopsis!), vector: v([1, 0.1, 0, 0]) },
      { animeId: 2, hash: synopsisHash(MECHA_B.synopsis!), vector: v([1, 0, 0.1, 0]) },
      { animeId: 3, hash: synopsisHash('an older synopsis'), vector: v([0, 1, 0, 0]) },
      { animeId: 4, hash: synopsisHash(ROMANCE_B.synopsis!), vector: v([0, 0, 1, 0]) },
    ]);
    const model = await trainContentModel(data, catalogue, { embeddingCachePath: path, minSimilarity: 0 });
    assert.equal(model.stats.synopsesEmbedded, 3, 'ROMANCE has a stale hash and must not use its cached vector');
    assert.equal(model.stats.synopsesTfidf, 4);
    const off = await trainContentModel(data, catalogue, { embeddingCachePath: path, useEmbeddings: false, minSimilarity: 0 });
    assert.equal(off.stats.synopsesEmbedded, 0);
    assert.equal(off.stats.synopsesTfidf, 7);
  });

  it('save/load round-trip gives identical scores', async () => {
    const model = await trainContentModel(data, catalogue, { ...noCache, neighbours: 4 });
    const modelDir = mkdtempSync(join(dir, 'model-'));
    await model.save(modelDir);
    const loaded = await loadRecommender(modelDir);
    assert.ok(loaded instanceof ContentRecommender);
    assert.equal(loaded.nItems, model.nItems);
    for (const [items, s] of [
      [[0], [9]],
      [
        [2, 4, 6],
        [8, 0, 3],
      ],
      [[], []],
    ] as [number[], number[]][]) {
      assert.deepEqual(scores(loaded, items, s), scores(model, items, s));
    }
    assert.deepEqual(loaded.similarItems(0, 4), model.similarItems(0, 4));
    assert.equal(loaded.params.neighbours, 4);
  });

  it('keeps at most `neighbours` neighbours per item', async () => {
    const model = await trainContentModel(data, catalogue, { ...noCache, neighbours: 2 });
    for (let i = 0; i < model.nItems; i++) assert.ok(model.indptr[i + 1]! - model.indptr[i]! <= 2);
    const empty = scores(model, [], []);
    assert.equal(empty[0], 0);
    assert.equal(empty[8], -Infinity);
  });
});
