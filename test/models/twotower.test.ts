import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Anime } from '../../src/data/types.js';
import { loadRecommender } from '../../src/models/artifacts.js';
import '../../src/models/known-models.js';
import { createRng } from '../../src/models/random.js';
import { MODEL_NAMES, trainModel, DEFAULT_MODEL_PARAMS } from '../../src/models/train-model.js';
import { buildTrainingData } from '../../src/models/training-data.js';
import { TwoTowerRecommender } from '../../src/models/twotower/model.js';
import { continueTwoTower, trainTwoTower } from '../../src/models/twotower/train.js';
import type { TwoTowerParams } from '../../src/models/twotower/params.js';
import type { History, TrainingData } from '../../src/models/types.js';
import { env } from '../../src/env/env.js';
import { anime } from './content/fixtures.js';

/**
 * A world where taste is a feature: half the users like action titles, half romance titles; both
 * kinds are equally popular, and every title also carries noise tags and a random studio. Two
 * catalogue titles of each kind have no interactions at all (cold). A model that learned the
 * structure from features ranks a cold title of the user's kind above a cold title of the other.
 */
const WARM_PER_KIND = 30;
const COLD_ACTION = [901, 902];
const COLD_ROMANCE = [903, 904];

function world(): { data: TrainingData; catalogue: Map<number, Anime>; actionIds: number[]; romanceIds: number[] } {
  const rng = createRng(5);
  const noise = ['Comedy', 'Drama', 'School', 'Fantasy'];
  const studios = ['Studio A', 'Studio B', 'Studio C'];
  const catalogue = new Map<number, Anime>();
  const make = (id: number, kind: 'Action' | 'Romance') =>
    catalogue.set(
      id,
      anime(id, {
        genres: [kind, noise[Math.floor(rng() * noise.length)]!],
        studios: [studios[Math.floor(rng() * studios.length)]!],
        year: 2010 + Math.floor(rng() * 6),
      }),
    );
  const actionIds = Array.from({ length: WARM_PER_KIND }, (_, i) => 1 + i);
  const romanceIds = Array.from({ length: WARM_PER_KIND }, (_, i) => 101 + i);
  for (const id of actionIds) make(id, 'Action');
  for (const id of romanceIds) make(id, 'Romance');
  COLD_ACTION.forEach((action, k) => {
    const shared = { studios: [studios[2 * k]!], year: 2012 };
    catalogue.set(action, anime(action, { genres: ['Action', noise[k]!], ...shared }));
    catalogue.set(COLD_ROMANCE[k]!, anime(COLD_ROMANCE[k]!, { genres: ['Romance', noise[k]!], ...shared }));
  });
  const users: number[] = [];
  const items: number[] = [];
  const scores: number[] = [];
  for (let u = 0; u < 160; u++) {
    const mine = u % 2 === 0 ? actionIds : romanceIds;
    const other = u % 2 === 0 ? romanceIds : actionIds;
    for (const id of mine) if (rng() < 0.5) (users.push(u), items.push(id), scores.push(7 + Math.floor(rng() * 4)));
    // A few titles of the other kind, disliked or merely listed: real lists are not pure.
    for (const id of other) if (rng() < 0.05) (users.push(u), items.push(id), scores.push(rng() < 0.5 ? 0 : 3));
  }
  const { data } = buildTrainingData(Int32Array.from(users), Int32Array.from(items), Float32Array.from(scores), catalogue.keys());
  return { data, catalogue, actionIds, romanceIds };
}

const SMALL: Partial<TwoTowerParams> = {
  dimension: 16,
  itemHidden: [32],
  userHidden: [32],
  epochs: 25,
  targetsPerUser: 8,
  batchSize: 64,
  negatives: 16,
  learningRate: 0.01,
  synopsisFeatures: false,
  popularityFeatures: false,
};

function indexOf(data: TrainingData, id: number): number {
  const index = data.itemIds.indexOf(id);
  assert.ok(index >= 0, `MAL id ${id} is in the vocabulary`);
  return index;
}

function historyOf(data: TrainingData, ids: number[]): History {
  return { items: Int32Array.from(ids, (id) => indexOf(data, id)).sort(), scores: new Float32Array(ids.length).fill(9) };
}

