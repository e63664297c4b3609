/**
 * Filtered requests over HTTP with the default hybrid model (issue 12): every mode returns `k`
 * titles matching the filter, including titles released after the 2016 ratings that nobody in
 * the training data rated, and says in `notes` when fewer match. Each test checks that items
 * came back before checking a property of every item.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { createWorld, promote, trainInto, type TestWorld } from './setup.js';

let world: TestWorld;
let app: FastifyInstance;
let user: string;

interface Item {
  rank: number;
  score: number;
  reason: string;
  anime: {
    id: number;
    title: string;
    year: number | null;
    status: string | null;
    season: string | null;
    genres: string[];
    themes: string[];
  };
}

before(async () => {
  world = await createWorld({ ratingLines: 25_000 });
  const { dir } = await trainInto(world.store, world.modelsDir, 'anirec', 'anirec-1');
  promote(world.modelsDir, dir);
  ({ app } = await buildServer({ store: world.store, modelsDir: world.modelsDir, config: { modelPollMs: 0, rateLimitPerMinute: 0 } }));
  for (let id = 1; id <= 60; id++) {
    if ((await world.store.userInteractions(id)).length >= 40) {
      const stored = await world.store.getUser(id);
      user = `${stored!.source}:${stored!.externalId}`;
      break;
    }
  }
  assert.ok(user, 'a known user with 40+ titles');
});

after(async () => {
  await app.close();
  await world.cleanup();
});

/** `byScore` false: a seasonal list puts new seasons of listed series first, whatever their score. */
function itemsOf(res: { statusCode: number; body: string; json(): unknown }, k: number, byScore = true): Item[] {
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { items: Item[]; notes: string[]; model: { kind: string } };
  assert.equal(body.model.kind, 'anirec');
  assert.equal(body.items.length, k, `${k} items; notes: ${body.notes.join('; ')}`);
  if (byScore) for (let i = 1; i < body.items.length; i++) assert.ok(body.items[i - 1]!.score >= body.items[i]!.score, 'best first');
  return body.items;
}

const pasted = [
  { id: 1, score: 10 },
  { id: 30, score: 9 },
  { id: 2001, score: 9 },
  { id: 1575, score: 9 },
];

describe('filtered requests return k matching titles in every mode', () => {
  it('known user: yearMin=2017 (all after the ratings), status=airing, a season, a genre of an era', async () => {
    for (const item of itemsOf(await app.inject(`/v1/users/${user}/recommendations?k=10&yearMin=2017`), 10))
      assert.ok(item.anime.year! >= 2017, item.anime.title);
    for (const item of itemsOf(await app.inject(`/v1/users/${user}/recommendations?k=10&status=airing`), 10, false))
      assert.equal(item.anime.status, 'airing');
    for (const item of itemsOf(await app.inject(`/v1/users/${user}/recommendations?k=10&season=2024-fall`), 10, false)) {
      assert.equal(item.anime.year, 2024);
      assert.equal(item.anime.season, 'fall');
    }
    for (const item of itemsOf(await app.inject(`/v1/users/${user}/recommendations?k=10&genres=Comedy&yearMin=2018&yearMax=2022`), 10)) {
      assert.ok(item.anime.genres.includes('Comedy') && item.anime.year! >= 2018 && item.anime.year! <= 2022, item.anime.title);
    }
  });

  it('page 2 of a filtered known-user list continues page 1', async () => {
    const first = itemsOf(await app.inject(`/v1/users/${user}/recommendations?k=10&yearMin=2019`), 10);
    const second = itemsOf(await app.inject(`/v1/users/${user}/recommendations?k=10&offset=10&yearMin=2019`), 10);
    const whole = itemsOf(await app.inject(`/v1/users/${user}/recommendations?k=20&yearMin=2019`), 20);
    assert.deepEqual(
      [...first, ...second].map((i) => i.anime.id),
      whole.map((i) => i.anime.id),
    );
    assert.deepEqual(
      second.map((i) => i.rank),
      [11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    );
  });

  it('from titles: filters.yearMin=2019, and a theme', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/recommendations/from-titles',
      payload: { titles: pasted, k: 10, filters: { yearMin: 2019 } },
    });
    for (const item of itemsOf(res, 10)) assert.ok(item.anime.year! >= 2019, item.anime.title);
    const mecha = await app.inject({
      method: 'POST',
      url: '/v1/recommendations/from-titles',
      payload: { titles: pasted, k: 10, filters: { themes: ['Mecha'], yearMin: 2015 } },
    });
    for (const item of itemsOf(mecha, 10)) assert.ok(item.anime.themes.includes('Mecha') && item.anime.year! >= 2015, item.anime.title);
  });

  it('from preferences and more like this, filtered to recent titles', async () => {
    const prefs = await app.inject({
      method: 'POST',
      url: '/v1/recommendations/from-preferences',
      payload: { likedGenres: ['Sci-Fi'], k: 10, filters: { yearMin: 2018 } },
    });
    for (const item of itemsOf(prefs, 10)) assert.ok(item.anime.year! >= 2018, item.anime.title);
    for (const mode of ['hybrid', 'content', 'collaborative']) {
      const similar = await app.inject(`/v1/similar?id=30&mode=${mode}&k=10&yearMin=2018`);
      for (const item of itemsOf(similar, 10)) assert.ok(item.anime.year! >= 2018, `${mode}: ${item.anime.title}`);
    }
  });

  it('says in notes when fewer titles match than asked', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/recommendations/from-titles',
      payload: { titles: pasted, k: 100, filters: { status: ['upcoming'], themes: ['Mecha'] } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { items: Item[]; notes: string[] };
    assert.ok(body.items.length > 0 && body.items.length < 100, `${body.items.length} upcoming mecha titles`);
    for (const item of body.items) assert.equal(item.anime.status, 'upcoming');
    // Grouped by franchise (the default), the count is of cards.
    assert.ok(
      body.notes.some((n) => n.startsWith(`Only ${body.items.length} title(s) or franchise(s) match these filters`)),
      body.notes.join('; '),
    );
  });
});
