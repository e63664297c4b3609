import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Interaction } from '../../src/data/types.js';
import { ImportInProgressError, StoreBusyError } from '../../src/store/index.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'anirec-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function row(user: string, animeId: number, score: number | null, extra: Partial<Interaction> = {}): Interaction {
  return { user, animeId, score, status: null, updatedAt: null, ...extra };
}

describe('SqliteStore', () => {
  it('merges anime patches field by field without erasing known values', async () => {
    const store = SqliteStore.open(':memory:');
    const tx = await store.beginImport();
    await tx.upsertAnime([{ animeId: 5114, title: 'Fullmetal Alchemist: Brotherhood', genres: ['Action'], members: 793665, synonyms: ['FMA:B'] }]);
    await tx.upsertAnime([{ animeId: 5114, synopsis: 'Two brothers…', genres: [], studios: ['Bones'], synonyms: ['Hagane no Renkinjutsushi'] }]);
    await tx.commit();
    const anime = await store.getAnime(5114);
    assert.ok(anime);
    assert.equal(anime.title, 'Fullmetal Alchemist: Brotherhood');
    assert.deepEqual(anime.genres, ['Action'], 'an empty list from a later source must not erase genres');
    assert.equal(anime.synopsis, 'Two brothers…');
    assert.deepEqual(anime.studios, ['Bones']);
    assert.equal(anime.members, 793665);
    assert.deepEqual(anime.synonyms, ['FMA:B', 'Hagane no Renkinjutsushi']);
    await store.close();
  });

  it('counts inserts, updates and unchanged rows, and a re-run changes nothing', async () => {
    const store = SqliteStore.open(':memory:');
    // More rows than one multi-row statement holds, plus a remainder, to cover both write paths.
    const rows = Array.from({ length: 1234 }, (_, i) => row(String(1 + (i % 7)), 100 + i, (i % 10) + 1));
    let tx = await store.beginImport();
    await tx.upsertInteractions('test', rows);
    assert.deepEqual(tx.counts(), { animeUpserted: 0, interactionsInserted: 1234, interactionsUpdated: 0, interactionsUnchanged: 0, usersCreated: 7, pendingAdded: 0, pendingResolved: 0 });
    await tx.commit();

    tx = await store.beginImport();
    await tx.upsertInteractions('test', rows);
    assert.deepEqual(tx.counts(), { animeUpserted: 0, interactionsInserted: 0, interactionsUpdated: 0, interactionsUnchanged: 1234, usersCreated: 0, pendingAdded: 0, pendingResolved: 0 });
    await tx.commit();

    tx = await store.beginImport();
    const changed = rows.slice(0, 600).map((r) => ({ ...r, score: r.score === 10 ? 9 : 10 }));
    await tx.upsertInteractions('test', [...changed, row('new-user', 1, null)]);
    assert.equal(tx.counts().interactionsUpdated, 600);
    assert.equal(tx.counts().interactionsInserted, 1);
    await tx.commit();
    assert.equal(await store.countInteractions(), 1235);
    await store.close();
  });

  it('keeps users of different sources apart', async () => {
    const store = SqliteStore.open(':memory:');
    const tx = await store.beginImport();
    await tx.upsertInteractions('kaggle2016', [row('1', 10, 8)]);
    await tx.upsertInteractions('kaggle2020', [row('1', 10, 3)]);
    await tx.commit();
    const users = await store.findUser(null, '1');
    assert.deepEqual(users.map((u) => u.source), ['kaggle2016', 'kaggle2020']);
    const [a, b] = users;
    assert.equal((await store.userInteractions(a!.userId))[0]!.score, 8);
    assert.equal((await store.userInteractions(b!.userId))[0]!.score, 3);
    await store.close();
  });

  it('rolls back a run completely, also after the process dies mid-import', async () => {
    const path = join(dir, 'rollback.db');
    const store = SqliteStore.open(path);
    let tx = await store.beginImport();
    await tx.upsertAnime([{ animeId: 1, title: 'Cowboy Bebop' }]);
    await tx.upsertInteractions('test', [row('u', 1, 10)]);
    await tx.commit();

    tx = await store.beginImport();
    await tx.upsertAnime([{ animeId: 2, title: 'Trigun' }]);
    await tx.upsertInteractions('test', [row('u', 2, 9), row('v', 1, 7)]);
    await tx.rollback();
    assert.equal(await store.countAnime(), 1);
    assert.equal(await store.countInteractions(), 1);
    assert.equal(await store.countUsers(), 1);
    await store.close();

    // A child process opens the same file, writes inside a transaction and is killed before it
    // commits: the next open must see the store exactly as it was.
    const { spawnSync } = await import('node:child_process');
    const script = `
      import { SqliteStore } from ${JSON.stringify(new URL('../../src/store/sqlite/sqlite-store.ts', import.meta.url).href)};
      const store = SqliteStore.open(${JSON.stringify(path)});
      const tx = await store.beginImport();
      await tx.upsertAnime([{ animeId: 3, title: 'Monster' }]);
      await tx.upsertInteractions('test', [{ user: 'w', animeId: 3, score: 10, status: null, updatedAt: null }]);
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const reopened = SqliteStore.open(path);
    assert.equal(await reopened.countAnime(), 1);
    assert.equal(await reopened.countInteractions(), 1);
    await reopened.close();
  });

  it('returns all interactions column-wise, ordered by user then anime', async () => {
    const store = SqliteStore.open(':memory:');
    const tx = await store.beginImport();
    await tx.upsertInteractions('test', [row('b', 5, null, { status: 'dropped' }), row('a', 9, 7), row('a', 3, 2, { status: 'completed' })]);
    await tx.commit();
    const columns = await store.allInteractions();
    assert.equal(columns.length, 3);
    assert.deepEqual([...columns.animeIds], [5, 3, 9]);
    assert.deepEqual([...columns.scores], [0, 2, 7]);
    assert.deepEqual([...columns.statuses], [4, 2, 0]);
    await store.close();
  });

  it('sets and deletes a single interaction for feedback', async () => {
    const store = SqliteStore.open(':memory:');
    const user = await store.ensureUser('local', 'alice');
    await store.setInteraction(user.userId, { animeId: 20, score: 8, status: 'completed', updatedAt: 1 });
    await store.setInteraction(user.userId, { animeId: 20, score: 9, status: 'completed', updatedAt: 2 });
    assert.deepEqual(await store.userInteractions(user.userId), [{ userId: user.userId, animeId: 20, score: 9, status: 'completed', updatedAt: 2 }]);
    assert.equal(await store.deleteInteraction(user.userId, 20), true);
    assert.equal(await store.deleteInteraction(user.userId, 20), false);
    assert.equal((await store.ensureUser('local', 'alice')).userId, user.userId);
    await store.close();
  });

  it('refuses a store written by a newer schema with a clear message', async () => {
    const path = join(dir, 'future.db');
    const store = SqliteStore.open(path);
    await store.setMeta('schema_version', '999');
    await store.close();
    assert.throws(() => SqliteStore.open(path), /newer anirec \(schema 999/);
  });

  it('makes a write wait, without blocking the event loop, while another process holds the write lock', async () => {
    const path = join(dir, 'busy.db');
    const server = SqliteStore.open(path);
    const cli = SqliteStore.open(path); // stands in for `anirec import` in another process
    const user = await server.ensureUser('local', 'busy');
    const tx = await cli.beginImport();
    let settled = false;
    const write = server.updateInteraction(user.userId, 1, { score: 7, updatedAt: 1 }).finally(() => (settled = true));
    // Timers and reads still run while the write waits for the lock (a synchronous wait would
    // hold this thread until it gave up).
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await server.getMeta('schema_version'), String(SCHEMA_VERSION), 'a read answers while the write waits');
    assert.equal(settled, false, 'the write is still waiting for the lock');
    await tx.rollback();
    const change = await write;
    assert.deepEqual(change, { created: true, entry: { userId: user.userId, animeId: 1, score: 7, status: 'completed', updatedAt: 1 } });
    await cli.close();
    await server.close();
  });

  it('gives up on a store locked for too long with StoreBusyError, writing nothing', async () => {
    const path = join(dir, 'busy-long.db');
    const server = SqliteStore.open(path, { busyWaitMs: 200 });
    const cli = SqliteStore.open(path);
    const user = await server.ensureUser('local', 'busy');
    const tx = await cli.beginImport();
    await assert.rejects(server.updateInteraction(user.userId, 1, { score: 7, updatedAt: 1 }), StoreBusyError);
    await assert.rejects(server.beginImport(), StoreBusyError);
    await tx.rollback();
    assert.deepEqual(await server.userInteractions(user.userId), []);
    await server.beginImport().then((t) => t.rollback()); // the gate was released by the failed begin
    await cli.close();
    await server.close();
  });

  it('refuses a second import on one store with ImportInProgressError', async () => {
    const store = SqliteStore.open(':memory:');
    const tx = await store.beginImport();
    await assert.rejects(store.beginImport(), ImportInProgressError);
    await tx.commit();
    await (await store.beginImport()).rollback();
    await store.close();
  });
});
