/**
 * The hybrid (kind `anirec`) survives save and load: a small hybrid with every component kind
 * (EASE, ALS, item-kNN, two-tower, content, popularity) is trained on a slice of the bundled
 * ratings, saved, loaded back through the generic loader, and must score every history exactly
 * as before, with and without an `eligible` mask. Knobs are turned down so it trains in seconds.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { loadRecommender } from '../../src/models/artifacts.js';
import { AnirecHybrid } from '../../src/models/hybrid/model.js';
import '../../src/models/known-models.js';
import { trainContentModel } from '../../src/models/content/train.js';
import { computeItemStats } from '../../src/models/hybrid/item-stats.js';
import { DEFAULT_ANIREC_PARAMS } from '../../src/models/hybrid/params.js';
import { trainHybrid, type ComponentSpec } from '../../src/models/hybrid/train.js';
import { DEFAULT_MODEL_PARAMS, hybridComponents, trainModel, type ModelParams } from '../../src/models/train-model.js';
import { buildTrainingData, subsetUsers } from '../../src/models/training-data.js';
import type { History, Recommender, TrainingData, TrainOptions } from '../../src/models/types.js';
import { realCatalog } from '../recommend/real-catalog.js';

/** Users 1..USERS of the bundled ratings, on their MOST_LISTED most listed titles. */
const USERS = 300;
const MOST_LISTED = 300;
/** Catalogue titles nobody in the slice rated (Sousou no Frieren and its sequel, Re:Zero 3rd Season). */
const UNRATED_IDS = [52991, 59978, 54857];

const PARAMS: ModelParams = {
  ...DEFAULT_MODEL_PARAMS,
  ease: { maxItems: 400 },
  als: { factors: 8, iterations: 3 },
  itemknn: { neighbours: 50 },
  // Synopsis features would cost most of the training time; the content model still reads the embeddings.
  twotower: { dimension: 8, itemHidden: [16], userHidden: [16], epochs: 1, batchSize: 64, negatives: 16, synopsisFeatures: false },
  anirec: { rankerUsers: 100, ranker: { rounds: 20, earlyStoppingRounds: 0, minDataInLeaf: 5 } },
  candidates: { ease: 40, als: 40, itemknn: 30, twotower: 20, content: 20, popularity: 10 },
  unratedCandidates: 2,
};

function ratingsSlice(): TrainingData {
  const text = gunzipSync(readFileSync(new URL('../../data/ratings_2016_5k_users.csv.gz', import.meta.url))).toString('utf8');
  const rows: [number, number, number][] = [];
  for (const line of text.split('\n').slice(1)) {
    if (line === '') continue;
    const [user, animeId, score] = line.split(',').map(Number) as [number, number, number];
    if (user <= USERS) rows.push([user, animeId, Math.max(0, score)]);
  }
  const counts = new Map<number, number>();
  for (const [, animeId] of rows) counts.set(animeId, (counts.get(animeId) ?? 0) + 1);
  const kept = new Set(
    [...counts]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, MOST_LISTED)
      .map(([id]) => id),
  );
  const inSlice = rows.filter(([, animeId]) => kept.has(animeId));
  return buildTrainingData(
    Int32Array.from(inSlice, (r) => r[0]),
    Int32Array.from(inSlice, (r) => r[1]),
    Float32Array.from(inSlice, (r) => r[2]),
    UNRATED_IDS,
  ).data;
}

/** Every file under `dir`, by relative path. */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join((entry as { parentPath?: string }).parentPath ?? entry.path, entry.name);
    out.set(relative(dir, path), readFileSync(path));
  }
  return out;
}

