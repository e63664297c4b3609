/**
 * Issue 11: a web page the user happens to open must not be able to use a local anirec server —
 * no cross-site writes, no DNS rebinding — while curl, the CLI and the server's own page keep working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { hostAllowed, hostName } from '../../src/server/browser-guard.js';
import { buildServer } from '../../src/server/app.js';
import type { ServerConfig } from '../../src/server/config.js';
import { createWorld, type TestWorld } from './setup.js';

let world: TestWorld;
const servers: FastifyInstance[] = [];

before(async () => {
  world = await createWorld({ ratingLines: 5_000 });
});

after(async () => {
  for (const app of servers) await app.close();
  await world.cleanup();
});

/** A server as `anirec serve` builds it on its defaults: loopback, no key, keyless local writes. */
async function server(config: Partial<ServerConfig> = {}): Promise<FastifyInstance> {
  const { app } = await buildServer({
    store: world.store,
    modelsDir: world.modelsDir,
    config: { modelPollMs: 0, allowWritesWithoutKey: true, loopbackOnly: true, ...config },
  });
  servers.push(app);
  return app;
}

const HOST = '127.0.0.1:8080';
const xml =
  '<?xml version="1.0"?><myanimelist><myinfo><user_name>csrf_victim</user_name></myinfo><anime><series_animedb_id>1</series_animedb_id><my_score>1</my_score><my_status>Dropped</my_status></anime></myanimelist>';

describe('cross-site writes', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await server();
  });

  const writes = (origin: { origin?: string; referer?: string }) => [
    () => app.inject({ method: 'PUT', url: '/v1/users/local:victim/list/1', payload: { score: 1 }, headers: { host: HOST, ...origin } }),
    () =>
      app.inject({
        method: 'POST',
        url: '/v1/import/mal',
        payload: xml,
        headers: { host: HOST, 'content-type': 'application/xml', ...origin },
      }),
    () => app.inject({ method: 'POST', url: '/v1/admin/reload', headers: { host: HOST, ...origin } }),
    // A plain HTML form post: no preflight, form content type, an Origin the browser sets.
    () =>
      app.inject({
        method: 'POST',
        url: '/v1/admin/reload',
        payload: 'a=1',
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', ...origin },
      }),
    () => app.inject({ method: 'DELETE', url: '/v1/users/local:victim/list/1', headers: { host: HOST, ...origin } }),
  ];

  it('refuses writes and admin actions from a foreign origin, whatever the route', async () => {
    for (const origin of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'http://127.0.0.1:9999' },
      { referer: 'https://evil.example/page' },
    ]) {
      for (const write of writes(origin)) {
        const res = await write();
        assert.equal(res.statusCode, 403, `${JSON.stringify(origin)}: ${res.body}`);
        assert.equal(res.json().error, 'cross_origin_write');
        assert.equal(res.headers['access-control-allow-origin'], undefined);
      }
    }
    assert.deepEqual(await world.store.findUser('local', 'victim'), [], 'nothing was written');
    assert.deepEqual(await world.store.findUser('mal', 'csrf_victim'), []);
  });

  it('accepts writes from its own page and from clients that send no Origin (curl, the CLI)', async () => {
    const own = await app.inject({
      method: 'PUT',
      url: '/v1/users/local:own-page/list/1',
      payload: { score: 8 },
      headers: { host: HOST, origin: `http://${HOST}` },
    });
    assert.equal(own.statusCode, 201, own.body);
    const curl = await app.inject({ method: 'PUT', url: '/v1/users/local:curl/list/1', payload: { score: 8 }, headers: { host: HOST } });
    assert.equal(curl.statusCode, 201, curl.body);
    // The Vite dev server proxies /v1 with its own Host and Origin (localhost:5173): same origin.
    const dev = await app.inject({
      method: 'PUT',
      url: '/v1/users/local:dev/list/1',
      payload: { score: 8 },
      headers: { host: 'localhost:5173', origin: 'http://localhost:5173' },
    });
    assert.equal(dev.statusCode, 201, dev.body);
  });

  it('answers reads from any page but shares them with none by default', async () => {
    const res = await app.inject({ url: '/v1/search?q=cowboy', headers: { host: HOST, origin: 'https://evil.example' } });
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().results.length > 0);
    assert.equal(res.headers['access-control-allow-origin'], undefined, 'the browser keeps the answer from the foreign page');
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/users/local:x/list/1',
      headers: { host: HOST, origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });
});

