import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AniListClientOptions } from '../../src/data/anilist/index.js';
import { INGEST_META, runIngest, type IngestOptions } from '../../src/ops/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { ReplayServer } from '../data/anilist/replay-server.js';
import { tempPaths } from './helpers.js';

const server = new ReplayServer();
const paths = tempPaths('anirec-ingest-');
let sleeps: number[] = [];
let n = 0;

before(async () => {
  await server.start();
});
after(async () => {
  await server.close();
  rmSync(paths.home, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
  sleeps = [];
});

const client = (extra: AniListClientOptions = {}): AniListClientOptions => ({
  endpoint: server.endpoint,
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
  ...extra,
});
// The fixtures' titles changed in 2024; a cursor before that sees all of them.
const SINCE = Date.UTC(2024, 0, 1);
const options = (extra: Partial<IngestOptions> = {}): IngestOptions => ({
  users: ['Yuki'],
  titles: true,
  initialLookbackDays: 0,
  now: () => SINCE,
  client: client(),
  ...extra,
});
const freshStore = () => SqliteStore.open(join(paths.home, `ingest-${n++}.db`));

async function snapshot(store: SqliteStore): Promise<string> {
  const [user] = await store.findUser('anilist', 'Yuki');
  const rows = user ? await store.userInteractions(user.userId) : [];
  const anime = await store.listAnime();
  return JSON.stringify({ rows, anime: anime.map((a) => [a.animeId, a.title]) });
}

describe('anirec ingest (runIngest) against the AniList replay server', () => {
  it('ingests a user list and changed titles, and a second run changes nothing', async () => {
    const store = freshStore();
    const first = await runIngest(store, options());
    assert.equal(first.resumed, false);
    assert.equal(first.users[0]!.entries, 8);
    assert.equal(first.users[0]!.inserted, 8);
    assert.equal(first.titles!.pages, 2);
    assert.equal(first.titles!.upserted, 4, 'the title without a MAL id is skipped');
    assert.equal(first.titles!.skipped, 1);
    assert.equal(first.titles!.cursor, 1714000000 * 1000);
    assert.equal(await store.getMeta(INGEST_META.titlesCursor), String(1714000000 * 1000));
    assert.equal(await store.countInteractions(), 8);
    const before = await snapshot(store);

    server.reset();
    const second = await runIngest(store, options());
    assert.equal(second.users[0]!.inserted, 0);
    assert.equal(second.users[0]!.updated, 0);
    assert.equal(second.users[0]!.unchanged, 8);
    assert.equal(await store.countInteractions(), 8, 'no duplicated rows');
    assert.equal(await snapshot(store), before);
    // The titles query now asks only for changes after the stored cursor.
    const pageRequest = server.requests.find((r) => r.query.includes('Page('))!;
    assert.equal(pageRequest.variables.updatedAfter, 1714000000);
    await store.close();
  });

  it('waits out 429 Retry-After and retries 500s, losing nothing', async () => {
    const store = freshStore();
    server.failNext(1, { status: 429, headers: { 'Retry-After': '7' } }).failNext(2, { status: 500 });
    const summary = await runIngest(store, options());
    assert.equal(summary.users[0]!.error, undefined);
    assert.equal(summary.users[0]!.inserted, 8);
    assert.equal(sleeps[0], 7000, 'the Retry-After wait is honoured');
    assert.equal(sleeps.length, 3);
    assert.ok(sleeps[2]! > sleeps[1]!, 'backoff grows');
    assert.equal(await store.countInteractions(), 8);
    assert.equal(summary.titles!.upserted, 4);
    await store.close();
  });

  it('records a failing user (unknown name) without stopping the others', async () => {
    const store = freshStore();
    const summary = await runIngest(store, options({ users: ['nobody-here', 'Yuki'] }));
    assert.match(summary.users[0]!.error!, /nobody-here|not found|Not Found/i);
    assert.equal(summary.users[1]!.inserted, 8);
    await store.close();
  });

  it('resumes after a failure mid-run: committed users and pages are not fetched again', async () => {
    const store = freshStore();
    let pageTwoFails = true;
    // AniList is down for page 2 past every retry: the run fails after the user and page 1 are in.
    const flaky: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { variables: { page?: number } };
      if (pageTwoFails && body.variables.page === 2) return new Response('{"errors":[{"message":"down","status":503}]}', { status: 503 });
      return fetch(input, init);
    };
    await assert.rejects(runIngest(store, options({ client: client({ fetch: flaky, maxRetries: 2 }) })), /503|server/i);
    const state = JSON.parse((await store.getMeta(INGEST_META.run))!) as { usersDone: string[]; titles: { nextPage: number } };
    assert.deepEqual(state.usersDone, ['Yuki']);
    assert.equal(state.titles.nextPage, 2);
    assert.equal(await store.getMeta(INGEST_META.titlesCursor), null, 'the cursor moves only when all pages are in');

    pageTwoFails = false;
    server.reset();
    const resumed = await runIngest(store, options());
    assert.equal(resumed.resumed, true);
    assert.deepEqual(resumed.usersAlreadyDone, ['Yuki']);
    assert.deepEqual(
      server.requests.map((r) => r.variables.page ?? 'list'),
      [2],
    );
    assert.equal(resumed.titles!.cursor, 1714000000 * 1000, 'page 1 maxima are remembered across the resume');

    const clean = freshStore();
    server.reset();
    await runIngest(clean, options());
    assert.equal(await snapshot(store), await snapshot(clean), 'same rows as a run that never failed');
    await Promise.all([store.close(), clean.close()]);
  });

  it('resumes after the process is killed (SIGKILL) mid-run', async () => {
    const db = join(paths.home, 'killed.db');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./ingest-child.ts', import.meta.url)), db, server.endpoint, String(SINCE)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('hanging on page 2')) resolve();
      });
      child.on('exit', () => reject(new Error(`child exited early: ${out} ${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const store = SqliteStore.open(db);
    assert.equal(await store.countInteractions(), 8, 'the committed user list survived the crash');
    server.reset();
    const resumed = await runIngest(store, options());
    assert.equal(resumed.resumed, true);
    assert.deepEqual(
      server.requests.map((r) => r.variables.page ?? 'list'),
      [2],
    );
    assert.equal(await store.countInteractions(), 8);
    assert.equal(await store.countAnime(), 11, "Yuki's 8 titles + 3 more from the pages (Cowboy Bebop is on both), once each");
    await store.close();
  });
});
