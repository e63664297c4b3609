import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RecommendationEngine } from '../../src/recommend/engine.js';
import type { HistoryEntry } from '../../src/recommend/taste-profile.js';
import { createWorld, type TestWorld } from '../server/setup.js';

/**
 * The engine caches each list's ranking by list content and cuts every page from it: a filtered
 * request followed by an unfiltered one for the same list must give exactly what a fresh engine
 * gives, and a changed list must be scored anew.
 */
describe('fold-in score cache', () => {
  let world: TestWorld;
  before(async () => {
    world = await createWorld();
  });
  after(async () => world.cleanup());

  const list: HistoryEntry[] = [
    { animeId: 5114, score: 10, status: 'completed' },
    { animeId: 1535, score: 9, status: 'completed' },
    { animeId: 11061, score: 8, status: 'completed' },
  ];
  const ids = (result: { items: { anime: { id: number } }[] }): number[] => result.items.map((i) => i.anime.id);

  it('serves repeated and re-filtered lists exactly as a fresh engine would', async () => {
    const fresh = await RecommendationEngine.create(world.bundle, world.store, 'fresh');
    const expected = ids(fresh.recommend(list, { k: 20 }));
    const engine = await RecommendationEngine.create(world.bundle, world.store, 'cached');
    const filtered = ids(engine.recommend(list, { k: 20, filters: { formats: ['Movie'] } }));
    assert.notDeepEqual(filtered, expected, 'the filter changes the list (else this test proves nothing)');
    assert.deepEqual(ids(engine.recommend(list, { k: 20 })), expected);
    assert.deepEqual(ids(engine.recommend(list, { k: 20 })), expected);
  });

  it('scores a changed list anew (feedback is never answered from a stale ranking)', async () => {
    const engine = await RecommendationEngine.create(world.bundle, world.store, 'cached');
    const before = ids(engine.recommend(list, { k: 20 }));
    const changed: HistoryEntry[] = [...list, { animeId: before[0]!, score: 2, status: 'dropped' }];
    const fresh = await RecommendationEngine.create(world.bundle, world.store, 'fresh');
    assert.deepEqual(ids(engine.recommend(changed, { k: 20 })), ids(fresh.recommend(changed, { k: 20 })));
    assert.ok(!ids(engine.recommend(changed, { k: 20 })).includes(before[0]!));
  });
});
