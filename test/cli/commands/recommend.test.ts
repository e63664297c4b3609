/**
 * `anirec recommend`, `similar`, `search` and `profile` against the HTTP API on one world (the
 * bundled catalogues, ~600 users, an item-kNN model): with --json each prints exactly the API's
 * answer to the same request, the tables show what the JSON says, and files and AniList lists are
 * read without being stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/server/app.js';
import { ReplayServer } from '../../data/anilist/replay-server.js';
import { createWorld, FIXTURES, type TestWorld } from '../../server/setup.js';
import { anirec, anirecJson } from '../helpers.js';

let world: TestWorld;
let app: FastifyInstance;
let anilist: ReplayServer;

async function api(method: 'GET' | 'POST', url: string, payload?: object): Promise<any> {
  const r = await app.inject({ method, url, ...(payload ? { payload } : {}) });
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

/** The items' ids, for messages when lists differ. */
const ids = (list: { items: { anime: { id: number } }[] }): number[] => list.items.map((i) => i.anime.id);

before(async () => {
  world = await createWorld();
  anilist = await new ReplayServer().start();
  ({ app } = await buildServer({
    store: world.store,
    modelsDir: world.modelsDir,
    config: { anilistEndpoint: anilist.endpoint, modelPollMs: 0 },
  }));
});

after(async () => {
  await app.close();
  await anilist.close();
  await world.cleanup();
});

