/**
 * `anirec serve --workers 2` as users run it: a real CLI process forking two API workers on one
 * port. Checks that both serve, that /metrics merges the workers (whichever one answers), that a
 * crashed worker is replaced, and that SIGTERM stops everything.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseWorkerCount } from '../../src/server/cluster.js';
import { createWorld, type TestWorld } from './setup.js';

const CLI = join(import.meta.dirname, '..', 'ops', 'cli-child.ts');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves when the process's stderr has printed `count` lines matching `pattern`; returns all matches. */
function waitForLines(
  child: ChildProcess,
  log: { text: string },
  pattern: RegExp,
  count: number,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const matches = [...log.text.matchAll(new RegExp(pattern.source, 'g'))];
      if (matches.length < count) return false;
      clearTimeout(timer);
      child.stderr!.off('data', check);
      resolve(matches);
      return true;
    };
    const timer = setTimeout(() => {
      child.stderr!.off('data', check);
      reject(new Error(`timed out waiting for ${count}× ${pattern}; output so far:\n${log.text}`));
    }, timeoutMs);
    child.stderr!.on('data', check);
    check();
  });
}

let world: TestWorld;
before(async () => {
  world = await createWorld({ ratingLines: 20_000 });
});
after(async () => world.cleanup());

test(
  'serve --workers 2 shares one port, merges metrics, replaces a crashed worker and stops on SIGTERM',
  { timeout: 120_000 },
  async () => {
    const port = await freePort();
    const log = { text: '' };
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--workers', '2', '--port', String(port)], {
      env: { ...process.env, ANIREC_HOME: world.dir, ANIREC_DB: join(world.dir, 'anirec.db'), ANIREC_MODELS: world.modelsDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (log.text += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (log.text += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const ready = await waitForLines(child, log, /worker (\d+) ready/, 2);
      const pids = ready.map((m) => Number(m[1]));
      assert.equal(new Set(pids).size, 2, 'two distinct worker processes');

      const base = `http://127.0.0.1:${port}`;
      const requests = 20;
      for (let i = 0; i < requests; i++) {
        const response = await fetch(`${base}/v1/users/kaggle2016:${1 + (i % 5)}/recommendations?k=3`);
        assert.equal(response.status, 200);
        assert.equal(((await response.json()) as { items: unknown[] }).items.length, 3);
      }
      // Every worker counted only the requests it served; the merged count is all of them.
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const counted = metrics
        .split('\n')
        .filter((line) => line.startsWith('anirec_http_request_duration_seconds_count{') && line.includes('mode="known-user"'))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
      assert.equal(counted, requests);
      assert.match(metrics, /anirec_model_info\{kind="itemknn",version="itemknn-1"\} 1\n/);

      process.kill(pids[0]!, 'SIGKILL');
      await waitForLines(child, log, /starting a replacement/, 1);
      await waitForLines(child, log, /worker (\d+) ready/, 3);
      assert.equal((await fetch(`${base}/health/ready`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, log.text);
  },
);

test(
  'workers that cannot start (port taken) stop the server with an error instead of restarting forever',
  { timeout: 120_000 },
  async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const log = { text: '' };
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--workers', '2', '--port', String(port)], {
        env: { ...process.env, ANIREC_HOME: world.dir, ANIREC_DB: join(world.dir, 'anirec.db'), ANIREC_MODELS: world.modelsDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (chunk: Buffer) => (log.text += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (log.text += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      assert.notEqual(code, 0, log.text);
      assert.match(log.text, /cannot listen on 127\.0\.0\.1:\d+/);
      assert.match(log.text, /no more restarts/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  },
);

test('--workers accepts whole numbers and "auto", and says what is wrong otherwise', () => {
  assert.equal(parseWorkerCount('3'), 3);
  assert.ok(parseWorkerCount('auto') >= 1);
  for (const bad of ['0', '-1', '1.5', 'many', '']) assert.throws(() => parseWorkerCount(bad), /whole number from 1 to 256, or "auto"/);
});
