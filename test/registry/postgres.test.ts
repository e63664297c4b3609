// What only the shared registry does: artifacts in chunks, a registration that is all or nothing,
// the local cache, the writer lock, and promotions announced by NOTIFY. Real PostgreSQL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { openRegistry, PostgresRegistry, PRODUCTION_CHANNEL, RegistryLockedError } from '../../src/registry/index.js';
import { bundleFiles } from '../../src/registry/postgres/artifacts.js';
import { freshPostgresDatabase } from '../support/postgres.js';
import { bundleDir, tempHome } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function database(): Promise<{ url: string; home: string; sql: (text: string, values?: unknown[]) => Promise<pg.QueryResultRow[]> }> {
  const db = await freshPostgresDatabase('anirec_registry');
  const { home } = tempHome();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  cleanups.push(async () => {
    await client.end();
    await db.drop();
    rmSync(home, { recursive: true, force: true });
  });
  return { url: db.url, home, sql: async (text, values) => (await client.query(text, values)).rows };
}

async function open(
  url: string,
  cacheDir: string,
  options: { chunkBytes?: number; lockTimeoutMs?: number } = {},
): Promise<PostgresRegistry> {
  const registry = await PostgresRegistry.open(url, { cacheDir, ...options });
  cleanups.push(() => registry.close());
  return registry;
}

async function until(what: string, test: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!(await test())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - started;
}

