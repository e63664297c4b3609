import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ModelRegistry, RegistryLockedError, resolveCurrentPointer } from '../../src/registry/index.js';
import { bundleDir, tempHome } from './helpers.js';

const run = promisify(execFile);
const homes: string[] = [];
after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function setup() {
  const t = tempHome();
  homes.push(t.home);
  mkdirSync(t.models, { recursive: true });
  return t;
}

function writeLock(models: string, pid: number, host = hostname()): string {
  const path = join(models, '.registry.lock');
  writeFileSync(path, JSON.stringify({ pid, host, at: new Date().toISOString(), purpose: 'test holder' }));
  return path;
}

describe('registry lock', () => {
  it('refuses to write while another live process holds the lock, and says who and how to fix it', async () => {
    const { home, models } = setup();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const lock = writeLock(models, holder.pid!);
      const registry = new ModelRegistry(models, { lockTimeoutMs: 100 });
      assert.throws(
        () => registry.register(bundleDir(home, 'a')),
        (e: Error) =>
          e instanceof RegistryLockedError && e.message.includes(`process ${holder.pid}`) && e.message.includes(`delete ${lock}`),
      );
      assert.deepEqual(registry.list(), [], 'nothing was registered');
      assert.ok(existsSync(lock), 'the live holder keeps its lock');
      assert.throws(() => registry.rollback(), RegistryLockedError);
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock left by a process that is gone, and releases its own', async () => {
    const { home, models } = setup();
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    const pid = dead.pid!;
    await new Promise((resolve) => dead.on('exit', resolve));
    const lock = writeLock(models, pid);
    const registry = new ModelRegistry(models, { lockTimeoutMs: 0 });
    const v = registry.register(bundleDir(home, 'a'));
    assert.equal(v.status, 'production');
    assert.ok(!existsSync(lock), 'the lock is released after the write');
  });

  it('treats a lock from another host as held until it is old', () => {
    const { home, models } = setup();
    writeLock(models, 1, 'some-other-pod');
    assert.throws(() => new ModelRegistry(models, { lockTimeoutMs: 0 }).register(bundleDir(home, 'a')), /some-other-pod/);
  });

  it('serializes real concurrent writers: every registration gets its own version, one production', async () => {
    const { home, models } = setup();
    const source = bundleDir(home, 'a');
    const worker = fileURLToPath(new URL('./register-worker.ts', import.meta.url));
    const results = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', worker, models, source])));
    const ids = results.map((r) => r.stdout.trim()).sort();
    assert.equal(new Set(ids).size, 4);
    const versions = new ModelRegistry(models).list();
    assert.deepEqual(
      versions.map((v) => v.seq),
      [1, 2, 3, 4],
    );
    assert.equal(versions.filter((v) => v.status === 'production').length, 1);
    assert.equal(
      resolveCurrentPointer(models, readFileSync(join(models, 'CURRENT'), 'utf8')),
      versions.find((v) => v.status === 'production')!.dir,
    );
    assert.ok(!existsSync(join(models, '.registry.lock')));
  });
});
