import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { registerAccessControl } from '../../src/server/auth.js';
import { resolveServerConfig } from '../../src/server/config.js';
import { registerErrorHandling } from '../../src/server/errors.js';

/** A /v1-like scope with the access hook, as app.ts builds it, and the given routes in it. */
function scope(routes: (app: ReturnType<typeof Fastify>) => void, config = resolveServerConfig({ apiKeys: ['k'] })) {
  const app = Fastify();
  registerErrorHandling(app, () => {});
  void app.register(
    async (v1) => {
      registerAccessControl(v1, config);
      routes(v1);
    },
    { prefix: '/v1' },
  );
  return app;
}

describe('route access levels', () => {
  it('a route that declares no access level stops the server from starting', async () => {
    const app = scope((v1) => v1.get('/open', async () => ({ ok: true })));
    await assert.rejects(async () => {
      await app.ready();
    }, /Route GET \/v1\/open declares no access level/);
  });

  it('read routes answer without a key, write and admin routes need it', async () => {
    const app = scope((v1) => {
      v1.get('/read', { config: { access: 'read' } }, async () => ({ ok: true }));
      v1.post('/write', { config: { access: 'write' } }, async () => ({ ok: true }));
      v1.post('/admin', { config: { access: 'admin' } }, async () => ({ ok: true }));
    });
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/v1/read' })).statusCode, 200);
      for (const url of ['/v1/write', '/v1/admin']) {
        assert.equal((await app.inject({ method: 'POST', url })).statusCode, 401, url);
        assert.equal((await app.inject({ method: 'POST', url, headers: { 'x-api-key': 'k' } })).statusCode, 200, url);
      }
    } finally {
      await app.close();
    }
  });
});