describe('PostgresRegistry', () => {
  it('round-trips artifacts of many chunks byte for byte, into a cache on another home', async () => {
    const { url, home, sql } = await database();
    const source = bundleDir(home, 'big');
    // Sizes around the chunk size: empty, one byte, exactly one chunk, one over, many chunks.
    const sizes: Record<string, number> = {
      'model/empty.bin': 0,
      'model/one.bin': 1,
      'model/exact.bin': 64,
      'model/over.bin': 65,
      'model/deep/many.bin': 64 * 40 + 17,
    };
    for (const [path, size] of Object.entries(sizes)) {
      mkdirSync(join(source, path, '..'), { recursive: true });
      writeFileSync(join(source, path), randomBytes(size));
    }
    const writer = await open(url, join(home, 'writer-cache'), { chunkBytes: 64 });
    const v = await writer.register(source);
    const rows = await sql(
      'SELECT path, count(*)::int AS n, max(octet_length(data))::int AS biggest FROM registry_chunks GROUP BY path ORDER BY path',
    );
    const byPath = new Map(rows.map((r) => [r.path as string, r]));
    assert.equal(byPath.get('model/deep/many.bin')!.n, 41, 'the big file is 41 rows');
    assert.equal(byPath.get('model/deep/many.bin')!.biggest, 64, 'no row is bigger than a chunk');
    assert.equal(byPath.get('model/exact.bin')!.n, 1);
    assert.equal(byPath.get('model/over.bin')!.n, 2);
    assert.equal(byPath.get('model/empty.bin')!.n, 1);

    // A replica with its own, empty home: everything it serves comes out of the database.
    const replicaHome = join(home, 'replica');
    const replica = await openRegistry(url, { home: replicaHome, models: join(replicaHome, 'models') });
    cleanups.push(() => replica.close());
    const dir = await replica.materialize((await replica.production())!);
    assert.equal(dir, join(replicaHome, 'model-cache', v.id));
    const files = bundleFiles(source);
    assert.equal(files.length, 7);
    assert.deepEqual(bundleFiles(dir), files);
    for (const f of files) assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(source, f))), `${f} is the same bytes`);
    assert.equal(JSON.parse(readFileSync(join(dir, 'version.json'), 'utf8')).id, v.id, 'the cache keeps the manifest for inspection');
    assert.ok(!existsSync(join(replicaHome, 'models')), 'the replica never writes a file registry');
  });

  it('refuses a download that does not match what was registered, and leaves nothing in the cache', async () => {
    const { url, home, sql } = await database();
    const registry = await open(url, join(home, 'cache'), { chunkBytes: 2 });
    const v = await registry.register(bundleDir(home, 'a'));
    await sql("UPDATE registry_chunks SET data = '\\x0909'::bytea WHERE path = 'model/weights.bin' AND seq = 1");
    await assert.rejects(
      registry.materialize(v),
      /model\/weights\.bin came out of the registry database as 4 bytes in 2 chunks .* it is damaged/,
    );
    assert.deepEqual(readdirSync(join(home, 'cache')), [], 'no version directory and no partial download left');
  });

  it('a registration that fails mid-upload leaves no version, no artifact and no chunk', async () => {
    const { url, home, sql } = await database();
    const registry = await open(url, join(home, 'cache'), { chunkBytes: 2 });
    const source = bundleDir(home, 'a');
    writeFileSync(join(source, 'model', 'aaa.bin'), randomBytes(50));
    // Read after the files before it were uploaded: a file that vanished under the upload.
    symlinkSync(join(home, 'gone'), join(source, 'model', 'zzz.bin'));
    await assert.rejects(registry.register(source), /ENOENT/);
    assert.deepEqual(await registry.list(), []);
    assert.equal(await registry.production(), null);
    assert.deepEqual(await sql('SELECT count(*)::int AS n FROM registry_chunks'), [{ n: 0 }]);
    assert.deepEqual(await sql('SELECT count(*)::int AS n FROM registry_artifacts'), [{ n: 0 }]);
    rmSync(join(source, 'model', 'zzz.bin'));
    assert.equal((await registry.register(source)).seq, 1, 'the next registration is version 1: nothing was used up');
  });

  it('a registration whose database connection dies mid-upload leaves nothing behind', async () => {
    const { url, home, sql } = await database();
    const registry = await open(url, join(home, 'cache'), { chunkBytes: 1024 });
    const source = bundleDir(home, 'a');
    writeFileSync(join(source, 'model', 'weights.bin'), randomBytes(8 * 1024 * 1024));
    const registering = registry.register(source);
    registering.catch(() => {});
    await until(
      'the upload to start',
      async () =>
        (await sql("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'INSERT INTO registry_chunks%'"))
          .length > 0,
      10_000,
    );
    // This database only: other test files share the cluster.
    await sql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'INSERT INTO registry_chunks%' AND pid <> pg_backend_pid()",
    );
    await assert.rejects(registering);
    assert.deepEqual(await registry.list(), []);
    assert.deepEqual(await sql('SELECT count(*)::int AS n FROM registry_chunks'), [{ n: 0 }]);
  });

  it('a writer waits for the writer lock, then gives up with a registry error', async () => {
    const { url, home } = await database();
    const registry = await open(url, join(home, 'cache'), { lockTimeoutMs: 200 });
    const v1 = await registry.register(bundleDir(home, 'a'));
    await registry.register(bundleDir(home, 'b'));
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [0x616e7267, 2]);
      await assert.rejects(registry.promote('v0002'), (e: Error) => e instanceof RegistryLockedError && /stayed locked/.test(e.message));
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    assert.equal((await registry.production())?.id, v1.id, 'the refused promotion changed nothing');
    assert.equal((await registry.promote('v0002')).status, 'production', 'and works once the lock is free');
  });

  it('keeps the version asked for and one more in the cache, and drops the rest', async () => {
    const { url, home } = await database();
    const cache = join(home, 'cache');
    const registry = await open(url, cache);
    const versions = [];
    for (const name of ['a', 'b', 'c']) versions.push(await registry.register(bundleDir(home, name)));
    for (const v of versions) {
      await registry.materialize(v);
      await sleep(15); // distinct modification times
    }
    assert.deepEqual(
      readdirSync(cache)
        .filter((n) => n.startsWith('v'))
        .sort(),
      [versions[1]!.id, versions[2]!.id],
    );
  });

  it('announces promotions and rollbacks to watchers, and a watcher whose connection is cut reconnects', async () => {
    const { url, home, sql } = await database();
    const registry = await open(url, join(home, 'cache'));
    await registry.register(bundleDir(home, 'a'));
    await registry.register(bundleDir(home, 'b'));
    const other = await open(url, join(home, 'other-cache'));
    let calls = 0;
    const warnings: string[] = [];
    const watch = other.watch(
      () => calls++,
      (m) => warnings.push(m),
    );
    try {
      await until('the watcher to connect', () => calls === 1);
      const listeners = async () =>
        (await sql('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1', [`LISTEN ${PRODUCTION_CHANNEL}`]))
          .length;
      await until('the LISTEN to show', async () => (await listeners()) === 1);
      await registry.promote('v0002');
      await until('the promotion to be announced', () => calls === 2);
      await registry.rollback();
      await until('the rollback to be announced', () => calls === 3);
      await registry.recordMetrics('v0001', { x: 1 });
      await sleep(200);
      assert.equal(calls, 3, 'changes that leave production alone are not announced');

      await sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = $1', [
        `LISTEN ${PRODUCTION_CHANNEL}`,
      ]);
      await until('the watcher to reconnect (and re-check)', () => calls === 4);
      assert.match(warnings[0] ?? '', /registry notifications lost .*reconnecting/);
      await registry.promote('v0002');
      await until('a promotion after the reconnect to be announced', () => calls === 5);
    } finally {
      await watch.stop();
    }
  });
});
