import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { ImportInProgressError, openStore, StoreNotFoundError, StoreUrlError, type Store } from '../../src/store/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SCHEMA_VERSION } from '../../src/store/postgres/schema.js';
import { freshPostgresDatabase, postgresTestUrl } from '../support/postgres.js';
import { row } from './contract-helpers.js';
import { holdImport } from './held-import.js';

// What every store does is in contract.ts (postgres-contract.test.ts runs it); this is what only
// a networked store shared by several processes has to get right: several replicas at once.
const drops: Array<() => Promise<void>> = [];
after(async () => {
  for (const drop of drops) await drop();
});

async function freshUrl(): Promise<string> {
  const { url, drop } = await freshPostgresDatabase();
  drops.push(drop);
  return url;
}

async function sql<R extends pg.QueryResultRow>(url: string, text: string, values?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function withStores(url: string, count: number, use: (stores: Store[]) => Promise<void>): Promise<void> {
  const stores = await Promise.all(Array.from({ length: count }, () => openStore(url)));
  try {
    await use(stores);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

describe('PostgresStore', () => {
  it('migrates a database once when several replicas open it at the same moment, and reopens without migrating', async () => {
    const url = await freshUrl();
    await withStores(url, 4, async (stores) => {
      assert.ok(stores.every((s) => s.kind === 'postgres'));
      await stores[0]!.setMeta('written-by', 'replica 0');
      assert.equal(await stores[3]!.getMeta('written-by'), 'replica 0', 'all four replicas share one database');
    });
    const versions = await sql<{ version: number }>(url, 'SELECT version FROM anirec_schema_migrations ORDER BY version');
    assert.deepEqual(
      versions.map((v) => v.version),
      Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
      'each migration recorded once',
    );
    const [{ applied }] = (await sql<{ applied: string }>(
      url,
      'SELECT max(applied_at)::text AS applied FROM anirec_schema_migrations',
    )) as [{ applied: string }];
    await withStores(url, 1, async ([store]) => assert.equal(await store!.getMeta('schema_version'), String(SCHEMA_VERSION)));
    assert.equal(
      (await sql<{ applied: string }>(url, 'SELECT max(applied_at)::text AS applied FROM anirec_schema_migrations'))[0]!.applied,
      applied,
      'a reopen applies nothing',
    );
  });

  it('refuses a database migrated by a newer anirec', async () => {
    const url = await freshUrl();
    await withStores(url, 1, async () => {});
    await sql(url, `INSERT INTO anirec_schema_migrations (version, description) VALUES ($1, 'from the future')`, [SCHEMA_VERSION + 1]);
    await assert.rejects(
      openStore(url),
      new RegExp(`newer anirec \\(schema ${SCHEMA_VERSION + 1}; this version understands ${SCHEMA_VERSION}\\)`),
    );
  });

  it('with mustExist, refuses an empty database (saying how to create the tables) and a missing one, creating nothing', async () => {
    const url = await freshUrl();
    await assert.rejects(
      openStore(url, { mustExist: true }),
      (error) =>
        error instanceof StoreNotFoundError && /no anirec tables yet; `anirec import --store URL` creates them/.test(error.message),
    );
    assert.deepEqual(await sql(url, `SELECT 1 FROM pg_tables WHERE schemaname = 'public'`), [], 'nothing was created');
    const missing = new URL(url);
    missing.pathname = '/anirec_never_created';
    await assert.rejects(
      openStore(missing.toString(), { mustExist: true }),
      (error) => error instanceof StoreNotFoundError && /createdb NAME/.test(error.message),
    );
    await assert.rejects(
      openStore(missing.toString()),
      (error) => error instanceof StoreUrlError && /does not exist\. Create the database first/.test(error.message),
    );
    await withStores(url, 1, async () => {});
    const existing = await openStore(url, { mustExist: true });
    await existing.close();
  });

  it('refuses a second import from another replica with ImportInProgressError before its scope runs', async () => {
    const url = await freshUrl();
    await withStores(url, 2, async ([a, b]) => {
      const held = await holdImport(a!);
      await held.tx.upsertAnime([{ animeId: 1, title: 'Cowboy Bebop' }]);
      let ran = false;
      await assert.rejects(
        b!.withImport(async () => void (ran = true)),
        ImportInProgressError,
      );
      assert.equal(ran, false);
      assert.equal(await b!.getAnime(1), null, 'the open import is invisible to the other replica');
      await held.commit();
      assert.equal((await b!.getAnime(1))?.title, 'Cowboy Bebop');
      const { counts } = await b!.withImport((tx) => tx.upsertAnime([{ animeId: 2, title: 'Trigun' }]));
      assert.equal(counts.animeUpserted, 1, 'the lock went with the commit');
    });
  });

  it('rolls an import back when its connection is killed mid-run, and keeps serving afterwards', async () => {
    const url = await freshUrl();
    await withStores(url, 1, async ([store]) => {
      await store!.withImport((tx) => tx.upsertInteractions('test', [row('u', 1, 10)]));
      const held = await holdImport(store!);
      await held.tx.upsertInteractions(
        'test',
        Array.from({ length: 5000 }, (_, i) => row(`v${i % 50}`, i + 2, 7)),
      );
      const [killed] = await sql<{ killed: boolean }>(
        postgresTestUrl(),
        `SELECT bool_or(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'`,
        [new URL(url).pathname.slice(1)],
      );
      assert.equal(killed?.killed, true, 'the import connection was found and killed');
      await assert.rejects(held.commit());
      assert.equal(await store!.countInteractions(), 1, 'nothing of the killed run is visible');
      assert.equal(await store!.countUsers(), 1);
      const { counts } = await store!.withImport((tx) => tx.upsertInteractions('test', [row('w', 3, 4)]));
      assert.equal(counts.interactionsInserted, 1, 'the lock died with the connection; the next import runs');
    });
  });

  it('imports a few hundred thousand rows through COPY in batches, idempotently, and reads them back in order', async () => {
    const url = await freshUrl();
    const users = 3000;
    const batches = Array.from({ length: 5 }, (_, b) =>
      Array.from({ length: 50_000 }, (_, i) => {
        const n = b * 50_000 + i;
        return row(
          `user-${n % users}`,
          1 + Math.floor(n / users),
          (n % 10) + 1,
          n % 3 === 0 ? { status: 'completed', updatedAt: 1_700_000_000_000 + n } : {},
        );
      }),
    );
    await withStores(url, 1, async ([store]) => {
      const first = await store!.withImport(async (tx) => {
        for (const batch of batches) await tx.upsertInteractions('bench', batch);
      });
      assert.equal(first.counts.interactionsInserted, 250_000);
      assert.equal(first.counts.usersCreated, users);
      const again = await store!.withImport(async (tx) => {
        for (const batch of batches) await tx.upsertInteractions('bench', batch);
      });
      assert.deepEqual(
        [again.counts.interactionsInserted, again.counts.interactionsUpdated, again.counts.interactionsUnchanged],
        [0, 0, 250_000],
      );
      const columns = await store!.allInteractions();
      assert.equal(columns.length, 250_000);
      const ids = new Map(
        (await sql<{ user_id: number; external_id: string }>(url, 'SELECT user_id, external_id FROM users')).map((u) => [
          u.external_id,
          u.user_id,
        ]),
      );
      const expected = batches
        .flat()
        .map((r) => [ids.get(r.user)!, r.animeId, r.score!, r.status === null ? 0 : 2] as const)
        .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      for (let i = 0; i < expected.length; i += 997) {
        assert.deepEqual([columns.userIds[i], columns.animeIds[i], columns.scores[i], columns.statuses[i]], expected[i], `row ${i}`);
      }
      for (let i = 1; i < columns.length; i++) {
        const ordered =
          columns.userIds[i - 1]! < columns.userIds[i]! ||
          (columns.userIds[i - 1] === columns.userIds[i] && columns.animeIds[i - 1]! < columns.animeIds[i]!);
        if (!ordered) assert.fail(`rows ${i - 1} and ${i} are out of (user, anime) order`);
      }
    });
  });

  it('keeps every feedback write when two replicas hammer the same users at once: no lost update, no duplicate user', async () => {
    const url = await freshUrl();
    await withStores(url, 2, async ([a, b]) => {
      const names = Array.from({ length: 20 }, (_, i) => `fan-${i}`);
      const rounds = 15;
      // Replica A sets scores and replica B statuses of the same entries, each also creating the
      // users on first touch and adding entries of its own, all interleaved.
      const work = (store: Store, side: 'a' | 'b') =>
        Promise.all(
          names.map(async (name) => {
            for (let r = 0; r < rounds; r++) {
              const user = await store.ensureUser('local', name);
              await (side === 'a'
                ? store.updateInteraction(user.userId, 1, { score: (r % 10) + 1, updatedAt: r })
                : store.updateInteraction(user.userId, 1, { status: r % 2 === 0 ? 'watching' : 'completed', updatedAt: r }));
              await store.setInteraction(user.userId, {
                animeId: side === 'a' ? 100 + r : 200 + r,
                score: 5,
                status: 'completed',
                updatedAt: r,
              });
            }
          }),
        );
      await Promise.all([work(a!, 'a'), work(b!, 'b')]);
      assert.equal(await a!.countUsers(), names.length, 'each user created once');
      for (const name of names) {
        const [user, ...others] = await b!.findUser('local', name);
        assert.ok(user !== undefined && others.length === 0);
        const entries = await a!.userInteractions(user.userId);
        assert.equal(entries.length, 1 + 2 * rounds, `${name}: every entry of both replicas is there`);
        const shared = entries.find((e) => e.animeId === 1);
        assert.equal(shared?.score, ((rounds - 1) % 10) + 1, `${name}: A's last score survived B's status writes`);
        assert.equal(
          shared?.status,
          (rounds - 1) % 2 === 0 ? 'watching' : 'completed',
          `${name}: B's last status survived A's score writes`,
        );
      }
    });
  });

  it('survives the server dropping its idle connections: no crash, the next query reconnects', async () => {
    const url = await freshUrl();
    const store = (await openStore(url)) as PostgresStore;
    try {
      await Promise.all(Array.from({ length: 4 }, () => store.countUsers()));
      await sql(
        postgresTestUrl(),
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [new URL(url).pathname.slice(1)],
      );
      for (let i = 0; i < 100 && store.lastIdleError === null; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(store.lastIdleError !== null, 'the pool saw its idle connections go');
      // Reads and value-setting writes go through, on a fresh connection if one they got was stale.
      assert.deepEqual(await Promise.all([store.countUsers(), store.countAnime(), store.getMeta('x'), store.countInteractions()]), [
        0,
        0,
        null,
        0,
      ]);
      await store.setMeta('x', '1');
      await store.ping();
    } finally {
      await store.close();
    }
  });
});
