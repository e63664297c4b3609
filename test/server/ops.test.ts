import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildServer } from '../../src/server/app.js';
import { createWorld, promote, trainInto, type TestWorld } from './setup.js';

let world: TestWorld;

before(async () => {
  world = await createWorld({ ratingLines: 30_000 });
});

after(async () => {
  await world.cleanup();
});

describe('operations', () => {
  it('health, metrics and the OpenAPI document', async () => {
    const { app } = await buildServer({
      store: world.store,
      modelsDir: world.modelsDir,
      config: { modelPollMs: 0, allowWritesWithoutKey: true },
    });
    try {
      assert.equal((await app.inject('/health/live')).statusCode, 200);
      const ready = await app.inject('/health/ready');
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(
        ready.json(),
        { status: 'ready', store: { kind: 'sqlite', reachable: true }, model: { version: 'itemknn-1' } },
        'a probe says ready, the store kind and the model version, and nothing about paths',
      );
      assert.equal((await app.inject('/v1/admin/model')).json().model.kind, 'itemknn');
      await app.inject('/v1/users/1/recommendations?k=3');
      await app.inject('/v1/users/1/recommendations?k=0');
      const metrics = (await app.inject('/metrics')).body;
      assert.match(
        metrics,
        /anirec_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/users\/:user\/recommendations"[^}]*mode="known-user"/,
      );
      assert.match(metrics, /anirec_http_errors_total\{[^}]*status="400"/);
      assert.match(metrics, /anirec_model_info\{kind="itemknn",version="itemknn-1"\} 1/);
      const doc = (await app.inject('/openapi.json')).json();
      assert.equal(doc.openapi, '3.1.0');
      for (const path of [
        '/v1/users/{user}/recommendations',
        '/v1/recommendations/from-titles',
        '/v1/recommendations/from-preferences',
        '/v1/recommendations/starter',
        '/v1/similar',
        '/v1/search',
        '/v1/users/{user}/profile',
        '/v1/users/{user}/similar-users',
        '/v1/users/{user}/list/{animeId}',
        '/v1/import/mal',
        '/v1/import/anilist',
      ]) {
        assert.ok(doc.paths[path], `OpenAPI documents ${path}`);
      }
      assert.equal((await app.inject('/docs')).statusCode < 400, true);
      const missing = await app.inject('/v1/nope');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().field, 'url');
    } finally {
      await app.close();
    }
  });

  it('is not ready without a model, and serves one once CURRENT appears', async () => {
    const emptyModels = join(world.dir, 'no-models');
    const { app, holder } = await buildServer({ store: world.store, modelsDir: emptyModels, config: { modelPollMs: 0 } });
    try {
      const ready = await app.inject('/health/ready');
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), {
        status: 'not_ready',
        reason: 'no model is loaded yet',
        store: { kind: 'sqlite', reachable: true },
        model: null,
      });
      assert.doesNotMatch(ready.body, /\//, 'no filesystem path in a probe');
      const res = await app.inject('/v1/users/1/recommendations');
      assert.equal(res.statusCode, 503);
      assert.match(res.json().message, /anirec train/);
      assert.equal((await app.inject('/health/live')).statusCode, 200);
      assert.equal(holder.current, null);
    } finally {
      await app.close();
    }
  });

  it('swaps a promoted model atomically while serving', async () => {
    const { app, holder } = await buildServer({
      store: world.store,
      modelsDir: world.modelsDir,
      config: { modelPollMs: 20, allowWritesWithoutKey: true },
    });
    try {
      const { dir } = await trainInto(world.store, world.modelsDir, 'popularity', 'popularity-2');
      let stop = false;
      const statuses: number[] = [];
      const load = (async () => {
        while (!stop) {
          const r = await app.inject('/v1/users/1/recommendations?k=5');
          statuses.push(r.statusCode);
          await sleep(1);
        }
      })();
      promote(world.modelsDir, dir);
      for (let i = 0; i < 200 && holder.current?.version !== 'popularity-2'; i++) await sleep(25);
      stop = true;
      await load;
      assert.equal(holder.current?.version, 'popularity-2');
      assert.ok(statuses.length > 0 && statuses.every((s) => s === 200), `all requests succeeded during the swap: ${statuses}`);
      assert.equal((await app.inject('/v1/admin/model')).json().model.kind, 'popularity');
      assert.match((await app.inject('/metrics')).body, /anirec_model_info\{kind="popularity",version="popularity-2"\} 1/);
      // A broken promotion keeps the working model.
      promote(world.modelsDir, join(world.modelsDir, 'does-not-exist'));
      await sleep(200);
      assert.equal(holder.current?.version, 'popularity-2');
      assert.equal((await app.inject('/v1/users/1/recommendations?k=2')).statusCode, 200);
      assert.match((await app.inject('/v1/admin/model')).json().lastModelError, /does-not-exist/);
    } finally {
      promote(world.modelsDir, join(world.modelsDir, 'itemknn-1'));
      await app.close();
    }
  });

  it('requires the API key for writes, and for reads when configured', async () => {
    const { app } = await buildServer({ store: world.store, modelsDir: world.modelsDir, config: { apiKeys: ['s3cret'], modelPollMs: 0 } });
    try {
      const put = (headers: Record<string, string>) =>
        app.inject({ method: 'PUT', url: '/v1/users/local:auth/list/1', payload: { score: 8 }, headers });
      assert.equal((await put({})).statusCode, 401);
      assert.equal((await put({ 'x-api-key': 'wrong' })).statusCode, 401);
      assert.equal((await put({ 'x-api-key': 's3cret' })).statusCode, 201);
      assert.equal((await put({ authorization: 'Bearer s3cret' })).statusCode, 200);
      assert.equal((await app.inject('/v1/users/1/recommendations?k=1')).statusCode, 200, 'reads are open by default');
      assert.equal((await app.inject({ method: 'POST', url: '/v1/admin/reload' })).statusCode, 401);
    } finally {
      await app.close();
    }
    const closed = await buildServer({
      store: world.store,
      modelsDir: world.modelsDir,
      config: { apiKeys: ['s3cret'], requireKeyForReads: true, modelPollMs: 0 },
    });
    try {
      const res = await closed.app.inject('/v1/users/1/recommendations?k=1');
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().field, 'headers.x-api-key');
      assert.equal((await closed.app.inject('/health/live')).statusCode, 200, 'health stays open');
    } finally {
      await closed.app.close();
    }
    const nokey = await buildServer({ store: world.store, modelsDir: world.modelsDir, config: { modelPollMs: 0 } });
    try {
      const res = await nokey.app.inject({ method: 'PUT', url: '/v1/users/local:auth/list/1', payload: { score: 8 } });
      assert.equal(res.statusCode, 403, 'no key configured → writes disabled unless explicitly allowed');
      assert.match(res.json().message, /ANIREC_API_KEY/);
    } finally {
      await nokey.app.close();
    }
  });

  it('limits body size and request rate, and answers CORS preflights', async () => {
    const { app } = await buildServer({
      store: world.store,
      modelsDir: world.modelsDir,
      config: { bodyLimit: 1024, rateLimitPerMinute: 5, corsOrigins: ['https://anirec.example'], modelPollMs: 0 },
    });
    try {
      const big = await app.inject({
        method: 'POST',
        url: '/v1/recommendations/from-titles',
        payload: { titles: Array.from({ length: 200 }, (_, i) => ({ id: i + 1 })) },
      });
      assert.equal(big.statusCode, 413);
      assert.equal(big.json().field, 'body');
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/v1/search?q=a',
        headers: { origin: 'https://anirec.example', 'access-control-request-method': 'GET' },
      });
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://anirec.example');
      let limited = null;
      for (let i = 0; i < 10 && limited === null; i++) {
        const r = await app.inject('/v1/search?q=naruto');
        if (r.statusCode === 429) limited = r;
      }
      assert.ok(limited, 'rate limit kicks in');
      assert.equal(limited.json().error, 'rate_limited');
    } finally {
      await app.close();
    }
  });
});