describe('anirec recommend --json is the API answer', () => {
  it('--user with filters, paging and diversity = GET /v1/users/{user}/recommendations', async () => {
    const cli = await anirecJson(
      world.dir,
      'recommend',
      '--user',
      '1',
      '--k',
      '7',
      '--offset',
      '3',
      '--diversity',
      '0.2',
      '--genres',
      'Comedy',
      '--formats',
      'TV,Movie',
      '--year-min',
      '2005',
    );
    const http = await api(
      'GET',
      '/v1/users/1/recommendations?k=7&offset=3&diversity=0.2&genres=Comedy&formats=TV&formats=Movie&yearMin=2005',
    );
    assert.equal(cli.items.length, 7, 'a full page came back');
    assert.deepEqual(cli, http, `cli ${ids(cli)} vs api ${ids(http)}`);
    for (const item of cli.items) {
      assert.ok(item.anime.genres.includes('Comedy'));
      assert.ok(item.anime.year >= 2005);
    }
  });

  it('--filters JSON means the same as the flags, and a seasonal filter answers season', async () => {
    const flags = await anirecJson(
      world.dir,
      'recommend',
      '--user',
      'kaggle2016:2',
      '--min-score',
      '7.5',
      '--exclude-genres',
      'Drama',
      '--no-exclude-planned',
    );
    const json = await anirecJson(
      world.dir,
      'recommend',
      '--user',
      'kaggle2016:2',
      '--filters',
      '{"minScore": 7.5, "excludeGenres": "Drama", "excludePlanned": false}',
    );
    assert.ok(flags.items.length > 0);
    assert.deepEqual(flags, json);
    const http = await api('GET', '/v1/users/kaggle2016:2/recommendations?minScore=7.5&excludeGenres=Drama&excludePlanned=false');
    assert.deepEqual(flags, http);
    const seasonal = await anirecJson(world.dir, 'recommend', '--user', '1', '--season', '2016-spring', '--k', '5');
    assert.equal(seasonal.season, '2016-spring');
    assert.deepEqual(seasonal, await api('GET', '/v1/users/1/recommendations?season=2016-spring&k=5'));
  });

  it('--titles = POST /v1/recommendations/from-titles, with what each name matched', async () => {
    const cli = await anirecJson(world.dir, 'recommend', '--titles', 'Steins;Gate=10, monstr, Mushishi', '--k', '6');
    const http = await api('POST', '/v1/recommendations/from-titles', {
      titles: [{ title: 'Steins;Gate', score: 10 }, { title: 'monstr' }, { title: 'Mushishi' }],
      k: 6,
    });
    assert.equal(cli.items.length, 6);
    assert.deepEqual(cli, http);
    assert.deepEqual(
      cli.resolved.map((r: { anime: { title: string } }) => r.anime.title),
      ['Steins;Gate', 'Monster', 'Mushishi'],
    );
  });

  it('--list reads a MAL export once: the from-titles answer for its ids, nothing written to the store', async () => {
    const usersBefore = await world.store.findUser('mal', 'bebop_fan');
    const listedBefore = usersBefore[0]!.interactionCount;
    const cli = await anirecJson(world.dir, 'recommend', '--list', join(FIXTURES, 'mal-export.xml'), '--k', '5');
    const stored = await api('GET', '/v1/users/mal:bebop_fan/list');
    const titles = stored.entries.map((e: { animeId: number; score: number | null; status: string | null }) => ({
      id: e.animeId,
      score: e.score,
      status: e.status,
    }));
    const http = await api('POST', '/v1/recommendations/from-titles', { titles, k: 5 });
    assert.equal(cli.items.length, 5);
    // The same titles and reasons; scores agree up to float summation order (file order vs store order).
    assert.deepEqual(
      cli.items.map((i: { anime: unknown; reasons: unknown }) => [i.anime, i.reasons]),
      http.items.map((i: { anime: unknown; reasons: unknown }) => [i.anime, i.reasons]),
    );
    cli.items.forEach((item: { score: number }, i: number) => assert.ok(Math.abs(item.score - http.items[i].score) < 1e-5));
    assert.deepEqual(cli.resolved, []);
    assert.match(cli.notes[0], /2 entries of .*mal-export\.xml could not be read and were skipped \(first: line \d+: /);
    assert.equal((await world.store.findUser('mal', 'bebop_fan'))[0]!.interactionCount, listedBefore);
  });

  it('--list picks one user of a ratings file with --list-user', async () => {
    const cli = await anirecJson(world.dir, 'recommend', '--list', join(FIXTURES, 'kaggle2016-rating.csv'), '--list-user', '1', '--k', '3');
    assert.equal(cli.mode, 'from-titles');
    assert.equal(cli.items.length, 3);
    await assert.rejects(
      anirec(world.dir, 'recommend', '--list', join(FIXTURES, 'kaggle2016-rating.csv')),
      /holds the lists of 4 users; pick one with --list-user \(e\.g\. --list-user 1\)/,
    );
  });

  it('--anilist fetches a public list once (local AniList stub), without storing it', async () => {
    const cli = await anirecJson(world.dir, 'recommend', '--anilist', 'Yuki', '--anilist-endpoint', anilist.endpoint, '--k', '4');
    assert.equal(cli.items.length, 4);
    assert.ok(anilist.requests.some((r) => r.variables.userName === 'Yuki'));
    assert.deepEqual(await world.store.findUser('anilist', 'Yuki'), []);
    // Yuki's list holds 8 titles; the catalogue's copies are ranked as the API ranks those ids.
    const yuki = [1, 20, 21, 199, 5114, 9253, 34566, 52991];
    assert.ok(
      cli.items.every((i: { anime: { id: number } }) => !yuki.includes(i.anime.id)),
      'listed titles are left out',
    );
  });
});

describe('similar, search and profile --json are the API answers', () => {
  it('similar "title" --mode content|hybrid = GET /v1/similar', async () => {
    for (const mode of ['content', 'hybrid', 'collaborative']) {
      const cli = await anirecJson(world.dir, 'similar', 'cowboy bebob', '--mode', mode, '--k', '5', '--year-max', '2010');
      const http = await api('GET', `/v1/similar?title=cowboy%20bebob&mode=${mode}&k=5&yearMax=2010`);
      assert.equal(cli.items.length, 5, mode);
      assert.deepEqual(cli, http, mode);
    }
    assert.deepEqual(
      await anirecJson(world.dir, 'similar', '--id', '1', '--mode', 'both', '--k', '3'),
      await api('GET', '/v1/similar?id=1&mode=hybrid&k=3'),
    );
  });

  it('search = GET /v1/search', async () => {
    const cli = await anirecJson(world.dir, 'search', 'shingeki kyo', '--limit', '5');
    assert.equal(cli.results.length, 5);
    assert.deepEqual(cli, await api('GET', '/v1/search?q=shingeki%20kyo&limit=5'));
  });

  it('profile --user = GET /v1/users/{user}/profile; --titles profiles the typed titles', async () => {
    const cli = await anirecJson(world.dir, 'profile', '--user', '1');
    assert.ok(cli.listed > 0);
    assert.deepEqual(cli, await api('GET', '/v1/users/1/profile'));
    const typed = await anirecJson(world.dir, 'profile', '--titles', 'Cowboy Bebop=10, Trigun=9');
    assert.equal(typed.listed, 2);
    assert.equal(typed.meanScore, 9.5);
    assert.deepEqual(
      typed.resolved.map((r: { anime: { id: number } }) => r.anime.id),
      [1, 6],
    );
  });
});

describe('tables', () => {
  it('recommend prints rank, title, format · year and the reason of every item, then paging', async () => {
    const json = await anirecJson(world.dir, 'recommend', '--user', '1', '--k', '4');
    const { out } = await anirec(world.dir, 'recommend', '--user', '1', '--k', '4');
    assert.match(out[0]!, /^Recommendations for kaggle2016:1 \(\d+ titles listed\) — model itemknn \(itemknn-1\)$/);
    assert.match(out[1]!, /^ #  title +format · year +why$/);
    assert.equal(json.items.length, 4);
    type Item = {
      rank: number;
      anime: { title: string; format: string; year: number };
      reason: string;
      franchise: { name: string; more: unknown[] } | null;
    };
    json.items.forEach((item: Item, i: number) => {
      const line = out[2 + i]!;
      assert.ok(line.startsWith(` ${item.rank}  ${item.anime.title}`), line);
      assert.ok(line.includes(`${item.anime.format} · ${item.anime.year}`), line);
      const more =
        item.franchise !== null && item.franchise.more.length > 0
          ? ` (+${item.franchise.more.length} more from ${item.franchise.name})`
          : '';
      assert.ok(line.endsWith(`${item.reason}${more}`), line);
    });
    assert.equal(out.at(-1), 'more: add --offset 4');
  });

  it('recommend --titles says which name matched what, flagging a doubtful match', async () => {
    const { text } = await anirec(world.dir, 'recommend', '--titles', 'Steins;Gate, monstr', '--k', '2');
    assert.match(text, /^Your titles:\n {2}"Steins;Gate" → Steins;Gate\n {2}"monstr" → Monster \(match 0\.\d\d\)/);
  });

  it('search and profile print readable lines', async () => {
    const search = await anirec(world.dir, 'search', 'cowboy bebop', '--limit', '3');
    assert.match(search.out[0]!, /^ #  title +format · year +match$/);
    assert.match(search.out[1]!, /^ 1  Cowboy Bebop +TV +1\.00  id 1$/);
    const profile = await anirec(world.dir, 'profile', '--user', '1');
    assert.equal(profile.out[0], 'Taste profile of kaggle2016:1');
    assert.match(profile.text, /^ {2}genres {6}\S/m);
  });
});

describe('anirec continue and --franchise (issue 16)', () => {
  it('continue --titles --json = POST /v1/continue/from-titles, and the table shows "+N more"', async () => {
    const cli = await anirecJson(world.dir, 'continue', '--titles', 'Steins;Gate=10, Shingeki no Kyojin=9');
    const http = await api('POST', '/v1/continue/from-titles', {
      titles: [
        { title: 'Steins;Gate', score: 10 },
        { title: 'Shingeki no Kyojin', score: 9 },
      ],
      k: 10,
    });
    assert.ok(cli.items.length >= 2, 'something to continue');
    assert.deepEqual(cli, http);
    const table = await anirec(world.dir, 'continue', '--titles', 'Steins;Gate=10');
    assert.match(
      table.text,
      /Steins;Gate 0 .*Next in Steins;Gate after Steins;Gate, which you rated 10\/10 \(\+\d+ more from Steins;Gate\)/,
    );
  });

  it('--franchise all = franchise=all; an unknown mode is refused', async () => {
    const cli = await anirecJson(world.dir, 'recommend', '--user', '1', '--k', '8', '--franchise', 'all');
    const http = await api('GET', '/v1/users/1/recommendations?k=8&franchise=all');
    assert.equal(cli.items.length, 8);
    assert.deepEqual(cli, http);
    await assert.rejects(anirec(world.dir, 'recommend', '--user', '1', '--franchise', 'every'), /--franchise must be group or all/);
  });
});
