/**
 * Known users answered from rankings `anirec precompute` stored: the answer must be exactly what
 * scoring the list gives, narrow filters must still fill the page, and feedback must be reflected
 * at once (the stored ranking no longer matches the list, so the list is scored).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { RecommendationEngine } from '../../src/recommend/engine.js';
import { precomputeRankings } from '../../src/recommend/precompute.js';
import { historyOf } from '../../src/server/context.js';
import { buildServer } from '../../src/server/app.js';
import { createWorld, type TestWorld } from './setup.js';

let world: TestWorld;
let app: FastifyInstance;
let reference: RecommendationEngine;

/** What the route answers, and where the ranking came from (the counter's increase). */
async function recommend(user: string, query: string): Promise<{ ids: number[]; source: string }> {
  const before = await sources();
  const response = await app.inject({ method: 'GET', url: `/v1/users/${user}/recommendations?${query}` });
  assert.equal(response.statusCode, 200, response.body);
  const after = await sources();
  const source = ['precomputed', 'cached', 'scored'].find((s) => (after[s] ?? 0) > (before[s] ?? 0))!;
  return { ids: response.json().items.map((i: { anime: { id: number } }) => i.anime.id), source };
}

async function sources(): Promise<Record<string, number>> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  return Object.fromEntries(
    [...text.matchAll(/anirec_known_user_rankings_total\{source="(\w+)"\} (\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
  );
}

/** The same request answered by scoring the list (no stored ranking). */
async function scored(user: string, options: Parameters<RecommendationEngine['recommend']>[1]): Promise<number[]> {
  const [found] = await world.store.findUser('kaggle2016', user.split(':')[1]!);
  return reference.recommend(await historyOf(world.store, found!), options).items.map((i) => i.anime.id);
}

before(async () => {
  world = await createWorld({ ratingLines: 20_000 });
  ({ app } = await buildServer({
    store: world.store,
    modelsDir: world.modelsDir,
    config: { modelPollMs: 0, allowWritesWithoutKey: true },
  }));
  reference = await RecommendationEngine.create(world.bundle, world.store, 'reference');
  const result = await precomputeRankings(reference, world.store);
  assert.ok(result.users > 50);
  assert.equal(await world.store.countUserRankings(reference.rankingKey), result.users);
});

after(async () => {
  await app.close();
  await world.cleanup();
});

describe('precomputed known-user rankings', () => {
  it('answer exactly what scoring the list answers, pages and diversity included', async () => {
    for (const user of ['kaggle2016:1', 'kaggle2016:7', 'kaggle2016:20']) {
      const first = await recommend(user, 'k=10');
      assert.equal(first.source, 'precomputed');
      assert.deepEqual(first.ids, await scored(user, { k: 10 }));
      // The same list again (next page): the engine's cache answers, holding the stored ranking.
      const second = await recommend(user, 'k=10&offset=10&diversity=0.4');
      assert.equal(second.source, 'cached');
      assert.deepEqual(second.ids, await scored(user, { k: 10, offset: 10, diversity: 0.4 }));
    }
  });

  it('score the list when the stored titles cannot fill a narrowly filtered page', async () => {
    const res = await recommend('kaggle2016:1', 'k=10&formats=Music');
    assert.equal(res.source, 'scored');
    assert.equal(res.ids.length, 10);
    assert.deepEqual(res.ids, await scored('kaggle2016:1', { k: 10, filters: { formats: ['Music'] } }));
  });

  it('are ignored once the list changes, so feedback shows in the next answer', async () => {
    const before = await recommend('kaggle2016:3', 'k=10');
    assert.equal(before.source, 'precomputed');
    const top = before.ids[0]!;
    const put = await app.inject({ method: 'PUT', url: `/v1/users/kaggle2016:3/list/${top}`, payload: { score: 2, status: 'dropped' } });
    assert.equal(put.statusCode, 201, put.body);
    const afterFeedback = await recommend('kaggle2016:3', 'k=10');
    assert.equal(afterFeedback.source, 'scored');
    assert.ok(!afterFeedback.ids.includes(top));
    assert.deepEqual(afterFeedback.ids, await scored('kaggle2016:3', { k: 10 }));
  });

  it('are removed for other models when a new model is precomputed', async () => {
    await world.store.putUserRankings('older-model', [{ userId: 1, listKey: 'x', animeIds: Int32Array.of(1), scores: Float32Array.of(1) }]);
    const result = await precomputeRankings(reference, world.store);
    assert.equal(result.pruned, 1);
    assert.equal(await world.store.countUserRankings('older-model'), 0);
  });
});
