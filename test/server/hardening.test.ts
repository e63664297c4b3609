/**
 * Issue 11: what a hostile or careless client must never achieve against a default server —
 * lost writes, catalogue tampering through list uploads, cross-site writes, 500s.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { holdImport } from '../store/held-import.js';
import { createWorld, FIXTURES, type TestWorld } from './setup.js';

let world: TestWorld;
let app: FastifyInstance;
const KEY = 'hardening-key';
const auth = { 'x-api-key': KEY };

/** The AniList stand-in: answers once `release` is called, with "no such user". */
let release: () => void = () => {};
const slowNobody: typeof fetch = async () => {
  await new Promise<void>((resolve) => (release = resolve));
  return new Response(JSON.stringify({ data: { MediaListCollection: null }, errors: [{ message: 'Not Found.', status: 404 }] }), {
    status: 404,
    headers: { 'content-type': 'application/json' },
  });
};

const malXml = (user: string, entries: string): string =>
  `<?xml version="1.0" encoding="UTF-8" ?>\n<myanimelist><myinfo><user_name>${user}</user_name></myinfo>${entries}</myanimelist>`;
const malEntry = (id: number, title: string, score: number, type = 'TV', episodes = 12): string =>
  `<anime><series_animedb_id>${id}</series_animedb_id><series_title><![CDATA[${title}]]></series_title><series_type>${type}</series_type><series_episodes>${episodes}</series_episodes><my_score>${score}</my_score><my_status>Completed</my_status></anime>`;

before(async () => {
  world = await createWorld({ ratingLines: 20_000 });
  ({ app } = await buildServer({
    store: world.store,
    modelsDir: world.modelsDir,
    fetch: slowNobody,
    config: { apiKeys: [KEY], modelPollMs: 0, rateLimitPerMinute: 0 },
  }));
});

after(async () => {
  await app.close();
  await world.cleanup();
});

async function listOf(user: string): Promise<Map<number, { score: number | null; status: string | null }>> {
  const res = await app.inject(`/v1/users/${user}/list`);
  assert.equal(res.statusCode, 200, res.body);
  return new Map(
    res
      .json()
      .entries.map((e: { animeId: number; score: number | null; status: string | null }) => [
        e.animeId,
        { score: e.score, status: e.status },
      ]),
  );
}

describe('writes during an import', () => {
  it('keeps every feedback write made while a list import waits on AniList and then fails', async () => {
    const put = (id: number, score: number) =>
      app.inject({ method: 'PUT', url: `/v1/users/local:during-import/list/${id}`, payload: { score }, headers: auth });
    assert.equal((await put(1, 5)).statusCode, 201);
    assert.equal((await put(5, 6)).statusCode, 201);
    const importing = app.inject({ method: 'POST', url: '/v1/import/anilist', payload: { userName: 'slowpoke' }, headers: auth });
    await sleep(20); // the import is now waiting on the stand-in
    const ids = (await world.store.listAnime({ limit: 40 }))
      .map((a) => a.animeId)
      .filter((id) => id !== 1 && id !== 5)
      .slice(0, 20);
    const written = await Promise.all(ids.map((id) => put(id, 7)));
    assert.deepEqual(
      written.map((r) => r.statusCode),
      ids.map(() => 201),
    );
    assert.equal((await put(1, 9)).statusCode, 200, 'an update');
    assert.equal(
      (await app.inject({ method: 'DELETE', url: '/v1/users/local:during-import/list/5', headers: auth })).statusCode,
      200,
      'a delete',
    );
    release();
    const failed = await importing;
    assert.equal(failed.statusCode, 404, failed.body);
    const list = await listOf('local:during-import');
    for (const id of ids) assert.equal(list.get(id)?.score, 7, `feedback for ${id} is still there`);
    assert.equal(list.get(1)?.score, 9, 'the update stands');
    assert.equal(list.has(5), false, 'the delete stands');
  });

  it('makes a write wait for an open import instead of joining it, and answers a second import with 409', async () => {
    const held = await holdImport(world.store);
    const put = app.inject({
      method: 'PUT',
      url: '/v1/users/local:waits/list/1',
      payload: { score: 8, status: 'watching' },
      headers: auth,
    });
    const xml = malXml('second_import', malEntry(1, 'Cowboy Bebop', 9));
    const second = await app.inject({
      method: 'POST',
      url: '/v1/import/mal',
      payload: xml,
      headers: { ...auth, 'content-type': 'application/xml' },
    });
    assert.equal(second.statusCode, 409, second.body);
    assert.equal(second.json().error, 'import_in_progress');
    await held.tx.upsertAnime([{ animeId: 1, title: 'Changed inside a rolled-back import' }]);
    await held.rollback();
    const res = await put;
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual((await listOf('local:waits')).get(1), { score: 8, status: 'watching' });
    assert.notEqual((await world.store.getAnime(1))?.title, 'Changed inside a rolled-back import');
  });

  it('applies concurrent partial updates of one entry without losing either field', async () => {
    const url = '/v1/users/local:partial/list/1';
    await app.inject({ method: 'PUT', url, payload: { score: 3, status: 'watching' }, headers: auth });
    await Promise.all([
      app.inject({ method: 'PUT', url, payload: { score: 10 }, headers: auth }),
      app.inject({ method: 'PUT', url, payload: { status: 'completed' }, headers: auth }),
    ]);
    assert.deepEqual((await listOf('local:partial')).get(1), { score: 10, status: 'completed' });
  });
});

