import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ImportChunk } from '../../../src/data/types.js';
import { AniListClient, AniListError, type AniListClientOptions } from '../../../src/data/anilist/client.js';
import { fetchMediaByMalIds, fetchMediaPages, fetchUserList, type MediaPage } from '../../../src/data/anilist/index.js';
import { ReplayServer } from './replay-server.js';

const server = new ReplayServer();
let sleeps: number[] = [];

function opts(extra: AniListClientOptions = {}): AniListClientOptions {
  return {
    endpoint: server.endpoint,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  };
}

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<AniListError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AniListError, `expected AniListError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

before(async () => {
  await server.start();
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  sleeps = [];
});

describe('fetchUserList', () => {
  it('maps the full list across chunks: ids, scores, statuses, titles', async () => {
    const chunks = await collect(fetchUserList('Yuki', opts(), { perChunk: 5 }));
    assert.equal(chunks.length, 2);
    assert.deepEqual(
      server.requests.map((r) => r.variables),
      [
        { userName: 'Yuki', chunk: 1, perChunk: 5 },
        { userName: 'Yuki', chunk: 2, perChunk: 5 },
      ],
    );
    assert.ok(server.requests[0]!.query.includes('score(format: POINT_10)'));
    assert.equal(server.requests[0]!.headers['content-type'], 'application/json');

    const interactions = chunks.flatMap((c) => c.interactions);
    const byId = new Map(interactions.map((i) => [i.animeId, i]));
    assert.deepEqual(
      [...byId.keys()].sort((a, b) => a - b),
      [1, 20, 21, 199, 5114, 9253, 34566, 52991],
    );
    assert.equal(interactions.length, byId.size, 'custom-list duplicates are not repeated');
    assert.deepEqual(byId.get(52991), { user: 'Yuki', animeId: 52991, score: null, status: 'watching', updatedAt: 1700000000000, line: 1 });
    assert.equal(byId.get(1)?.score, 9);
    assert.equal(byId.get(1)?.status, 'completed');
    assert.equal(byId.get(5114)?.score, 10);
    assert.equal(byId.get(21)?.status, 'on_hold');
    assert.equal(byId.get(34566)?.status, 'dropped');
    assert.equal(byId.get(34566)?.score, 3);
    assert.equal(byId.get(9253)?.status, 'plan_to_watch');
    assert.equal(byId.get(9253)?.score, null);
    assert.equal(byId.get(20)?.status, 'watching', 'REPEATING counts as watching');

    const anime = chunks.flatMap((c) => c.anime);
    assert.equal(anime.length, 8);
    const frieren = anime.find((a) => a.animeId === 52991);
    assert.equal(frieren?.title, 'Sousou no Frieren');
    assert.equal(frieren?.titleEnglish, 'Frieren: Beyond Journey’s End');
    assert.equal(frieren?.titleJapanese, '葬送のフリーレン');
    assert.equal(frieren?.format, 'TV');
    assert.equal(frieren?.season, 'fall');
    assert.equal(frieren?.year, 2023);
    assert.deepEqual(frieren?.studios, ['Madhouse']);
    assert.deepEqual(frieren?.demographics, ['Shounen']);
    assert.equal(frieren?.malScore, undefined, 'AniList score is not a MAL score');
    assert.equal(anime.find((a) => a.animeId === 199)?.format, 'Movie');
    assert.equal(anime.find((a) => a.animeId === 34566)?.format, 'TV');
    assert.equal(anime.find((a) => a.animeId === 21)?.status, 'airing');

    const rows: ImportChunk[] = chunks;
    assert.deepEqual(
      rows.map((c) => [c.rowsRead, c.bytesRead]),
      [
        [3, null],
        [6, null],
      ],
    );
  });

  it('reports entries without a MAL id as unknown_anime problems', async () => {
    const chunks = await collect(fetchUserList('Yuki', opts()));
    const problems = chunks.flatMap((c) => c.problems);
    assert.equal(problems.length, 1);
    const p = problems[0]!;
    assert.equal(p.file, 'anilist:Yuki');
    assert.equal(p.line, 7);
    assert.equal(p.column, 'media.idMal');
    assert.equal(p.reason, 'unknown_anime');
    assert.match(p.message, /170000.*Xian Ni.*no MyAnimeList id/);
  });

  it('honours 429 Retry-After, then succeeds without duplicating anything', async () => {
    server.failNext(1, { status: 429, headers: { 'Retry-After': '1', 'X-RateLimit-Remaining': '0' } });
    const chunks = await collect(fetchUserList('Yuki', opts()));
    assert.deepEqual(sleeps, [1000]);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(server.requests.map((r) => r.answer), ['script:429', 'user-yuki-chunk1.json', 'user-yuki-chunk2.json']);
    const ids = chunks.flatMap((c) => c.interactions.map((i) => i.animeId));
    assert.equal(ids.length, new Set(ids).size);
    assert.equal(ids.length, 8);
  });

  it('uses X-RateLimit-Reset when Retry-After is missing', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3;
    server.failNext(1, { status: 429, headers: { 'X-RateLimit-Reset': String(reset), 'X-RateLimit-Remaining': '0' } });
    await collect(fetchUserList('Yuki', opts()));
    assert.equal(sleeps.length, 1);
    assert.ok(sleeps[0]! > 1000 && sleeps[0]! <= 3000, `slept ${sleeps[0]} ms`);
  });

  it('retries 500s with exponential backoff, then succeeds', async () => {
    server.failNext(2, { status: 500 });
    const chunks = await collect(fetchUserList('Yuki', opts({ baseDelayMs: 100 })));
    assert.equal(chunks.length, 2);
    // equal jitter with random()=0.5: 3/4 of 100, then of 200
    assert.deepEqual(sleeps, [75, 150]);
    assert.equal(server.requests.length, 4);
  });

  it('gives up with a clear error when retries are exhausted', async () => {
    server.failNext(10, { status: 503 });
    const err = await rejection(collect(fetchUserList('Yuki', opts({ maxRetries: 2 }))));
    assert.equal(err.reason, 'server');
    assert.equal(err.status, 503);
    assert.equal(err.attempts, 3);
    assert.equal(err.endpoint, server.endpoint);
    assert.match(err.message, /HTTP 503/);
    assert.ok(err.message.includes(server.endpoint), 'says where');
    assert.match(err.message, /Gave up after 3 attempts.*try again later/);
    assert.equal(server.requests.length, 3);
    assert.equal(sleeps.length, 2);
  });

  it('reports an unknown user clearly and does not retry', async () => {
    const err = await rejection(collect(fetchUserList('nobody', opts())));
    assert.equal(err.reason, 'not_found');
    assert.equal(err.status, 404);
    assert.match(err.message, /AniList user 'nobody' not found/);
    assert.match(err.message, /anilist\.co\/user/);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(sleeps, []);
  });

  it('reports a private list clearly and does not retry', async () => {
    const err = await rejection(collect(fetchUserList('private', opts())));
    assert.equal(err.reason, 'private');
    assert.match(err.message, /'private' has a private profile or list/);
    assert.match(err.message, /public/);
    assert.equal(server.requests.length, 1);
  });

  it('never retries other 4xx responses', async () => {
    server.failNext(1, { status: 400, body: { errors: [{ message: 'Variable "$chunk" of required type "Int!" was not provided.', status: 400 }], data: null } });
    const err = await rejection(collect(fetchUserList('Yuki', opts())));
    assert.equal(err.reason, 'bad_request');
    assert.equal(err.status, 400);
    assert.match(err.message, /rejected the query/);
    assert.equal(server.requests.length, 1);
  });

  it('explains a non-JSON answer', async () => {
    server.failNext(1, { status: 403, body: '<html>Forbidden</html>' });
    const err = await rejection(collect(fetchUserList('Yuki', opts())));
    assert.equal(err.status, 403);
    assert.match(err.message, /not JSON/);
    assert.equal(server.requests.length, 1);
  });

  it('stops promptly when the signal is aborted mid-request', async () => {
    server.failNext(1, { hang: true });
    const ctrl = new AbortController();
    const started = Date.now();
    setTimeout(() => ctrl.abort(), 50);
    const err = await rejection(collect(fetchUserList('Yuki', opts({ signal: ctrl.signal }))));
    assert.equal(err.reason, 'aborted');
    assert.ok(Date.now() - started < 2000, 'aborted promptly');
    assert.equal(server.requests.length, 1);
  });

  it('stops promptly when aborted while waiting out a 429 (real sleep)', async () => {
    server.failNext(1, { status: 429, headers: { 'Retry-After': '30' } });
    const ctrl = new AbortController();
    const started = Date.now();
    const client = new AniListClient({ endpoint: server.endpoint, signal: ctrl.signal });
    const p = collect(fetchUserList('Yuki', client));
    setTimeout(() => ctrl.abort(), 50);
    const err = await rejection(p);
    assert.equal(err.reason, 'aborted');
    assert.ok(Date.now() - started < 2000, 'aborted promptly');
    assert.equal(server.requests.length, 1);
  });

  it('a signal already aborted sends nothing', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    const err = await rejection(collect(fetchUserList('Yuki', opts(), { signal: ctrl.signal })));
    assert.equal(err.reason, 'aborted');
    assert.equal(server.requests.length, 0);
  });

  it('retries after a timeout', async () => {
    server.failNext(1, { hang: true });
    const chunks = await collect(fetchUserList('Yuki', opts({ timeoutMs: 100 })));
    assert.equal(chunks.length, 2);
    assert.equal(sleeps.length, 1);
    assert.equal(server.requests.length, 3);
  });

  it('network errors are retried and then explained', async () => {
    const err = await rejection(
      new AniListClient({ endpoint: 'http://127.0.0.1:1/', maxRetries: 1, sleep: async (ms) => void sleeps.push(ms) }).query('{ x }'),
    );
    assert.equal(err.reason, 'network');
    assert.match(err.message, /Could not reach AniList \(http:\/\/127\.0\.0\.1:1\/\)/);
    assert.equal(sleeps.length, 1);
  });

  it('rejects an empty user name before any request', async () => {
    await assert.rejects(collect(fetchUserList('  ', opts())), /user name is required/);
    assert.equal(server.requests.length, 0);
  });
});

describe('fetchMediaPages', () => {
  it('pages through the catalogue and counts media without a MAL id', async () => {
    const pages = await collect(fetchMediaPages({ perPage: 3 }, opts()));
    assert.deepEqual(
      pages.map((p) => [p.page, p.hasNextPage, p.anime.map((a) => a.animeId), p.skipped]),
      [
        [1, true, [1, 5], 1],
        [2, false, [6, 8], 0],
      ],
    );
    assert.deepEqual(server.requests.map((r) => r.variables), [
      { page: 1, perPage: 3 },
      { page: 2, perPage: 3 },
    ]);
    const beet = pages[1]!.anime.find((a) => a.animeId === 8);
    assert.equal(beet?.format, 'Special');
    assert.equal(beet?.status, 'upcoming');
    assert.equal(beet?.adult, true);
    assert.deepEqual(pages[0]!.anime[1]!.studios, ['bones', 'Sunrise']);
    assert.equal(pages[0]!.maxUpdatedAt, 1714000000000);
  });

  it('resumes from a given start page', async () => {
    const pages: MediaPage[] = await collect(fetchMediaPages({ startPage: 2 }, opts()));
    assert.deepEqual(pages.map((p) => p.page), [2]);
    assert.deepEqual(server.requests.map((r) => r.variables.page), [2]);
    assert.deepEqual(pages[0]!.anime.map((a) => a.animeId), [6, 8]);
  });

  it('asks only for titles updated since a time (ms → s) and filters older ones', async () => {
    const since = 1713000000 * 1000;
    const pages = await collect(fetchMediaPages({ updatedSince: since }, opts()));
    assert.equal(server.requests[0]!.variables.updatedAfter, 1713000000);
    assert.ok(server.requests[0]!.query.includes('updatedAt_greater'));
    // the replay server ignores the filter; the client drops what is not newer
    assert.deepEqual(pages[0]!.anime.map((a) => a.animeId), [1]);
    assert.equal(pages[0]!.skipped, 1);
    assert.deepEqual(pages[1]!.anime, []);
  });

  it('retries 429 mid-crawl without duplicating a page', async () => {
    const gen = fetchMediaPages({}, opts());
    const first = await gen.next();
    assert.equal((first.value as MediaPage).page, 1);
    server.failNext(1, { status: 429, headers: { 'Retry-After': '1' } });
    const rest = await collect(gen);
    assert.deepEqual(rest.map((p) => p.page), [2]);
    assert.deepEqual(sleeps, [1000]);
  });

  it('stops when aborted between pages', async () => {
    const ctrl = new AbortController();
    const seen: number[] = [];
    const err = await rejection(
      (async () => {
        for await (const p of fetchMediaPages({ signal: ctrl.signal }, opts())) {
          seen.push(p.page);
          ctrl.abort();
        }
      })(),
    );
    assert.equal(err.reason, 'aborted');
    assert.deepEqual(seen, [1]);
    assert.equal(server.requests.length, 1);
  });
});

describe('fetchMediaByMalIds', () => {
  it('sends idMal_in batches and maps the result', async () => {
    const anime = await fetchMediaByMalIds([1, 5, 1, -3], opts());
    assert.equal(server.requests.length, 1);
    assert.deepEqual(server.requests[0]!.variables, { idMal: [1, 5], page: 1, perPage: 50 });
    assert.ok(server.requests[0]!.query.includes('idMal_in'));
    assert.deepEqual(anime.map((a) => a.animeId), [1, 5]);
  });
});
