import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  describeStore,
  openStore,
  redactStoreUrl,
  registerStoreBackend,
  StoreNotFoundError,
  StoreUnavailableError,
  StoreUrlError,
  type Store,
} from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'anirec-open-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function roundTrip(url: string): Promise<Store> {
  const store = await openStore(url);
  await store.setMeta('written-through', url);
  return store;
}

describe('openStore', () => {
  it('opens SQLite from sqlite:PATH, sqlite://PATH and a bare path, all naming the same file', async () => {
    const path = join(dir, 'one.db');
    const a = await roundTrip(`sqlite:${path}`);
    assert.equal(a.kind, 'sqlite');
    await a.close();
    for (const url of [`sqlite://${path}`, path, `SQLite:${path}`]) {
      const store = await openStore(url);
      assert.equal(await store.getMeta('written-through'), `sqlite:${path}`, url);
      await store.close();
    }
    assert.equal(describeStore(`sqlite:${path}`), path);
    assert.equal(describeStore(path), path);
  });

  it('opens a throw-away in-memory store from sqlite::memory: (and a bare :memory:)', async () => {
    for (const url of ['sqlite::memory:', ':memory:']) {
      const store = await roundTrip(url);
      assert.equal(await store.getMeta('written-through'), url);
      await store.close();
      const again = await openStore(url);
      assert.equal(await again.getMeta('written-through'), null, 'nothing survives the close');
      await again.close();
    }
  });

  it('with mustExist, refuses a missing file without creating it', async () => {
    const path = join(dir, 'missing', 'never.db');
    await assert.rejects(
      openStore(`sqlite:${path}`, { mustExist: true }),
      (error) => error instanceof StoreNotFoundError && error.location === path,
    );
    assert.equal(existsSync(join(dir, 'missing')), false);
    const memory = await openStore('sqlite::memory:', { mustExist: true });
    await memory.close();
  });

  it('opens postgres:// and postgresql:// URLs as the PostgreSQL store, never printing the password', async () => {
    // Port 1 on loopback refuses at once: the backend is reached and says the database does not answer.
    for (const url of ['postgres://anirec:s3cret@127.0.0.1:1/anirec', 'postgresql://anirec:s3cret@127.0.0.1:1/anirec?password=s3cret']) {
      await assert.rejects(openStore(url), (error) => {
        assert.ok(error instanceof StoreUnavailableError, String(error));
        assert.match(error.message, /does not answer \(postgres(ql)?:\/\/anirec:\*\*\*@127\.0\.0\.1:1\/anirec.*: connection refused\)/);
        assert.doesNotMatch(error.message, /s3cret/);
        return true;
      });
    }
    assert.equal(describeStore('postgres://anirec:s3cret@db/anirec'), 'postgres://anirec:***@db/anirec');
  });

  it('refuses a PostgreSQL URL without a database or with a bad pool_max before connecting', async () => {
    await assert.rejects(
      openStore('postgres://anirec:s3cret@127.0.0.1:1'),
      (error) => error instanceof StoreUrlError && /names no database/.test(error.message) && !/s3cret/.test(error.message),
    );
    for (const bad of ['0', '-2', 'ten', '1.5', '5000']) {
      await assert.rejects(
        openStore(`postgres://anirec@127.0.0.1:1/anirec?pool_max=${bad}`),
        (error) => error instanceof StoreUrlError && error.message.includes(`pool_max=${bad}`) && /1 to 1000/.test(error.message),
      );
    }
  });

  it('names the schemes it knows when given an unknown one, and refuses an empty location', async () => {
    await assert.rejects(openStore('mysql://root:pw@localhost/anirec'), (error) => {
      assert.ok(error instanceof StoreUrlError);
      assert.match(error.message, /Unknown store scheme "mysql:" in mysql:\/\/root:\*\*\*@localhost\/anirec/);
      assert.match(error.message, /sqlite:PATH/);
      assert.match(error.message, /postgres:\/\//);
      assert.match(error.message, /bare file path/);
      return true;
    });
    await assert.rejects(openStore(''), StoreUrlError);
    await assert.rejects(openStore('sqlite:'), /sqlite: needs a file path/);
    await assert.rejects(openStore('sqlite://'), /sqlite: needs a file path/);
  });

  it('takes new backends by scheme, once each', async () => {
    const opened: string[] = [];
    registerStoreBackend({
      schemes: ['contract-test'],
      example: 'contract-test:NAME',
      async open(rest, url) {
        opened.push(`${rest} ${url}`);
        return openStore('sqlite::memory:');
      },
      describe: (rest) => `test store ${rest}`,
    });
    const store = await openStore('contract-test:alpha');
    await store.close();
    assert.deepEqual(opened, ['alpha contract-test:alpha']);
    assert.equal(describeStore('contract-test:alpha'), 'test store alpha');
    await assert.rejects(openStore('nope:x'), /contract-test:NAME/);
    assert.throws(
      () =>
        registerStoreBackend({ schemes: ['sqlite'], example: 'sqlite:again', open: async () => openStore(':memory:'), describe: () => '' }),
      /already registered/,
    );
  });

  it('redacts passwords in the user part and in a password= parameter', () => {
    assert.equal(redactStoreUrl('postgres://u:p@h/db?sslmode=require&password=x'), 'postgres://u:***@h/db?sslmode=require&password=***');
    assert.equal(redactStoreUrl('postgres://h/db'), 'postgres://h/db');
    assert.equal(redactStoreUrl('sqlite:/a/b.db'), 'sqlite:/a/b.db');
  });
});