test('twotower learns taste from item features: a cold title of the user’s kind ranks above its twin of the other kind', () => {
  const { data, catalogue, actionIds, romanceIds } = world();
  for (const id of [...COLD_ACTION, ...COLD_ROMANCE]) {
    const i = indexOf(data, id);
    for (let e = 0; e < data.indices.length; e++) assert.notEqual(data.indices[e], i, 'cold titles have no interactions');
  }
  // The feature path is what a cold title has: history ID embeddings are off here because, with
  // 30 interchangeable titles per kind, they mostly memorise which random titles a user listed.
  const model = trainTwoTower(data, catalogue, { ...SMALL, historyIds: false }, { seed: 1 });
  const out = new Float32Array(data.nItems);
  const rng = createRng(9);
  let checked = 0;
  for (let trial = 0; trial < 10; trial++) {
    for (const [mine, coldMine, coldOther] of [
      [actionIds, COLD_ACTION, COLD_ROMANCE],
      [romanceIds, COLD_ROMANCE, COLD_ACTION],
    ] as const) {
      const shown = mine.filter(() => rng() < 0.3);
      model.scoreFoldIn(historyOf(data, shown.length > 0 ? shown : [mine[0]!]), out);
      coldMine.forEach((a, k) => {
        const b = coldOther[k]!;
        assert.ok(
          out[indexOf(data, a)]! > out[indexOf(data, b)]!,
          `cold ${a} (${out[indexOf(data, a)]}) should beat its twin ${b} (${out[indexOf(data, b)]})`,
        );
        checked++;
      });
    }
  }
  assert.equal(checked, 40);
});

test('twotower scores every title, cold ones included, with finite numbers; a history with a cold title and an empty history work', () => {
  const { data, catalogue, actionIds } = world();
  const model = trainTwoTower(data, catalogue, { ...SMALL, epochs: 2 }, { seed: 2 });
  const out = new Float32Array(data.nItems).fill(NaN);
  for (const history of [
    historyOf(data, [actionIds[0]!, COLD_ACTION[0]!]),
    historyOf(data, [COLD_ROMANCE[0]!]),
    { items: new Int32Array(0), scores: new Float32Array(0) },
  ]) {
    out.fill(NaN);
    model.scoreFoldIn(history, out);
    assert.ok(out.length === data.nItems && out.length > 0);
    for (let i = 0; i < out.length; i++) assert.ok(Number.isFinite(out[i]), `item ${i} scored ${out[i]}`);
  }
});

test('twotower: the same seed gives the same model, another seed a different one', () => {
  const { data, catalogue, actionIds } = world();
  const params = { ...SMALL, epochs: 3 };
  const a = trainTwoTower(data, catalogue, params, { seed: 7 });
  const b = trainTwoTower(data, catalogue, params, { seed: 7 });
  const c = trainTwoTower(data, catalogue, params, { seed: 8 });
  const history = historyOf(data, actionIds.slice(0, 5));
  const [sa, sb, sc] = [a, b, c].map((m) => {
    const out = new Float32Array(data.nItems);
    m.scoreFoldIn(history, out);
    return out;
  });
  assert.deepEqual(sa, sb);
  assert.deepEqual(a.itemEmbeddings, b.itemEmbeddings);
  assert.notDeepEqual(sa, sc);
});

