/**
 * The season filter over HTTP, on the real test world (bundled catalogues, the first ~600 users
 * of the bundled 2016 ratings, item-kNN): parsing and errors, `current` by an injected clock,
 * every mode filtered to a season the ratings cover, and new seasons of listed series first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { createWorld, type TestWorld } from './setup.js';

let world: TestWorld;
let app: FastifyInstance;
let clock = new Date('2016-05-01T09:00:00Z');
const KEY = 'test-key';

interface Item {
  rank: number;
  score: number | null;
  anime: { id: number; title: string; year: number | null; season: string | null; status: string | null };
  reason: string;
  reasons: { kind: string; text: string; animeIds?: number[] }[];
}

async function get(url: string): Promise<{ status: number; body: any }> {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json() };
}

async function post(url: string, payload: object): Promise<{ status: number; body: any }> {
  const r = await app.inject({ method: 'POST', url, payload });
  return { status: r.statusCode, body: r.json() };
}

function assertInSeason(items: Item[], year: number, season: string, what: string): void {
  assert.ok(items.length > 0, `${what}: no items`);
  for (const item of items) assert.deepEqual([item.anime.year, item.anime.season], [year, season], `${what}: ${item.anime.title}`);
}

before(async () => {
  world = await createWorld();
  ({ app } = await buildServer({
    store: world.store,
    modelsDir: world.modelsDir,
    config: { apiKeys: [KEY], modelPollMs: 0, rateLimitPerMinute: 0 },
    now: () => clock,
  }));
});

after(async () => {
  await app.close();
  await world.cleanup();
});

describe('season filter: parsing and errors', () => {
  it('accepts YEAR-SEASON and says which season it applied', async () => {
    const res = await get('/v1/users/kaggle2016:1/recommendations?k=5&season=2025-fall');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.season, '2025-fall');
    for (const item of res.body.items as Item[]) assert.deepEqual([item.anime.year, item.anime.season], [2025, 'fall']);
  });

  it('resolves current by the server clock, per request (a cached filter never outlives its season)', async () => {
    clock = new Date('2016-05-01T09:00:00Z');
    const spring = await get('/v1/users/kaggle2016:1/recommendations?k=10&season=current');
    assert.equal(spring.status, 200);
    assert.equal(spring.body.season, '2016-spring');
    assertInSeason(spring.body.items, 2016, 'spring', 'current in May 2016');
    clock = new Date('2016-08-20T09:00:00Z');
    const summer = await get('/v1/users/kaggle2016:1/recommendations?k=10&season=current');
    assert.equal(summer.body.season, '2016-summer');
    assertInSeason(summer.body.items, 2016, 'summer', 'current in August 2016');
    clock = new Date('2016-05-01T09:00:00Z');
  });

  it('answers bad values with a 400 naming season and the expected form', async () => {
    for (const bad of ['2025-autumn', '2025', 'fall-2025', 'Current', '2025-Fall', '', 'now']) {
      const res = await get(`/v1/users/kaggle2016:1/recommendations?season=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.field, 'querystring.season', bad);
      assert.match(res.body.message, /YEAR-SEASON .*winter, spring, summer, fall .*2025-fall.*or current/, bad);
    }
    const early = await get('/v1/users/kaggle2016:1/recommendations?season=0999-fall');
    assert.equal(early.status, 400);
    assert.equal(early.body.field, 'querystring.season');
    const body = await post('/v1/recommendations/from-titles', { titles: [{ id: 1, score: 9 }], filters: { season: '2016-autumn' } });
    assert.equal(body.status, 400);
    assert.equal(body.body.field, 'body.filters.season');
    assert.match(body.body.message, /YEAR-SEASON/);
    const prefs = await post('/v1/recommendations/from-preferences', { likedGenres: ['Action'], filters: { season: 'spring' } });
    assert.equal(prefs.status, 400);
    assert.equal(prefs.body.field, 'body.filters.season');
    const similar = await get('/v1/similar?id=1&season=16-spring');
    assert.equal(similar.status, 400);
    assert.equal(similar.body.field, 'querystring.season');
  });
});

describe('season filter: every mode, on seasons the 2016 ratings cover', () => {
  it('known user', async () => {
    const res = await get('/v1/users/kaggle2016:2/recommendations?k=10&season=2016-spring');
    assert.equal(res.status, 200);
    assertInSeason(res.body.items, 2016, 'spring', 'known user');
  });

  it('from titles', async () => {
    const res = await post('/v1/recommendations/from-titles', {
      titles: [
        { id: 1, score: 10 },
        { id: 5114, score: 9 },
      ],
      k: 10,
      filters: { season: '2015-fall' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.season, '2015-fall');
    assertInSeason(res.body.items, 2015, 'fall', 'from titles');
  });

  it('from preferences, with current', async () => {
    const res = await post('/v1/recommendations/from-preferences', { likedGenres: ['Action'], k: 10, filters: { season: 'current' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.season, '2016-spring');
    assertInSeason(res.body.items, 2016, 'spring', 'from preferences');
  });

  it('similar and starter', async () => {
    const similar = await get('/v1/similar?id=5114&mode=hybrid&k=10&season=2016-spring');
    assert.equal(similar.status, 200);
    assert.equal(similar.body.season, '2016-spring');
    assertInSeason(similar.body.items, 2016, 'spring', 'similar');
    const starter = await get('/v1/recommendations/starter?k=10&seed=3&season=2016-spring');
    assertInSeason(starter.body.items, 2016, 'spring', 'starter');
  });

  it('combines with status (the 2026 catalogue snapshot has every 2016 title finished)', async () => {
    const finished = await get('/v1/users/kaggle2016:2/recommendations?k=10&season=2016-spring&status=finished');
    assertInSeason(finished.body.items, 2016, 'spring', 'season + finished');
    for (const item of finished.body.items as Item[]) assert.equal(item.anime.status, 'finished');
    const airing = await get('/v1/users/kaggle2016:2/recommendations?k=10&season=2016-spring&status=airing');
    assert.equal(airing.status, 200);
    assert.deepEqual(airing.body.items, [], 'no 2016 spring title is airing in the catalogue');
  });
});

describe('new seasons of listed series come first', () => {
  // JoJo (TV, 2012) → Part 4 (spring 2016), which no user of the test slice has rated; Terra
  // Formars (2014) → Revenge (spring 2016), which the model knows.
  const titles = [
    { id: 14719, score: 10 },
    { id: 22687, score: 8 },
    { id: 1, score: 9 },
    { id: 5114, score: 9 },
  ];

  it('from titles: the continuations lead, best-liked series first, and the reason says so', async () => {
    const res = await post('/v1/recommendations/from-titles', { titles, k: 8, filters: { season: '2016-spring' } });
    assert.equal(res.status, 200);
    const items = res.body.items as Item[];
    assertInSeason(items, 2016, 'spring', 'seasonal from titles');
    assert.deepEqual(
      items.slice(0, 2).map((i) => i.anime.id),
      [31933, 31430],
    );
    assert.deepEqual(
      items.map((i) => i.rank),
      items.map((_, i) => i + 1),
    );
    const [jojo, terra] = items as [Item, Item];
    assert.equal(jojo.reasons[0]!.kind, 'new_season');
    assert.match(jojo.reason, /^New season of JoJo no Kimyou na Bouken \(TV\), which you rated 10\/10$/);
    assert.deepEqual(jojo.reasons[0]!.animeIds, [14719]);
    assert.equal(jojo.score, null, 'a title the model has no ratings for is still listed, for its series');
    assert.ok(res.body.notes.some((n: string) => /new to the model/.test(n)));
    assert.match(terra.reason, /^New season of Terra Formars, which you rated 8\/10$/);
    assert.equal(typeof terra.score, 'number', 'the model scores Revenge');
    assert.ok(terra.reasons.length >= 2, "the model's own reasons follow");
    assert.ok(items.slice(2).every((i) => i.reasons[0]!.kind !== 'new_season'));
  });

  it('pages are slices of one order', async () => {
    const body = (offset: number, k: number) => ({ titles, k, offset, filters: { season: '2016-spring' } });
    const whole = await post('/v1/recommendations/from-titles', body(0, 9));
    const first = await post('/v1/recommendations/from-titles', body(0, 4));
    const second = await post('/v1/recommendations/from-titles', body(first.body.nextOffset, 5));
    assert.equal(first.body.nextOffset, 4);
    const ids = (r: { body: { items: Item[] } }) => r.body.items.map((i) => i.anime.id);
    assert.equal(ids(whole).length, 9);
    assert.deepEqual([...ids(first), ...ids(second)], ids(whole));
    assert.deepEqual(
      second.body.items.map((i: Item) => i.rank),
      [5, 6, 7, 8, 9],
    );
  });

  it('known user: the same, from the stored list; a listed continuation is not shown again', async () => {
    const put = (id: number, body: object) =>
      app.inject({ method: 'PUT', url: `/v1/users/local:seasonfan/list/${id}`, headers: { 'x-api-key': KEY }, payload: body });
    for (const t of titles) assert.ok([200, 201].includes((await put(t.id, { score: t.score, status: 'completed' })).statusCode));
    const res = await get('/v1/users/local:seasonfan/recommendations?k=6&season=current');
    assert.equal(res.status, 200);
    assert.equal(res.body.season, '2016-spring');
    assert.deepEqual(
      res.body.items.slice(0, 2).map((i: Item) => i.anime.id),
      [31933, 31430],
    );
    assert.equal(res.body.items[0].reasons[0].kind, 'new_season');
    assert.ok([200, 201].includes((await put(31933, { status: 'watching' })).statusCode));
    const after = await get('/v1/users/local:seasonfan/recommendations?k=6&season=current');
    assert.equal(after.body.items[0].anime.id, 31430);
    assert.ok(!after.body.items.some((i: Item) => i.anime.id === 31933), 'listed titles stay out');
  });

  it('airing only (what the web row falls back to) is seasonal too: a new season airing now leads', async () => {
    // Trigun (1998) → Trigun Stargaze, airing in the catalogue's 2026 snapshot, unknown to the 2016 ratings.
    const res = await post('/v1/recommendations/from-titles', {
      titles: [
        { id: 6, score: 10 },
        { id: 1, score: 9 },
      ],
      k: 5,
      filters: { status: ['airing'] },
    });
    assert.equal(res.status, 200);
    const items = res.body.items as Item[];
    assert.ok(items.length > 0);
    for (const item of items) assert.equal(item.anime.status, 'airing', item.anime.title);
    assert.equal(items[0]!.anime.id, 54863);
    assert.equal(items[0]!.reason, 'New season of Trigun, which you rated 10/10');
    assert.equal(res.body.season, undefined, 'no season filter, no season in the answer');
  });

  it('without a season filter nothing is re-ordered', async () => {
    const res = await post('/v1/recommendations/from-titles', { titles, k: 20, filters: { yearMin: 2016, yearMax: 2016 } });
    assert.ok(res.body.items.length > 0);
    assert.ok(res.body.items.every((i: Item) => i.reasons[0]!.kind !== 'new_season' && typeof i.score === 'number'));
  });
});