describe('list uploads and the catalogue', () => {
  it('never changes or creates catalogue titles, keeps unknown titles pending and counts them once the catalogue has them', async () => {
    const before = await world.store.getAnime(1);
    assert.ok(before, 'anime 1 is in the bundled catalogue');
    const unknownId = 990_001;
    const xml = malXml(
      'tamperer',
      malEntry(1, 'PWNED <img src=x onerror=alert(1)>', 10, 'Music', 9999) + malEntry(unknownId, 'A Show From Next Season', 8),
    );
    const res = await app.inject({
      method: 'POST',
      url: '/v1/import/mal',
      payload: xml,
      headers: { ...auth, 'content-type': 'application/xml' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(await world.store.getAnime(1), before, 'the upload left anime 1 exactly as it was');
    assert.equal(await world.store.getAnime(unknownId), null, 'the upload created no title');
    assert.equal(body.pending.entries, 1);
    assert.deepEqual(body.pending.titles, [{ animeId: unknownId, title: 'A Show From Next Season' }]);
    assert.match(body.notes[0], /1 title is not in the catalogue yet: A Show From Next Season \(990001\)/);
    const listed = await app.inject('/v1/users/mal:tamperer/list');
    assert.deepEqual(
      listed.json().entries.map((e: { animeId: number }) => e.animeId),
      [1],
    );
    assert.deepEqual(
      listed.json().pending.map((e: { animeId: number; score: number }) => [e.animeId, e.score]),
      [[unknownId, 8]],
    );

    // A catalogue source adds the title: the pending entry becomes a real one in that import.
    const { counts } = await world.store.withImport((tx) =>
      tx.upsertAnime([{ animeId: unknownId, title: 'Next Season Show', year: 2026 }]),
    );
    assert.equal(counts.pendingResolved, 1);
    const after = (await app.inject('/v1/users/mal:tamperer/list')).json();
    assert.deepEqual(
      after.entries.map((e: { animeId: number; score: number }) => [e.animeId, e.score]),
      [
        [1, 10],
        [unknownId, 8],
      ],
    );
    assert.deepEqual(after.pending, []);
  });

  it('refuses XML with a DOCTYPE or entities with a 400 that says so', async () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE myanimelist [<!ENTITY x "boom">]>\n<myanimelist><myinfo><user_name>dtd</user_name></myinfo>${malEntry(1, '&x;', 9)}</myanimelist>`;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/import/mal',
      payload: xml,
      headers: { ...auth, 'content-type': 'application/xml' },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().message, /DOCTYPE\/entities are not allowed in a list export/);
    assert.doesNotMatch(res.body, /\/tmp\/|anirec-upload/, 'no temporary path in the message');
  });
});

describe('numbers', () => {
  const cases: [string, string][] = [
    ['/v1/users/kaggle2016:1/recommendations?k=Infinity', 'querystring.k'],
    ['/v1/users/kaggle2016:1/recommendations?k=1e400', 'querystring.k'],
    ['/v1/users/kaggle2016:1/recommendations?k=-Infinity', 'querystring.k'],
    ['/v1/users/kaggle2016:1/recommendations?offset=Infinity', 'querystring.offset'],
    ['/v1/recommendations/starter?seed=Infinity', 'querystring.seed'],
    ['/v1/monitoring?days=Infinity', 'querystring.days'],
    ['/v1/users/kaggle2016:1/similar-users?k=1e400', 'querystring.k'],
  ];
  for (const [url, field] of cases) {
    it(`answers ${url} with a 400 naming ${field}`, async () => {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, field);
    });
  }

  it('refuses a JSON body whose number overflows to Infinity', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/recommendations/from-titles',
      payload: '{"titles":[{"id":1}],"k":1e400}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().field, 'body.k');
  });
});

describe('user ids', () => {
  it('refuses ids with control characters', async () => {
    for (const user of ['a%00b', 'a%0Ab', 'x%7F']) {
      const res = await app.inject({ method: 'PUT', url: `/v1/users/${user}/list/1`, payload: { score: 5 }, headers: auth });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, 'params.user');
      assert.match(res.json().message, /control characters/);
    }
  });
});

describe('the bundled MAL fixture', () => {
  it('still imports as a list of known titles', async () => {
    const xml = readFileSync(join(FIXTURES, 'mal-export.xml'), 'utf8').replace(/bebop_fan/g, 'fixture_again');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/import/mal',
      payload: xml,
      headers: { ...auth, 'content-type': 'application/xml' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().user.listed > 0);
    assert.equal(res.json().imported.animeUpserted, 0, 'an upload writes no catalogue data');
  });
});
