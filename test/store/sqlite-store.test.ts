import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { storeFileOf } from '../../src/recommend/store-snapshot.js';
import { StoreBusyError } from '../../src/store/index.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { row } from './contract-helpers.js';
import { holdImport } from './held-import.js';

const dir = mkdtempSync(join(tmpdir(), 'anirec-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// What every store does is in contract.ts (sqlite-contract.test.ts runs it); this is SQLite's own.
describe('SqliteStore', () => {
  it('leaves a file store as it was when the process dies mid-import', async () => {
    const path = join(dir, 'rollback.db');
    const store = SqliteStore.open(path);
    await store.withImport(async (tx) => {
      await tx.upsertAnime([{ animeId: 1, title: 'Cowboy Bebop' }]);
      await tx.upsertInteractions('test', [row('u', 1, 10)]);
    });
    await store.close();

    // A child process opens the same file, writes inside a transaction and is killed before it
    // commits: the next open must see the store exactly as it was.
    const { spawnSync } = await import('node:child_process');
    const script = `
      import { SqliteStore } from ${JSON.stringify(new URL('../../src/store/sqlite/sqlite-store.ts', import.meta.url).href)};
      const store = SqliteStore.open(${JSON.stringify(path)});
      await store.withImport(async (tx) => {
        await tx.upsertAnime([{ animeId: 3, title: 'Monster' }]);
        await tx.upsertInteractions('test', [{ user: 'w', animeId: 3, score: 10, status: null, updatedAt: null }]);
        process.kill(process.pid, 'SIGKILL');
      });`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const reopened = SqliteStore.open(path);
    assert.equal(await reopened.countAnime(), 1);
    assert.equal(await reopened.countInteractions(), 1);
    await reopened.close();
  });

  it('names its file for another connection (the snapshot worker) to open, and none in memory', async () => {
    const path = join(dir, 'named.db');
    const store = SqliteStore.open(path);
    const memory = SqliteStore.open(':memory:');
    assert.equal(store.file, path);
    assert.equal(storeFileOf(store), path);
    assert.equal(memory.file, null);
    assert.equal(storeFileOf(memory), null);
    await memory.close();
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
    const held = await holdImport(cli);
    let settled = false;
    const write = server.updateInteraction(user.userId, 1, { score: 7, updatedAt: 1 }).finally(() => (settled = true));
    // Timers and reads still run while the write waits for the lock (a synchronous wait would
    // hold this thread until it gave up).
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await server.getMeta('schema_version'), String(SCHEMA_VERSION), 'a read answers while the write waits');
    assert.equal(settled, false, 'the write is still waiting for the lock');
    await held.rollback();
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
    const held = await holdImport(cli);
    let ran = false;
    await assert.rejects(server.updateInteraction(user.userId, 1, { score: 7, updatedAt: 1 }), StoreBusyError);
    await assert.rejects(
      server.withImport(async () => void (ran = true)),
      StoreBusyError,
    );
    assert.equal(ran, false, 'the scope of an import that could not begin never ran');
    await held.rollback();
    assert.deepEqual(await server.userInteractions(user.userId), []);
    await server.withImport(async () => {}); // the gate was released by the failed begin
    await cli.close();
    await server.close();
  });
});