describe('configured origins', () => {
  it('lets a listed origin read and write, and "*" lets any page read but not write', async () => {
    const listed = await server({ corsOrigins: ['https://anime.example'] });
    const write = await listed.inject({
      method: 'PUT',
      url: '/v1/users/local:partner/list/1',
      payload: { score: 9 },
      headers: { host: HOST, origin: 'https://anime.example' },
    });
    assert.equal(write.statusCode, 201, write.body);
    assert.equal(write.headers['access-control-allow-origin'], 'https://anime.example');

    const open = await server({ corsOrigins: ['*'] });
    const read = await open.inject({ url: '/v1/search?q=cowboy', headers: { host: HOST, origin: 'https://any.example' } });
    assert.equal(read.headers['access-control-allow-origin'], '*', 'a literal *, never the reflected origin');
    assert.equal(read.headers['access-control-allow-credentials'], undefined);
    const refused = await open.inject({
      method: 'PUT',
      url: '/v1/users/local:star/list/1',
      payload: { score: 9 },
      headers: { host: HOST, origin: 'https://any.example' },
    });
    assert.equal(refused.statusCode, 403, refused.body);
  });
});

describe('Host (DNS rebinding)', () => {
  it('answers only loopback names on a loopback bind, probes excepted', async () => {
    const app = await server();
    for (const host of ['127.0.0.1:8080', 'localhost:3000', '[::1]:8080', 'LOCALHOST']) {
      assert.equal((await app.inject({ url: '/v1/tags', headers: { host } })).statusCode, 200, host);
    }
    for (const host of ['evil.example:8080', 'evil.example', '127.0.0.1.evil.example', 'localhost.evil.example:8080']) {
      const res = await app.inject({ url: '/v1/tags', headers: { host } });
      assert.equal(res.statusCode, 403, host);
      assert.equal(res.json().error, 'host_not_allowed');
      const write = await app.inject({
        method: 'PUT',
        url: '/v1/users/local:rebound/list/1',
        payload: { score: 1 },
        headers: { host, origin: `http://${host}` },
      });
      assert.equal(write.statusCode, 403, `a rebinding page's write (${host})`);
    }
    assert.equal((await app.inject({ url: '/health/live', headers: { host: 'evil.example' } })).statusCode, 200);
    assert.deepEqual(await world.store.findUser('local', 'rebound'), []);
  });

  it('checks nothing on other binds unless --allowed-hosts names hosts', async () => {
    const open = await server({ loopbackOnly: false });
    assert.equal((await open.inject({ url: '/v1/tags', headers: { host: '10.1.2.3:8080' } })).statusCode, 200);
    const named = await server({ loopbackOnly: false, allowedHosts: ['anime.example', '.svc.cluster.local'] });
    assert.equal((await named.inject({ url: '/v1/tags', headers: { host: 'anime.example' } })).statusCode, 200);
    assert.equal((await named.inject({ url: '/v1/tags', headers: { host: 'api.anirec.svc.cluster.local:8080' } })).statusCode, 200);
    assert.equal((await named.inject({ url: '/v1/tags', headers: { host: 'other.example' } })).statusCode, 403);
    assert.equal((await named.inject({ url: '/health/ready', headers: { host: '10.1.2.3:8080' } })).statusCode, 200, 'probes by pod IP');
  });

  it('parses host names with ports and IPv6 brackets', () => {
    assert.equal(hostName('LocalHost:8080'), 'localhost');
    assert.equal(hostName('[::1]:8080'), '[::1]');
    assert.equal(hostName('example.com'), 'example.com');
    assert.equal(hostAllowed({ loopbackOnly: true, allowedHosts: [] }, undefined), true, 'HTTP/1.0 without Host');
    assert.equal(hostAllowed({ loopbackOnly: true, allowedHosts: ['my.box'] }, 'my.box:80'), true);
  });
});

describe('probes', () => {
  it('are never rate-limited, stay open when reads need a key, and say only ready or not', async () => {
    const app = await server({ rateLimitPerMinute: 2, apiKeys: ['k'], requireKeyForReads: true });
    for (let i = 0; i < 6; i++) {
      assert.equal((await app.inject('/health/live')).statusCode, 200);
      const ready = await app.inject('/health/ready');
      assert.equal(ready.statusCode, 200);
      const body = ready.json();
      assert.deepEqual({ status: body.status, store: body.store }, { status: 'ready', store: { kind: 'sqlite', reachable: true } });
      assert.equal(typeof body.model?.version, 'string');
    }
    assert.equal((await app.inject('/v1/tags')).statusCode, 401, 'reads still need the key');
  });
});
