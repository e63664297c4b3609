import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyConfig, loadConfig } from '../src/config.js';
import { env } from '../src/env/env.js';
import { createContext } from '../src/cli/context.js';
import { buildProgram } from '../src/cli/main.js';

describe('configuration from the environment', () => {
  it('puts every path under ANIREC_HOME unless a variable names it', () => {
    const config = loadConfig({ ANIREC_HOME: '/h' });
    assert.deepEqual(config.paths, {
      home: '/h',
      database: join('/h', 'anirec.db'),
      store: `sqlite:${join('/h', 'anirec.db')}`,
      models: join('/h', 'models'),
      opsConfig: join('/h', 'ops.json'),
    });
    const named = loadConfig({
      ANIREC_HOME: '/h',
      ANIREC_DB: '/d.db',
      ANIREC_MODELS: '/m',
      ANIREC_OPS_CONFIG: '/o.json',
      ANIREC_STORE: 'sqlite:/s.db',
    });
    assert.deepEqual(named.paths, { home: '/h', database: '/d.db', store: 'sqlite:/s.db', models: '/m', opsConfig: '/o.json' });
  });

  it('reads the serving settings and the numeric switches, with defaults', () => {
    const plain = loadConfig({});
    assert.deepEqual(plain.env, { wasm: true, scoreCacheEntries: 4096, threads: 0 });
    assert.equal(plain.debug, false);
    assert.deepEqual(plain.serve, { workers: undefined, apiKey: undefined, remoteImages: undefined });
    const set = loadConfig({
      ANIREC_THREADS: '1',
      ANIREC_WASM: '0',
      ANIREC_SCORE_CACHE: '0',
      ANIREC_DEBUG: '1',
      ANIREC_WORKERS: 'auto',
      ANIREC_API_KEY: 'k1,k2',
      ANIREC_REMOTE_IMAGES: '0',
    });
    assert.deepEqual(set.env, { wasm: false, scoreCacheEntries: 0, threads: 1 });
    assert.equal(set.debug, true);
    assert.deepEqual(set.serve, { workers: 'auto', apiKey: 'k1,k2', remoteImages: '0' });
    assert.equal(
      loadConfig({ ANIREC_SCORE_CACHE: 'lots' }).env.scoreCacheEntries,
      0,
      'a value that is not a number turns the cache off rather than guessing',
    );
  });

  it('applies the switches to the process-wide env object', () => {
    const saved = { ...env };
    try {
      applyConfig(loadConfig({ ANIREC_WASM: '0', ANIREC_SCORE_CACHE: '12', ANIREC_THREADS: '3' }));
      assert.deepEqual({ ...env }, { wasm: false, scoreCacheEntries: 12, threads: 3 });
    } finally {
      Object.assign(env, saved);
    }
  });

  it('takes --threads on the command line over ANIREC_THREADS, and refuses a bad count', async () => {
    const saved = { ...env };
    try {
      const program = buildProgram({ ...createContext(loadConfig({ ANIREC_THREADS: '3' })), out: () => {}, err: () => {} });
      assert.equal(env.threads, 3);
      await program.parseAsync(['--threads', '2', 'formats'], { from: 'user' });
      assert.equal(env.threads, 2);
      await assert.rejects(
        buildProgram({ ...createContext(), out: () => {}, err: () => {} }).parseAsync(['--threads', '0', 'formats'], { from: 'user' }),
        /--threads 0: expected a whole number/,
      );
    } finally {
      Object.assign(env, saved);
    }
  });
});
