import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { ReplayServer } from '../data/anilist/replay-server.js';
import { createWorld, FIXTURES, type TestWorld } from './setup.js';

let world: TestWorld;
let app: FastifyInstance;
let anilist: ReplayServer;
const KEY = 'test-key';
const auth = { 'x-api-key': KEY };

async function get(url: string): Promise<{ status: number; body: any }> {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json() };
}

async function send(
  method: 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = auth,
): Promise<{ status: number; body: any }> {
  const r = await app.inject({ method, url, payload: payload as object, headers });
  return { status: r.statusCode, body: r.json() };
}

function assertError(res: { status: number; body: any }, status: number, field: string | RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(typeof res.body.error, 'string');
  assert.equal(typeof res.body.message, 'string');
  if (typeof field === 'string') assert.equal(res.body.field, field);
  else assert.match(res.body.field, field);
  assert.doesNotMatch(JSON.stringify(res.body), /at .*\.ts:\d+/, 'no stack traces');
}

before(async () => {
  world = await createWorld();
  anilist = await new ReplayServer().start();
  ({ app } = await buildServer({
    store: world.store,
    modelsDir: world.modelsDir,
    config: { apiKeys: [KEY], anilistEndpoint: anilist.endpoint, modelPollMs: 0 },
  }));
});

after(async () => {
  await app.close();
  await anilist.close();
  await world.cleanup();
});

