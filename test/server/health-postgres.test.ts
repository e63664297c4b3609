import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPostgresCluster, type PostgresCluster } from '../../scripts/postgres-cluster.mjs';
import { BUNDLED_DATA } from '../../src/data/bundled.js';
import { buildServer } from '../../src/server/app.js';
import { importFiles, openStore, type Store } from '../../src/store/index.js';
import { ratingsSlice, trainInto } from './setup.js';

// Its own cluster, not the shared test one: the test stops and restarts the server.
let cluster: PostgresCluster;
let store: Store;
let dir: string;

before(async () => {
  cluster = await startPostgresCluster();
  dir = mkdtempSync(join(tmpdir(), 'anirec-health-pg-'));
  store = await openStore(cluster.url);
  const slice = join(dir, 'ratings.csv');
  await ratingsSlice(slice, 5_000);
  await importFiles(store, [{ path: BUNDLED_DATA.catalogue2016 }, { path: slice, userSource: 'kaggle2016' }]);
  const modelsDir = join(dir, 'models');
  mkdirSync(modelsDir, { recursive: true });
  const { dir: modelDir } = await trainInto(store, modelsDir, 'popularity', 'popularity-1');
  writeFileSync(join(modelsDir, 'CURRENT'), `${modelDir}\n`);
});

after(async () => {
  await store?.close();
  cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('/health/ready on a PostgreSQL store', () => {
  it('turns not-ready while the database is down and ready again by itself once it is back', async () => {
    const { app } = await buildServer({ store, modelsDir: join(dir, 'models'), config: { modelPollMs: 0 } });
    try {
      let ready = await app.inject('/health/ready');
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: 'ready', store: { kind: 'postgres', reachable: true }, model: { version: 'popularity-1' } });
      assert.equal((await app.inject('/v1/users/kaggle2016:1/recommendations?k=3')).statusCode, 200);

      cluster.pgCtl('stop', '-m', 'fast');
      ready = await app.inject('/health/ready');
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), {
        status: 'not_ready',
        reason: 'the store does not answer',
        store: { kind: 'postgres', reachable: false },
        model: { version: 'popularity-1' },
      });
      assert.doesNotMatch(ready.body, /127\.0\.0\.1|postgres:|\//, 'no URL, host or path in a probe');
      const request = await app.inject('/v1/users/kaggle2016:1/recommendations?k=3');
      assert.equal(request.statusCode, 503, 'a request that needs the store is a 503, not a 500');
      assert.equal(request.json().error, 'store_unavailable');
      assert.doesNotMatch(request.body, /127\.0\.0\.1/);
      assert.equal((await app.inject('/health/live')).statusCode, 200, 'still alive: restarting it would not bring the database back');

      cluster.pgCtl('start');
      let statuses: number[] = [];
      for (let i = 0; i < 100; i++) {
        ready = await app.inject('/health/ready');
        statuses.push(ready.statusCode);
        if (ready.statusCode === 200) break;
        await sleep(100);
      }
      assert.equal(ready.statusCode, 200, `ready again without a restart (statuses ${statuses.join(',')})`);
      assert.equal(ready.json().store.reachable, true);
      statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await app.inject('/v1/users/kaggle2016:1/recommendations?k=3')).statusCode);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    } finally {
      await app.close();
    }
  });
});
