/** Serving the built page: the fallbacks that need no browser. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { registerWebAssets } from '../../src/server/web-assets.js';
import { launchChromium } from './harness.js';

describe('web assets', () => {
  it('answers a page saying to run npm run build when dist/web is missing', async () => {
    const app = Fastify();
    await registerWebAssets(app, join(tmpdir(), 'anirec-no-such-web-dist'));
    for (const url of ['/', '/for-you?t=1', '/similar/5']) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.match(res.body, /npm run build/);
      // It loads nothing, so its policy allows nothing but its own inline style.
      assert.equal(
        res.headers['content-security-policy'],
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
      );
    }
    assert.equal((await app.inject('/v1/anything')).statusCode, 404, 'no catch-all');
    await app.close();
  });

  it('fails with install instructions when Chromium is missing (never skips)', async () => {
    await assert.rejects(launchChromium('/nonexistent/chromium'), /apt-get install -y chromium/);
  });
});