let dir: string;
let data: TrainingData;
let trained: AnirecHybrid;
let loaded: Recommender;
let histories: [string, History][];
const progress: [number, string][] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anirec-hybrid-round-trip-'));
  data = ratingsSlice();
  const catalog = await realCatalog();
  const { recommender } = await trainModel('anirec', data, catalog.byId, PARAMS, {
    seed: 5,
    onProgress: (fraction, message) => progress.push([fraction, message]),
  });
  assert.ok(recommender instanceof AnirecHybrid);
  trained = recommender;
  await trained.save(join(dir, 'model'));
  loaded = await loadRecommender(join(dir, 'model'));

  const index = (animeId: number): number => {
    const i = data.itemIds.indexOf(animeId);
    assert.ok(i >= 0, `${animeId} is in the vocabulary`);
    return i;
  };
  const row = (user: number): History => ({
    items: data.indices.slice(data.indptr[user], data.indptr[user + 1]),
    scores: data.scores.slice(data.indptr[user], data.indptr[user + 1]),
  });
  const longest = Array.from({ length: data.nUsers }, (_, u) => u).sort(
    (a, b) => data.indptr[b + 1]! - data.indptr[b]! - (data.indptr[a + 1]! - data.indptr[a]!),
  )[0]!;
  histories = [
    ['an empty list', { items: new Int32Array(0), scores: new Float32Array(0) }],
    ['one loved title', { items: Int32Array.of(5), scores: Float32Array.of(10) }],
    ['liked, unscored and disliked titles', { items: Int32Array.of(1, 7, 12, 40, 90), scores: Float32Array.of(9, 0, 8, 2, 0) }],
    ['a title nobody rated among them', { items: Int32Array.of(3, index(52991), 30).sort(), scores: Float32Array.of(8, 10, 7) }],
    ['a training user', row(3)],
    [`the longest list (${data.indptr[longest + 1]! - data.indptr[longest]!} titles)`, row(longest)],
  ];
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Scores of `model` for `history` into a buffer pre-filled with `fill` (so unwritten entries show). */
function scores(model: Recommender, history: History, fill: number, eligible?: Uint8Array): Float32Array {
  const out = new Float32Array(data.nItems).fill(fill);
  model.scoreFoldIn(history, out, eligible);
  return out;
}

/** Indices where two score vectors differ (NaN equals NaN; -0 and 0 differ). */
function differences(a: Float32Array, b: Float32Array, only?: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if ((only === undefined || only[i] === 1) && !Object.is(a[i], b[i])) out.push(i);
  return out;
}

/** The k best items of `out` among `mask` (all when absent), best first. */
function top(out: Float32Array, k: number, mask?: Uint8Array): number[] {
  return Array.from(out.keys())
    .filter((i) => (mask === undefined || mask[i] === 1) && Number.isFinite(out[i]))
    .sort((a, b) => out[b]! - out[a]! || a - b)
    .slice(0, k);
}

