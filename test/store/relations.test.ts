import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { formatById } from '../../src/data/index.js';
import type { ImportChunk, TitleRelations } from '../../src/data/types.js';
import { runIngest } from '../../src/ops/index.js';
import { importFiles, SqliteStore } from '../../src/store/index.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { ReplayServer } from '../data/anilist/replay-server.js';
import { fixture } from '../data/read-all.js';
import { STEINS_GATE, STEINS_GATE_TITLES as TITLES } from './contract-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'anirec-relations-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function storeWithSteinsGate(path = ':memory:'): Promise<SqliteStore> {
  const store = SqliteStore.open(path);
  await store.withImport(async (tx) => {
    await tx.upsertAnime(TITLES);
    await tx.replaceRelations(STEINS_GATE);
  });
  return store;
}

function rawRelations(path: string): Array<[number, number, string]> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT anime_id, related_id, relation FROM anime_relations ORDER BY 1, 2, 3').raw().all() as Array<
      [number, number, string]
    >;
  } finally {
    db.close();
  }
}

// What every store does with relations is in contract.ts; these read SQLite's own table.
describe('relations in the SQLite store', () => {
  it('a re-import of the same lists changes nothing; a shorter list drops what the source no longer gives', async () => {
    const path = join(dir, 'idempotent.db');
    const store = await storeWithSteinsGate(path);
    const before = rawRelations(path);
    assert.equal(before.length, 5);
    assert.deepEqual((await store.withImport((tx) => tx.replaceRelations(STEINS_GATE))).value, { added: 0, removed: 0 });
    assert.deepEqual(rawRelations(path), before, 'nothing was rewritten, also the side story whose title is missing');

    const corrected: TitleRelations = {
      animeId: 9253,
      relations: [
        { relatedId: 30484, relation: 'sequel' },
        { relatedId: 30484, relation: 'sequel' },
        { relatedId: 27957, relation: 'spin_off' },
      ],
    };
    assert.deepEqual((await store.withImport((tx) => tx.replaceRelations([corrected]))).value, { added: 1, removed: 2 });
    assert.deepEqual(
      rawRelations(path),
      [
        [9253, 27957, 'spin_off'],
        [9253, 30484, 'sequel'],
        [11577, 9253, 'prequel'],
        [30484, 9253, 'prequel'],
      ],
      'the titles not in this run keep their lists',
    );

    assert.deepEqual((await store.withImport((tx) => tx.replaceRelations([{ animeId: 11577, relations: [] }]))).value, {
      added: 0,
      removed: 1,
    });
    assert.deepEqual(await store.animeRelations(), [
      { animeId: 9253, relatedId: 30484, relation: 'sequel' },
      { animeId: 30484, relatedId: 9253, relation: 'prequel' },
    ]);
    await store.close();
  });

  it('a v4 store upgrades in place: its data stays, and relations can be written', async () => {
    const path = join(dir, 'v4.db');
    let store = SqliteStore.open(path);
    const user = await store.ensureUser('local', 'okabe');
    await store.withImport(async (tx) => {
      await tx.upsertAnime(TITLES);
      await tx.upsertInteractions('local', [{ user: 'okabe', animeId: 9253, score: 10, status: 'completed', updatedAt: 1 }]);
      await tx.addPendingInteractions('local', [{ user: 'okabe', animeId: 52991, score: null, status: 'plan_to_watch', updatedAt: 2 }]);
    });
    await store.setMeta('ops.ingest.titles_cursor', '1714000000000');
    await store.close();
    // What version 4 wrote: the same tables without anime_relations.
    const db = new Database(path);
    db.exec("DROP TABLE anime_relations; UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    db.close();

    store = SqliteStore.open(path);
    assert.equal(await store.getMeta('schema_version'), String(SCHEMA_VERSION));
    assert.equal(SCHEMA_VERSION, 5);
    assert.equal(await store.countAnime(), 3);
    assert.deepEqual(await store.userInteractions(user.userId), [
      { userId: user.userId, animeId: 9253, score: 10, status: 'completed', updatedAt: 1 },
    ]);
    assert.equal((await store.pendingInteractions(user.userId)).length, 1);
    assert.equal(await store.getMeta('ops.ingest.titles_cursor'), '1714000000000');
    assert.deepEqual(await store.animeRelations(), []);
    await store.withImport((tx) => tx.replaceRelations(STEINS_GATE));
    assert.equal((await store.animeRelations()).length, 4);
    await store.close();
  });
});

/**
 * Makes a registered format's parser emit relations, as a parser might one day by mistake (or
 * by design, for a catalogue with a related-anime column), for the duration of `fn`.
 */
async function withRelationsFrom<T>(formatId: string, fn: () => Promise<T>): Promise<T> {
  const format = formatById(formatId)!;
  const read = format.read;
  format.read = async function* (source) {
    for await (const chunk of read.call(format, source) as AsyncIterable<ImportChunk>) {
      yield { ...chunk, relations: [{ animeId: 5114, relations: [{ relatedId: 1535, relation: 'other' }] }] };
    }
  };
  try {
    return await fn();
  } finally {
    format.read = read;
  }
}

describe('importFiles and relations', () => {
  it("a person's list (MAL export) never writes relations, whatever its parser emits", async () => {
    const store = SqliteStore.open(':memory:');
    await importFiles(store, [{ path: fixture('kaggle2016-anime.csv') }]);
    const summary = await withRelationsFrom('mal-xml', () => importFiles(store, [{ path: fixture('mal-export.xml') }]));
    assert.ok(summary.counts.interactionsInserted > 0, 'the list itself was imported');
    assert.deepEqual(await store.animeRelations(), []);
    await store.close();
  });

  it('a catalogue file whose chunks carry relations stores them with its titles', async () => {
    const store = SqliteStore.open(':memory:');
    await withRelationsFrom('kaggle2016-anime', () => importFiles(store, [{ path: fixture('kaggle2016-anime.csv') }]));
    assert.deepEqual(await store.animeRelations(), [{ animeId: 5114, relatedId: 1535, relation: 'other' }]);
    await store.close();
  });
});

describe('AniList ingestion and relations', () => {
  const server = new ReplayServer();
  before(async () => {
    await server.start();
  });
  after(async () => {
    await server.close();
  });

  it("stores each title page's relations with its titles, and a second run changes nothing", async () => {
    const path = join(dir, 'ingest.db');
    const store = SqliteStore.open(path);
    const options = {
      users: ['Yuki'],
      titles: true,
      initialLookbackDays: 0,
      now: () => Date.UTC(2024, 0, 1),
      client: { endpoint: server.endpoint, sleep: async () => {} },
    };
    await runIngest(store, options);
    const stored = rawRelations(path);
    // Cowboy Bebop 3 + the movie 1 + Trigun 2 + Beet 1; Yuki's list (Steins;Gate's edge) none.
    assert.equal(stored.length, 7);
    assert.ok(!stored.some(([animeId]) => animeId === 9253), "the user list's media edge was not stored");
    // Only the movie and the series are both in the catalogue.
    assert.deepEqual(await store.animeRelations(), [
      { animeId: 1, relatedId: 5, relation: 'side_story' },
      { animeId: 5, relatedId: 1, relation: 'parent_story' },
    ]);
    await store.setMeta('ops.ingest.titles_cursor', String(Date.UTC(2024, 0, 1)));
    await runIngest(store, options);
    assert.deepEqual(rawRelations(path), stored);
    await store.close();
  });
});