test('twotower: save and load give identical scores, through trainModel and the artifacts registry', async () => {
  assert.ok((MODEL_NAMES as readonly string[]).includes('twotower'));
  const { data, catalogue, romanceIds } = world();
  const trained = await trainModel(
    'twotower',
    data,
    catalogue,
    { ...DEFAULT_MODEL_PARAMS, twotower: { ...SMALL, epochs: 2, userHidden: [24, 16] } },
    { seed: 3 },
  );
  const dir = mkdtempSync(join(tmpdir(), 'anirec-twotower-'));
  try {
    await trained.recommender.save(dir);
    const loaded = await loadRecommender(dir);
    assert.ok(loaded instanceof TwoTowerRecommender);
    assert.equal(loaded.kind, 'twotower');
    for (const history of [historyOf(data, romanceIds.slice(0, 4)), historyOf(data, [COLD_ACTION[1]!, romanceIds[3]!])]) {
      const before = new Float32Array(data.nItems);
      const after = new Float32Array(data.nItems);
      trained.recommender.scoreFoldIn(history, before);
      loaded.scoreFoldIn(history, after);
      assert.deepEqual(after, before);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('twotower scores bit-for-bit the same through the SIMD kernel as through the scalar loop (env.wasm off)', () => {
  const { data, catalogue, actionIds, romanceIds } = world();
  const saved = env.wasm;
  try {
    const histories = [historyOf(data, actionIds.slice(0, 6)), historyOf(data, [COLD_ROMANCE[0]!, romanceIds[2]!, actionIds[9]!])];
    const scored = (wasm: boolean): Float32Array[] => {
      // Trained the same way both times (training has SIMD kernels of its own, which round
      // differently); a fresh model per path because the scoring kernel is chosen when a model first scores.
      env.wasm = true;
      const model = trainTwoTower(data, catalogue, { ...SMALL, epochs: 2 }, { seed: 4 });
      env.wasm = wasm;
      return histories.map((history) => {
        const out = new Float32Array(data.nItems).fill(Number.NaN);
        model.scoreFoldIn(history, out);
        return out;
      });
    };
    const simd = scored(true);
    const scalar = scored(false);
    assert.ok(
      simd.every((out) => out.every(Number.isFinite)),
      'every title is scored',
    );
    assert.deepEqual(simd, scalar);
  } finally {
    env.wasm = saved;
  }
});

test('twotower rejects parameters it cannot train with, naming the parameter', () => {
  const { data, catalogue } = world();
  assert.throws(() => trainTwoTower(data, catalogue, { idDropout: 1.5 }), /idDropout must be in \[0, 1\]/);
  assert.throws(() => trainTwoTower(data, catalogue, { itemHidden: [0] }), /itemHidden must be a list of positive integer widths/);
  assert.throws(
    () => trainTwoTower(data, catalogue, { metadataFeatures: false, synopsisFeatures: false, popularityFeatures: false }),
    /every item input is switched off/,
  );
});

test('twotower: continuing a fit on the same data for more epochs equals training that many epochs at once', () => {
  const { data, catalogue, actionIds } = world();
  const params = { ...SMALL, epochs: 3 };
  const straight = trainTwoTower(data, catalogue, params, { seed: 4 });
  const firstPart = trainTwoTower(data, catalogue, { ...params, epochs: 2 }, { seed: 4 });
  const continued = continueTwoTower(firstPart, data, catalogue, { ...params, epochs: 2 }, 1, { seed: 99 });
  const history = historyOf(data, actionIds.slice(0, 4));
  const a = new Float32Array(data.nItems);
  const b = new Float32Array(data.nItems);
  straight.scoreFoldIn(history, a);
  continued.scoreFoldIn(history, b);
  assert.ok(
    a.some((x) => x !== 0),
    'the model scores',
  );
  assert.deepEqual(b, a, 'the third epoch continues the first two: same weights, optimiser state and shuffles');
  const fresh = trainTwoTower(data, catalogue, { ...params, epochs: 1 }, { seed: 4 });
  const c = new Float32Array(data.nItems);
  fresh.scoreFoldIn(history, c);
  assert.notDeepEqual(c, a);
});

test('twotower: continuing needs the network of a model trained in this process, of the same shape', async () => {
  const { data, catalogue } = world();
  const trained = trainTwoTower(data, catalogue, { ...SMALL, epochs: 1 }, { seed: 4 });
  assert.throws(() => continueTwoTower(trained, data, catalogue, { ...SMALL, dimension: 8 }, 1), /another shape/);
  const dir = mkdtempSync(join(tmpdir(), 'anirec-twotower-continue-'));
  try {
    await trained.save(dir);
    const loaded = (await loadRecommender(dir)) as TwoTowerRecommender;
    assert.throws(() => continueTwoTower(loaded, data, catalogue, SMALL, 1), /trained in this process/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