describe('hybrid save/load round trip', () => {
  it('the small dataset and model are what the test means', () => {
    assert.ok(data.nUsers > 250 && data.nItems === MOST_LISTED + UNRATED_IDS.length, `${data.nUsers} users, ${data.nItems} items`);
    assert.deepEqual(trained.generator.names, ['ease', 'als', 'itemknn', 'twotower', 'content', 'popularity']);
    assert.equal(trained.ranker.toJSON().trees.length, 20, 'the ranker kept every round');
  });

  it('loads as the same kind of model, with the same components and features', () => {
    assert.ok(loaded instanceof AnirecHybrid);
    assert.equal(loaded.kind, 'anirec');
    assert.equal(loaded.nItems, trained.nItems);
    assert.deepEqual(loaded.featureNames, trained.featureNames);
    const describe = (m: AnirecHybrid) =>
      m.generator.components.map((c) => ({
        name: c.name,
        candidates: c.candidates,
        unrated: c.unratedCandidates,
        kind: c.model.kind,
        nItems: c.model.nItems,
      }));
    assert.deepEqual(describe(loaded), describe(trained));
    assert.deepEqual(loaded.stats, trained.stats);
    assert.deepEqual(loaded.ranker.toJSON(), trained.ranker.toJSON());
  });

  it('scores every history exactly as the trained model did', () => {
    const seen = new Set<string>();
    for (const [name, history] of histories) {
      const before = scores(trained, history, 0);
      const after = scores(loaded, history, 7);
      assert.deepEqual(differences(before, after), [], `${name}: every item scored identically`);
      // Identical but uninformative scores would prove nothing: the ranking must depend on the history.
      const distinct = new Set(Array.from(before).filter(Number.isFinite)).size;
      assert.ok(distinct > 30, `${name}: ${distinct} distinct scores`);
      seen.add(top(before, 10).join());
    }
    assert.ok(seen.size >= histories.length - 1, `different lists get different top 10s (${seen.size} of ${histories.length})`);
  });

  it('ranks the candidates identically, with the same per-component views', () => {
    for (const [name, history] of histories) {
      const a = trained.rankCandidates(history);
      const b = (loaded as AnirecHybrid).rankCandidates(history);
      assert.ok(a.items.length > 0, `${name}: has candidates`);
      assert.deepEqual(b.items, a.items, name);
      assert.deepEqual(b.scores, a.scores, name);
      for (const [component, view] of a.views) assert.deepEqual(b.views.get(component), view, `${name}: ${component}`);
    }
  });

  it('with an eligible mask, scores the eligible items identically, and they are ranked', () => {
    const every7th = Uint8Array.from({ length: data.nItems }, (_, i) => (i % 7 === 3 ? 1 : 0));
    const unratedOnly = Uint8Array.from(data.itemIds, (id) => (UNRATED_IDS.includes(id) ? 1 : 0));
    const wide = Uint8Array.from({ length: data.nItems }, (_, i) => (i % 3 === 0 ? 0 : 1));
    for (const [maskName, mask] of [
      ['every 7th title', every7th],
      ['only unrated titles', unratedOnly],
      ['two thirds of the titles', wide],
    ] as const) {
      for (const [name, history] of histories) {
        const before = scores(trained, history, 0, mask);
        const after = scores(loaded, history, 7, mask);
        assert.deepEqual(differences(before, after, mask), [], `${name}, ${maskName}`);
        const listed = new Set(history.items);
        const best = top(before, 5, mask).filter((i) => !listed.has(i));
        assert.ok(best.length > 0, `${name}, ${maskName}: eligible items get finite scores`);
        assert.deepEqual(
          top(after, 5, mask).filter((i) => !listed.has(i)),
          best,
        );
      }
    }
  });

  it('a loaded model saved again writes the same files, byte for byte', async () => {
    await loaded.save(join(dir, 'again'));
    const first = filesOf(join(dir, 'model'));
    const second = filesOf(join(dir, 'again'));
    assert.ok(first.size > 10, `a hybrid is many files (${first.size})`);
    assert.deepEqual([...second.keys()].sort(), [...first.keys()].sort());
    for (const [path, bytes] of first) assert.ok(bytes.equals(second.get(path)!), `${path} is unchanged`);
  });

  it('a model saved with other features refuses to load and says to retrain', async () => {
    const stale = join(dir, 'stale');
    cpSync(join(dir, 'model'), stale, { recursive: true });
    const manifestPath = join(stale, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { kind: string; featureNames: string[] };
    assert.equal(manifest.kind, 'anirec');
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, featureNames: manifest.featureNames.slice(1) }));
    await assert.rejects(loadRecommender(stale), /saved with features .*Retrain the model/);
  });
});

describe('hybrid training progress', () => {
  it('only moves forward: each base model reports within its share of the stage', () => {
    assert.ok(progress.length > 10, `${progress.length} progress reports`);
    for (let i = 1; i < progress.length; i++)
      assert.ok(
        progress[i]![0] >= progress[i - 1]![0],
        `progress went back from ${progress[i - 1]![0]} (${progress[i - 1]![1]}) to ${progress[i]![0]} (${progress[i]![1]})`,
      );
    assert.equal(progress.at(-1)![0], 1);
    const als = progress.filter(([, message]) => /ALS/.test(message));
    assert.ok(
      als.length > 0 && als.every(([f]) => (f > 0 && f <= 0.4) || (f >= 0.7 && f <= 1)),
      'ALS epochs land inside the two fitting stages',
    );
  });
});