describe('known user (mode 1)', () => {
  it('returns k items with reasons, none already listed', async () => {
    const res = await get('/v1/users/kaggle2016:1/recommendations?k=5');
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 5);
    const list = await get('/v1/users/kaggle2016:1/list');
    const listed = new Set(list.body.entries.map((e: { animeId: number }) => e.animeId));
    for (const item of res.body.items) {
      assert.ok(!listed.has(item.anime.id), 'listed titles are excluded');
      assert.ok(item.reason.length > 0);
      assert.ok(item.reasons.length > 0);
    }
    assert.ok(res.body.items.some((i: { reasons: { kind: string }[] }) => i.reasons[0]!.kind === 'because_you_liked'));
  });

  it('pages without repeats', async () => {
    const p1 = await get('/v1/users/1/recommendations?k=5');
    const p2 = await get(`/v1/users/1/recommendations?k=5&offset=${p1.body.nextOffset}`);
    const both = await get('/v1/users/1/recommendations?k=10');
    assert.deepEqual(
      [...p1.body.items, ...p2.body.items].map((i: { anime: { id: number } }) => i.anime.id),
      both.body.items.map((i: { anime: { id: number } }) => i.anime.id),
    );
  });

  it('applies filters', async () => {
    const res = await get('/v1/users/1/recommendations?k=10&genres=Comedy&formats=TV&yearMin=2005&minScore=7&diversity=0.5');
    assert.equal(res.status, 200);
    for (const item of res.body.items) {
      assert.ok(item.anime.genres.includes('Comedy'));
      assert.equal(item.anime.format, 'TV');
      assert.ok(item.anime.year >= 2005);
      assert.ok(item.anime.malScore >= 7);
    }
    const gems = await get('/v1/users/1/recommendations?k=5&minPopularityRank=1000');
    for (const item of gems.body.items) assert.ok(item.anime.popularityRank >= 1000);
  });

  it('applies every other filter to every item it returns', async () => {
    const listed = new Set((await get('/v1/users/1/list')).body.entries.map((e: { animeId: number }) => e.animeId));
    const query =
      'k=15&excludeGenres=Comedy,Romance&yearMax=2012&episodesMin=10&episodesMax=30&maxPopularityRank=3000&status=finished&formats=TV';
    const res = await get(`/v1/users/1/recommendations?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.items.length > 0, 'the combination leaves something to recommend (else this proves nothing)');
    for (const { anime } of res.body.items) {
      assert.ok(!anime.genres.includes('Comedy') && !anime.genres.includes('Romance'));
      assert.ok(anime.year <= 2012 && anime.episodes >= 10 && anime.episodes <= 30);
      assert.ok(anime.popularityRank <= 3000);
      assert.equal(anime.status, 'finished');
      assert.equal(anime.adult, false);
      assert.ok(!listed.has(anime.id));
    }
    // Themes: required and excluded (the card's themes include demographics, as the filter does).
    const themed = await get('/v1/users/1/recommendations?k=10&themes=School&excludeThemes=Music');
    assert.equal(themed.status, 200, JSON.stringify(themed.body));
    assert.ok(themed.body.items.length > 0);
    for (const { anime } of themed.body.items) assert.ok(anime.themes.includes('School') && !anime.themes.includes('Music'));
    // excludeListed=false lets the user's own titles be ranked (a re-watch list).
    const rewatch = await get('/v1/users/1/recommendations?k=50&excludeListed=false');
    assert.ok(rewatch.body.items.some((i: { anime: { id: number } }) => listed.has(i.anime.id)));
  });

  it('keeps adult titles out unless asked, and ranks the plan-to-watch list only when asked', async () => {
    const user = 'local:filters-test';
    // A plan-to-watch title (Hunter x Hunter 2011) on an otherwise ordinary list.
    for (const [id, score] of [
      [5114, 10],
      [1535, 9],
      [16498, 9],
      [1575, 8],
    ] as const) {
      assert.equal((await send('PUT', `/v1/users/${user}/list/${id}`, { score })).status, 201);
    }
    assert.equal((await send('PUT', `/v1/users/${user}/list/11061`, { status: 'plan_to_watch' })).status, 201);
    const plain = await get(`/v1/users/${user}/recommendations?k=100`);
    assert.ok(plain.body.items.every((i: { anime: { adult: boolean; id: number } }) => !i.anime.adult && i.anime.id !== 11061));
    const planned = await get(`/v1/users/${user}/recommendations?k=20&excludePlanned=false&formats=TV&yearMin=2011&yearMax=2011`);
    assert.ok(
      planned.body.items.some((i: { anime: { id: number } }) => i.anime.id === 11061),
      'the planned title is ranked when asked',
    );
    // Adult titles appear only with includeAdult=true.
    const adult = await get(`/v1/users/${user}/recommendations?k=10&includeAdult=true&genres=Hentai`);
    assert.equal(adult.status, 200, JSON.stringify(adult.body));
    assert.ok(adult.body.items.length > 0 && adult.body.items.every((i: { anime: { adult: boolean } }) => i.anime.adult));
    assert.equal((await get(`/v1/users/${user}/recommendations?k=10&genres=Hentai`)).body.items.length, 0);
  });

  it('rejects bad input with the field named', async () => {
    assertError(await get('/v1/users/1/recommendations?k=0'), 400, 'querystring.k');
    assertError(await get('/v1/users/1/recommendations?k=abc'), 400, 'querystring.k');
    assertError(await get('/v1/users/1/recommendations?gernes=Action'), 400, 'querystring.gernes');
    assertError(await get('/v1/users/1/recommendations?formats=Film'), 400, /querystring\.formats/);
    assertError(await get('/v1/users/1/recommendations?yearMin=2010&yearMax=2000'), 400, 'querystring.year');
    const typo = await get('/v1/users/1/recommendations?genres=Comdey');
    assertError(typo, 400, 'querystring.genres');
    assert.deepEqual(typo.body.suggestions, ['Comedy']);
    const unknown = await get('/v1/users/mal:1/recommendations');
    assertError(unknown, 404, 'params.user');
    assert.deepEqual(unknown.body.suggestions, ['kaggle2016:1']);
  });
});

describe('new user from titles (mode 2)', () => {
  it('resolves typo titles and ids, and excludes them from the results', async () => {
    const res = await send(
      'POST',
      '/v1/recommendations/from-titles',
      { titles: [{ title: 'cowboy bebob', score: 10 }, { id: 5114, score: 9 }, { title: 'steins gate' }], k: 5 },
      {},
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.resolved[0].anime.id, 1);
    assert.equal(res.body.resolved[1].anime.title, 'Steins;Gate');
    assert.equal(res.body.items.length, 5);
    for (const item of res.body.items) assert.ok(![1, 5114, 9253].includes(item.anime.id));
  });

  it('falls back to the starter set for an empty list', async () => {
    const res = await send('POST', '/v1/recommendations/from-titles', { titles: [], k: 3 }, {});
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 3);
    assert.match(res.body.notes[0], /starter/);
  });

  it('rejects bad entries', async () => {
    assertError(await send('POST', '/v1/recommendations/from-titles', { titles: [{ score: 9 }] }, {}), 400, 'body.titles[0]');
    assertError(await send('POST', '/v1/recommendations/from-titles', { titles: [{ id: 1, score: 11 }] }, {}), 400, 'body.titles[0].score');
    assertError(await send('POST', '/v1/recommendations/from-titles', { titles: [{ id: 987654321 }] }, {}), 404, 'body.titles[0].id');
    assertError(
      await send('POST', '/v1/recommendations/from-titles', { titles: [{ title: 'zzqxj vvkw' }] }, {}),
      404,
      'body.titles[0].title',
    );
    assertError(await send('POST', '/v1/recommendations/from-titles', {}, {}), 400, 'body.titles');
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/recommendations/from-titles',
      payload: '{"titles": [',
      headers: { 'content-type': 'application/json' },
    });
    assertError({ status: bad.statusCode, body: bad.json() }, 400, 'body');
  });
});

describe('preferences (mode 3) and starter (mode 4)', () => {
  it('recommends on-taste titles honouring dislikes, formats and era', async () => {
    const res = await send(
      'POST',
      '/v1/recommendations/from-preferences',
      { likedThemes: ['mecha'], dislikedGenres: ['Comedy'], formats: ['TV'], era: { from: 2006, to: 2015 }, k: 8 },
      {},
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.items.length, 8);
    for (const item of res.body.items) {
      assert.ok(!item.anime.genres.includes('Comedy'));
      assert.equal(item.anime.format, 'TV');
      assert.ok(item.anime.year >= 2006 && item.anime.year <= 2015);
    }
    assert.ok(res.body.items.filter((i: { anime: { themes: string[] } }) => i.anime.themes.includes('Mecha')).length >= 5);
    assert.match(res.body.items[0].reason, /mecha/);
  });

  it('names unknown tags with suggestions', async () => {
    const res = await send('POST', '/v1/recommendations/from-preferences', { likedThemes: ['Mecah'] }, {});
    assertError(res, 400, 'body.likedThemes');
    assert.ok(res.body.suggestions.includes('Mecha'));
    assertError(await send('POST', '/v1/recommendations/from-preferences', { era: { from: 2010, to: 2000 } }, {}), 400, 'body.era');
  });

  it('starter sets differ by seed, repeat for the same seed, and span genres', async () => {
    const a = await get('/v1/recommendations/starter?k=10&seed=1');
    const b = await get('/v1/recommendations/starter?k=10&seed=2');
    const a2 = await get('/v1/recommendations/starter?k=10&seed=1');
    const ids = (r: { body: { items: { anime: { id: number } }[] } }) => r.body.items.map((i) => i.anime.id);
    assert.deepEqual(ids(a), ids(a2));
    assert.notDeepEqual(ids(a), ids(b));
    const genres = new Set(a.body.items.flatMap((i: { anime: { genres: string[] } }) => i.anime.genres));
    assert.ok(genres.size >= 6, `starter spans genres (${[...genres]})`);
    assert.equal(typeof (await get('/v1/recommendations/starter')).body.seed, 'number');
  });
});

describe('more like this (mode 5) and search (mode 7)', () => {
  it('matches a typo title, returns alternatives, and works in every mode', async () => {
    for (const mode of ['collaborative', 'content', 'hybrid']) {
      const res = await get(`/v1/similar?title=${encodeURIComponent('fullmetal alchemist brotherhod')}&mode=${mode}&k=5`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.match.id, 5114);
      assert.ok(res.body.alternatives.length > 0);
      assert.equal(res.body.items.length, 5);
      assert.ok(res.body.items.every((i: { anime: { id: number } }) => i.anime.id !== 5114));
      assert.ok(res.body.items.every((i: { reasons: { kind: string }[] }) => i.reasons[0]!.kind === 'similar_to'));
    }
    const byId = await get('/v1/similar?id=1&k=3');
    assert.equal(byId.body.match.id, 1);
  });

  it('rejects bad similar requests', async () => {
    assertError(await get('/v1/similar'), 400, 'querystring.id');
    assertError(await get('/v1/similar?id=1&mode=magic'), 400, 'querystring.mode');
    assertError(await get('/v1/similar?id=987654321'), 404, 'querystring.id');
    assertError(await get('/v1/similar?title=qqqqqqzzzz'), 404, 'querystring.title');
  });

  it('autocompletes titles', async () => {
    const res = await get('/v1/search?q=death%20not&limit=3');
    assert.equal(res.status, 200);
    assert.equal(res.body.results[0].anime.title, 'Death Note');
    assertError(await get('/v1/search'), 400, 'querystring.q');
    assertError(await get('/v1/search?q=a&limit=500'), 400, 'querystring.limit');
  });
});

describe('similar users and taste profile (mode 6)', () => {
  it('finds similar users with shared favourites', async () => {
    const res = await get('/v1/users/1/similar-users?k=3');
    assert.equal(res.status, 200);
    assert.equal(res.body.users.length, 3);
    assert.ok(res.body.users.every((u: { user: { id: string } }) => u.user.id !== 'kaggle2016:1'));
    assert.ok(res.body.users[0].sharedTitles > 0);
  });

  it('profiles taste', async () => {
    const res = await get('/v1/users/kaggle2016:3/profile');
    assert.equal(res.status, 200);
    assert.equal(res.body.scoreDistribution.length, 10);
    assert.ok(res.body.favourites.genres.length > 0);
    assert.equal(typeof res.body.averageUserMeanScore, 'number');
    assertError(await get('/v1/users/nobody-here/profile'), 404, 'params.user');
  });
});

describe('feedback (mode 8)', () => {
  it('changes the next recommendation and persists', async () => {
    const user = 'local:feedback-test';
    assert.equal((await send('PUT', `/v1/users/${user}/list/1`, { score: 10 })).status, 201);
    const first = await get(`/v1/users/${user}/recommendations?k=5`);
    assert.equal(first.status, 200);
    const top = first.body.items[0].anime.id;
    // Rating the top recommendation removes it from the next list, and a strong dislike of it
    // changes what is recommended.
    assert.equal((await send('PUT', `/v1/users/${user}/list/${top}`, { score: 1, status: 'dropped' })).status, 201);
    const second = await get(`/v1/users/${user}/recommendations?k=5`);
    assert.ok(second.body.items.every((i: { anime: { id: number } }) => i.anime.id !== top));
    const list = await get(`/v1/users/${user}/list`);
    assert.deepEqual(
      list.body.entries.map((e: { animeId: number; score: number }) => [e.animeId, e.score]).sort(),
      [
        [1, 10],
        [top, 1],
      ].sort(),
    );
    // A partial update keeps the status.
    const updated = await send('PUT', `/v1/users/${user}/list/${top}`, { score: 3 });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.entry.status, 'dropped');
    assert.equal((await send('DELETE', `/v1/users/${user}/list/${top}`)).status, 200);
    assertError(await send('DELETE', `/v1/users/${user}/list/${top}`), 404, 'params.animeId');
    const third = await get(`/v1/users/${user}/list`);
    assert.equal(third.body.entries.length, 1);
  });

  it('validates feedback', async () => {
    assertError(await send('PUT', '/v1/users/local:x/list/1', { score: 0 }), 400, 'body.score');
    assertError(await send('PUT', '/v1/users/local:x/list/1', { status: 'loved' }), 400, /body\.status/);
    assertError(await send('PUT', '/v1/users/local:x/list/1', {}), 400, 'body');
    assertError(await send('PUT', '/v1/users/local:x/list/987654321', { score: 5 }), 404, 'params.animeId');
    assertError(await send('PUT', '/v1/users/local:x/list/abc', { score: 5 }), 400, 'params.animeId');
  });
});

describe('list import (mode 9)', () => {
  it('imports a MAL XML export and recommends for that user', async () => {
    const xml = readFileSync(join(FIXTURES, 'mal-export.xml'), 'utf8').replace(/bebop_fan/g, 'upload_test');
    const r = await app.inject({
      method: 'POST',
      url: '/v1/import/mal',
      payload: xml,
      headers: { ...auth, 'content-type': 'application/xml' },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().user.id, 'mal:upload_test');
    const recs = await get('/v1/users/mal:upload_test/recommendations?k=3');
    assert.equal(recs.status, 200);
    assert.equal(recs.body.items.length, 3);
  });

  it('rejects an upload that is not a MAL export', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/v1/import/mal',
      payload: '<html></html>',
      headers: { ...auth, 'content-type': 'application/xml' },
    });
    assertError({ status: r.statusCode, body: r.json() }, 400, 'body');
    const json = await send('POST', '/v1/import/mal', { list: [] });
    assertError(json, 415, 'headers.content-type');
  });

  it('imports an AniList list through the configured endpoint', async () => {
    const res = await send('POST', '/v1/import/anilist', { userName: 'yuki' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.body.user.id, /^anilist:/);
    assert.ok(res.body.user.listed > 0);
    assertError(await send('POST', '/v1/import/anilist', { userName: 'nobody' }), 404, 'body.userName');
    assertError(await send('POST', '/v1/import/anilist', { userName: 'bad name!' }), 400, 'body.userName');
  });
});
