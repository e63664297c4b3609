import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { monitoringHistory } from '../../src/ops/index.js';
import { buildServer, type AnirecServer } from '../../src/server/app.js';
import { monitorRecentDays, type MonitoredWorld } from './monitoring-world.js';
import { createWorld, type TestWorld } from './setup.js';

/**
 * GET /v1/monitoring on rows the real monitoring job wrote (see monitoring-world.ts): the
 * bundled ratings, the world's item-kNN model as production, five days of scored titles.
 */
let world: TestWorld;
let server: AnirecServer;

before(async () => {
  world = await createWorld({ ratingLines: 30_000 });
  server = await buildServer({ store: world.store, modelsDir: world.modelsDir, config: { modelPollMs: 0, rateLimitPerMinute: 0 } });
});

after(async () => {
  await server?.app.close();
  await world?.cleanup();
});

describe('GET /v1/monitoring', () => {
  it('answers an empty history (not an error) before `anirec monitor` has run', async () => {
    const res = await server.app.inject('/v1/monitoring');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { days: [], driftDays: 0, latest: null });
  });

  describe('after the monitoring job ran', () => {
    let monitored: MonitoredWorld;
    before(async () => {
      monitored = await monitorRecentDays(world);
    });

    it('returns the daily rows the job stored, oldest first, with the drift count and the latest day', async () => {
      const res = await server.app.inject('/v1/monitoring?days=30');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.deepEqual(body.days, await monitoringHistory(world.store, { days: 30 }), 'the route serves exactly what the job stored');
      assert.deepEqual(
        body.days.map((d: { day: string }) => d.day),
        monitored.days,
        'one row per day that got events',
      );
      for (const day of body.days) {
        assert.equal(day.modelVersion, monitored.production.id);
        assert.equal(day.count, 40, 'every chosen user scored one title a day');
        assert.ok(day.scored > 0 && day.scored <= day.count);
        assert.ok(day.mae >= 0 && day.rmse >= day.mae - 1e-9, `MAE ${day.mae}, RMSE ${day.rmse}`);
        assert.ok(day.hitRate >= 0 && day.hitRate <= 1);
        assert.ok(day.meanRank >= 1);
        assert.match(day.computedAt, /^\d{4}-\d\d-\d\dT/);
      }
      const last = body.days.at(-1);
      assert.deepEqual(body.latest, last);
      // The last day replays each user's least liked title: the real drift rule must catch it.
      assert.equal(last.drift, true, `the least-liked day should drift (MAE ${last.mae} vs earlier ${body.days[0].mae})`);
      assert.match(last.driftReason, /MAE .* vs baseline/);
      assert.equal(body.driftDays, new Set(body.days.filter((d: { drift: boolean }) => d.drift).map((d: { day: string }) => d.day)).size);
      assert.ok(body.driftDays >= 1);
    });

    it('defaults to the last 30 days and narrows to fewer', async () => {
      const all = (await server.app.inject('/v1/monitoring')).json();
      assert.equal(all.days.length, monitored.days.length);
      // days=1 is today only: the least-liked day.
      const today = (await server.app.inject('/v1/monitoring?days=1')).json();
      assert.deepEqual(
        today.days.map((d: { day: string }) => d.day),
        [monitored.days.at(-1)],
      );
      assert.equal(today.driftDays, 1);
      assert.deepEqual(today.latest, all.latest);
    });

    it('is in the OpenAPI document', async () => {
      const doc = (await server.app.inject('/openapi.json')).json();
      const op = doc.paths['/v1/monitoring']?.get;
      assert.ok(op, 'GET /v1/monitoring is documented');
      assert.ok(op.parameters.some((p: { name: string }) => p.name === 'days'));
    });
  });

  it('rejects days out of range or not a whole number with a 400 naming the field', async () => {
    for (const days of ['0', '366', '-3', '2.5', 'week']) {
      const res = await server.app.inject(`/v1/monitoring?days=${days}`);
      assert.equal(res.statusCode, 400, `days=${days}`);
      const body = res.json();
      assert.equal(body.error, 'bad_request');
      assert.equal(body.field, 'querystring.days', `days=${days}: ${body.message}`);
      assert.match(body.message, /querystring\.days must be/);
    }
    const unknown = await server.app.inject('/v1/monitoring?day=7');
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().field, 'querystring.day');
  });

  it('needs a key when reads need one', async () => {
    const locked = await buildServer({
      store: world.store,
      modelsDir: world.modelsDir,
      config: { modelPollMs: 0, apiKeys: ['secret'], requireKeyForReads: true },
    });
    try {
      const denied = await locked.app.inject('/v1/monitoring');
      assert.equal(denied.statusCode, 401);
      assert.equal(denied.json().field, 'headers.x-api-key');
      assert.equal((await locked.app.inject({ url: '/v1/monitoring', headers: { 'x-api-key': 'secret' } })).statusCode, 200);
    } finally {
      await locked.app.close();
    }
  });
});