describe('hybrid training fits interaction-free components once', () => {
  it('the content model fitted on some users equals its fit on all (the premise of reusing it)', async () => {
    const catalog = await realCatalog();
    const half = Array.from({ length: Math.floor(data.nUsers / 2) }, (_, u) => u);
    const onSome = await trainContentModel(subsetUsers(data, half), catalog.byId, PARAMS.content);
    const onAll = await trainContentModel(data, catalog.byId, PARAMS.content);
    assert.ok(onAll.indices.length > 0, 'the content model has neighbour lists');
    assert.deepEqual(onSome.indices, onAll.indices);
    assert.deepEqual(onSome.sims, onAll.sims);
  });

  it('trains the content model once, continues the two-tower, fits the rest twice, and serves the same scores as without the reuse', async () => {
    const catalog = await realCatalog();
    // Counts each spec's fits; `reuse` false turns the interaction-free reuse off and leaves all else as is.
    const counting = (reuse: boolean) => {
      const calls = new Map<string, number>();
      const count = (key: string): void => void calls.set(key, (calls.get(key) ?? 0) + 1);
      const specs = hybridComponents(catalog.byId, PARAMS).map((spec): ComponentSpec => ({
        ...spec,
        interactionFree: reuse && spec.interactionFree,
        train: (d, o) => (count(spec.name), spec.train(d, o)),
        ...(spec.continueFrom
          ? { continueFrom: (earlier, d, o) => (count(`${spec.name} continued`), spec.continueFrom!(earlier, d, o)) }
          : {}),
      }));
      return { calls, specs };
    };
    const stats = computeItemStats(data, catalog.byId);
    const params = { ...DEFAULT_ANIREC_PARAMS, ...PARAMS.anirec };
    const once = counting(true);
    const twice = counting(false);
    const reused = (await trainHybrid(data, once.specs, stats, params, { seed: 5 })).model;
    const refitted = (await trainHybrid(data, twice.specs, stats, params, { seed: 5 })).model;
    const twoTower = { twotower: 1, 'twotower continued': 1 };
    assert.deepEqual(Object.fromEntries(once.calls), { ease: 2, als: 2, itemknn: 2, ...twoTower, content: 1, popularity: 2 });
    assert.deepEqual(Object.fromEntries(twice.calls), { ease: 2, als: 2, itemknn: 2, ...twoTower, content: 2, popularity: 2 });
    for (const [name, history] of histories) {
      assert.deepEqual(differences(scores(reused, history, NaN), scores(refitted, history, NaN)), [], `${name}: the same scores`);
    }
  });

  it('with twotower.refitEpochs the final step continues the ranker-step two-tower network instead of training a new one', async () => {
    const catalog = await realCatalog();
    const messages: string[] = [];
    const params: ModelParams = { ...PARAMS, twotower: { ...PARAMS.twotower, refitEpochs: 2 } };
    const fromScratch: string[] = [];
    await trainModel(
      'anirec',
      data,
      catalog.byId,
      { ...PARAMS, twotower: { ...PARAMS.twotower, refitEpochs: 0 } },
      {
        seed: 5,
        onProgress: (_, m) => fromScratch.push(m),
      },
    );
    assert.deepEqual(
      fromScratch.filter((m) => /^twotower epoch/.test(m)).map((m) => m.split(':')[0]),
      ['twotower epoch 1/1', 'twotower epoch 1/1'],
      'refitEpochs 0: a new network for the final fit',
    );
    const { recommender } = await trainModel('anirec', data, catalog.byId, params, { seed: 5, onProgress: (_, m) => messages.push(m) });
    const epochs = messages.filter((m) => /^twotower epoch/.test(m)).map((m) => m.split(':')[0]);
    assert.deepEqual(epochs, ['twotower epoch 1/1', 'twotower epoch 2/3', 'twotower epoch 3/3'], 'one epoch for the ranker, then two more');
    const out = scores(recommender, histories[2]![1], NaN);
    assert.ok(out.some((x) => Number.isFinite(x)));
  });
});
