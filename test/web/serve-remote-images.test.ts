/**
 * `anirec serve --no-remote-images` and ANIREC_REMOTE_IMAGES=0 as operators run them: a real CLI
 * process, asked what it tells the page and what policy its page carries. The flag also has to
 * reach the worker processes of `--workers 2`, which get their settings on their command line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createWorld, type TestWorld } from '../server/setup.js';

const CLI = join(import.meta.dirname, '..', 'ops', 'cli-child.ts');

let world: TestWorld;
before(async () => {
  world = await createWorld({ ratingLines: 5_000 });
});
after(async () => world?.cleanup());

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `anirec serve …`, waits until it answers, returns what the page would learn, then stops it. */
async function serveAndAsk(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ remoteImages: unknown; imgSrc: string; log: string }> {
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', String(port), ...args], {
    env: { ...process.env, ANIREC_HOME: world.dir, ANIREC_DB: join(world.dir, 'anirec.db'), ANIREC_MODELS: world.modelsDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      const ready = await fetch(`${base}/health/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready === 200) break;
      if (tries > 600 || child.exitCode !== null) throw new Error(`anirec serve did not become ready:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { remoteImages } = (await (await fetch(`${base}/v1/page-config`)).json()) as { remoteImages: unknown };
    const csp = (await fetch(`${base}/for-you?t=1`)).headers.get('content-security-policy') ?? '';
    return { remoteImages, imgSrc: /img-src [^;]*/.exec(csp)?.[0] ?? '', log };
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, log);
  }
}

test('by default the page may show cover art from http(s) hosts', { timeout: 120_000 }, async () => {
  const answer = await serveAndAsk([]);
  assert.equal(answer.remoteImages, true, answer.log);
  assert.equal(answer.imgSrc, "img-src 'self' data: https: http:");
});

test('--no-remote-images turns cover art off in every worker of --workers 2', { timeout: 120_000 }, async () => {
  // The environment does not say it here, so a worker that did not get the flag answers true.
  const answer = await serveAndAsk(['--no-remote-images', '--workers', '2']);
  assert.equal(answer.remoteImages, false, answer.log);
  assert.equal(answer.imgSrc, "img-src 'self' data:");
});

test('ANIREC_REMOTE_IMAGES=0 does the same, and a value it cannot read is an error naming it', { timeout: 120_000 }, async () => {
  const answer = await serveAndAsk([], { ANIREC_REMOTE_IMAGES: '0' });
  assert.equal(answer.remoteImages, false, answer.log);
  assert.equal(answer.imgSrc, "img-src 'self' data:");

  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', String(await freePort())], {
    env: { ...process.env, ANIREC_HOME: world.dir, ANIREC_REMOTE_IMAGES: 'maybe' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.notEqual(code, 0);
  assert.match(log, /ANIREC_REMOTE_IMAGES must be 1 or 0/);
});
