import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyConfig, loadConfig } from '../src/config.js';
import { env } from '../src/env/env.js';

describe('configuration from the environment', () => {
  it('puts every path under ANIREC_HOME unless a variable names it', () => {
    const config = loadConfig({ ANIREC_HOME: '/h' });
    assert.deepEqual(config.paths, { home: '/h', database: join('/h', 'anirec.db'), store: `sqlite:${join('/h', 'anirec.db')}`, models: join('/h', 'models'), opsConfig: join('/h', 'ops.json') });
    const named = loadConfig({ ANIREC_HOME: '/h', ANIREC_DB: '/d.db', ANIREC_MODELS: '/m', ANIREC_OPS_CONFIG: '/o.json', ANIREC_STORE: 'sqlite:/s.db' });
    assert.deepEqual(named.paths, { home: '/h', database: '/d.db', store: 'sqlite:/s.db', models: '/m', opsConfig: '/o.json' });
  });

  it('reads the serving settings and the numeric switches, with defaults', () => {
    const plain = loadConfig({});
    assert.deepEqual(plain.env, { wasm: true, scoreCacheEntries: 4096 });
    assert.equal(plain.debug, false);
    assert.deepEqual(plain.serve, { workers: undefined, apiKey: undefined, remoteImages: undefined });
    const set = loadConfig({ ANIREC_WASM: '0', ANIREC_SCORE_CACHE: '0', ANIREC_DEBUG: '1', ANIREC_WORKERS: 'auto', ANIREC_API_KEY: 'k1,k2', ANIREC_REMOTE_IMAGES: '0' });
    assert.deepEqual(set.env, { wasm: false, scoreCacheEntries: 0 });
    assert.equal(set.debug, true);
    assert.deepEqual(set.serve, { workers: 'auto', apiKey: 'k1,k2', remoteImages: '0' });
    assert.equal(loadConfig({ ANIREC_SCORE_CACHE: 'lots' }).env.scoreCacheEntries, 0, 'a value that is not a number turns the cache off rather than guessing');
  });

  it('applies the switches to the process-wide env object', () => {
    const saved = { ...env };
    try {
      applyConfig(loadConfig({ ANIREC_WASM: '0', ANIREC_SCORE_CACHE: '12' }));
      assert.deepEqual({ ...env }, { wasm: false, scoreCacheEntries: 12 });
    } finally {
      Object.assign(env, saved);
    }
  });
});
