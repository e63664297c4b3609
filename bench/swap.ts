/**
 * Request latency while the server swaps its model, under steady open-loop load (issue 11): the
 * server (bench/api.ts's server role, one process, as `anirec serve` runs by default) serves a
 * fixed arrival rate while the model is rebuilt every few seconds, either through
 * POST /v1/admin/reload (model files and store snapshot) or by pointing models/CURRENT at another
 * directory (the promotion path; the poller notices it). The server reports each swap with how
 * long its build took; every request whose time in flight overlaps a build counts as "during a
 * swap", one sent in the second after a swap as "after" (the new engine starts with empty
 * caches), and the rest of the same run is the in-run baseline; a run without swaps comes first.
 * The target (worst latency ≤ 50 ms) applies to both "during" and "after". Every run is printed.
 *
 * Needs what `npm run bench -- api` needs (an imported store, a trained model, precomputed
 * rankings under ANIREC_HOME). Settings (environment): BENCH_SECONDS (default 20) per run,
 * BENCH_SWAP_MODE known-user (default) or cold (never-seen 50-title lists), BENCH_SWAP_RATE
 * (default 500 for known-user, 100 for cold), BENCH_SWAP_EVERY_MS (default 4000) between swaps,
 * BENCH_SWAP_VIA reload, current or both (default), BENCH_SWAP_RUNS (default 3) per way,
 * BENCH_SWAP_TAG added to the results file name.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { resolvePaths } from '../src/config.js';
import type { BuildStats } from '../src/server/model-holder.js';
import type { Ready } from './api.js';
import { openLoop, type LoadRequest, type OpenLoopResult } from './open-loop.js';
import { printTable, writeResults } from './report.js';
import { readProbe } from './server-probe.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const MODE = process.env.BENCH_SWAP_MODE === 'cold' ? 'cold' : 'known-user';
const RATE = Number(process.env.BENCH_SWAP_RATE ?? (MODE === 'cold' ? 100 : 500));
const EVERY_MS = Number(process.env.BENCH_SWAP_EVERY_MS ?? 4000);
const RUNS = Math.max(1, Number(process.env.BENCH_SWAP_RUNS ?? 3));
const VIA =
  (process.env.BENCH_SWAP_VIA ?? 'both') === 'both'
    ? (['reload', 'current'] as const)
    : ([process.env.BENCH_SWAP_VIA as 'reload' | 'current'] as const);
const WARMUP_SECONDS = 3;
const TARGET_MS = 50;
const KEY = randomBytes(12).toString('hex');

interface Swap {
  at: number;
  dir: string;
  /** Absent on servers older than issue 11's holder: the window then starts when the swap was asked for. */
  build?: BuildStats;
}

const paths = resolvePaths();
const currentFile = join(paths.models, 'CURRENT');

function currentDir(): string {
  const text = readFileSync(currentFile, 'utf8').trim();
  return isAbsolute(text) ? text : join(paths.models, text);
}

/** Points CURRENT at `dir` the way the registry does: write aside, rename over. */
function pointCurrentAt(dir: string): void {
  const tmp = join(paths.models, `.CURRENT.bench-swap.${process.pid}`);
  writeFileSync(tmp, `${dir}\n`);
  renameSync(tmp, currentFile);
}

async function startServer(): Promise<{ child: ChildProcess; ready: Ready; swaps: Swap[] }> {
  const script = fileURLToPath(new URL('./api.ts', import.meta.url));
  const child = fork(script, ['--serve'], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_API_KEY: KEY, BENCH_API_WORKERS: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const swaps: Swap[] = [];
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (message: { port?: number; swap?: Swap }) => {
      if (message.swap) swaps.push(message.swap);
      else if (typeof message.port === 'number') resolve(message as Ready);
    });
    child.once('exit', (code) => reject(new Error(`bench swap: the server process exited (${code}) before listening`)));
  });
  return { child, ready, swaps };
}

function requests(ready: Ready): () => LoadRequest {
  let counter = 0;
  let seed = 42;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  if (MODE === 'known-user') return () => ({ method: 'GET', path: `/v1/users/kaggle2016:${(counter++ % 200) + 1}/recommendations?k=10` });
  // A list nobody sent before: 50 distinct titles drawn from the 2,000 most popular, random scores.
  return () => {
    const chosen = new Set<number>();
    while (chosen.size < 50) chosen.add(ready.popular[Math.floor(random() * ready.popular.length)]!.id);
    return {
      method: 'POST',
      path: '/v1/recommendations/from-titles',
      body: JSON.stringify({ titles: [...chosen].map((id) => ({ id, score: 1 + Math.floor(random() * 10) })), k: 10 }),
    };
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function stats(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number): number =>
    sorted.length === 0 ? Number.NaN : round2(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.length === 0 ? Number.NaN : round2(sorted[sorted.length - 1]!) };
}

/** A new engine starts with empty caches: how long after a swap requests still count as "after a swap". */
const AFTER_MS = 1000;

/**
 * Splits a run's requests: in flight while a model was being built, sent within AFTER_MS after a
 * swap (the new engine's caches are still empty), and the rest.
 */
function split(result: OpenLoopResult, swaps: Swap[], askedAt: number[]): { during: number[]; after: number[]; outside: number[] } {
  const windows = swaps.map((s, i) => [s.build ? s.at - s.build.ms : (askedAt[i] ?? s.at), s.at] as const);
  const during: number[] = [];
  const after: number[] = [];
  const outside: number[] = [];
  const { sentAt, latency } = result.samples!;
  for (let i = 0; i < sentAt.length; i++) {
    const from = sentAt[i]!;
    const to = from + latency[i]!;
    if (windows.some(([a, b]) => from <= b && to >= a)) during.push(latency[i]!);
    else if (windows.some(([, b]) => from > b && from <= b + AFTER_MS)) after.push(latency[i]!);
    else outside.push(latency[i]!);
  }
  return { during, after, outside };
}

/** Swaps the model every EVERY_MS until `until`, the way `via` says; resolves when the last has been asked for. */
async function driveSwaps(
  base: string,
  via: 'reload' | 'current',
  original: string,
  alias: string,
  until: number,
  askedAt: number[],
): Promise<number> {
  let asked = 0;
  let useAlias = true;
  for (let next = Date.now() + EVERY_MS / 2; next + EVERY_MS / 2 < until; next += EVERY_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    askedAt.push(Date.now());
    if (via === 'reload') {
      const response = await request(`${base}/v1/admin/reload`, { method: 'POST', headers: { 'x-api-key': KEY } });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`bench swap: POST /v1/admin/reload answered ${response.statusCode}`);
    } else {
      pointCurrentAt(useAlias ? alias : original);
      useAlias = !useAlias;
    }
    asked++;
  }
  return asked;
}

async function main(): Promise<void> {
  if (!existsSync(paths.database) || !existsSync(currentFile)) {
    console.error(
      `bench swap: needs a store and a trained model under ${paths.home}. Run \`anirec import && anirec train && anirec precompute\` first (or set ANIREC_HOME).`,
    );
    process.exit(1);
  }
  const original = currentDir();
  // The same model under a second name: pointing CURRENT at it is a promotion as far as the server can tell.
  const alias = join(paths.models, `${basename(original)}-bench-swap-alias`);
  rmSync(alias, { force: true });
  symlinkSync(original, alias, 'dir');
  const rows: Record<string, string | number>[] = [];
  const results: Record<string, unknown>[] = [];
  const { child, ready, swaps } = await startServer();
  const base = `http://127.0.0.1:${ready.port}`;
  const next = requests(ready);
  try {
    await openLoop(base, RATE, WARMUP_SECONDS, next); // JIT and caches, not recorded
    const plan = [{ via: 'none' as const, run: 1 }, ...VIA.flatMap((via) => Array.from({ length: RUNS }, (_, r) => ({ via, run: r + 1 })))];
    for (const { via, run } of plan) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      child.send('probe:reset');
      swaps.length = 0;
      const started = Date.now();
      const cpuBefore = process.cpuUsage();
      const load = openLoop(base, RATE, SECONDS, next, { keepSamples: true });
      const askedAt: number[] = [];
      const asked = via === 'none' ? 0 : await driveSwaps(base, via, original, alias, started + SECONDS * 1000, askedAt);
      const result = await load;
      // A swap asked for near the end may still be building: wait for its report.
      const deadline = Date.now() + 15_000;
      while (swaps.length < asked && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const probe = await readProbe(child);
      const loadCpu = process.cpuUsage(cpuBefore);
      // CPU of everything but the server and this process: other jobs on the machine meanwhile.
      const otherCpu =
        probe.machineCpuSeconds === null
          ? null
          : Math.max(0, probe.machineCpuSeconds - probe.cpuSeconds - (loadCpu.user + loadCpu.system) / 1e6);
      const { during, after, outside } = split(result, swaps, askedAt);
      const d = stats(during);
      const a = stats(after);
      const o = stats(outside);
      const builds = swaps.map(
        (s, i) => s.build ?? { ms: s.at - (askedAt[i] ?? s.at), storeReadInWorker: false, yields: 0, eventLoopDelayMaxMs: Number.NaN },
      );
      const row = {
        mode: MODE,
        'rate req/s': RATE,
        via,
        run: via === 'none' ? '1/1' : `${run}/${RUNS}`,
        swaps: swaps.length,
        'build s (mean)': builds.length > 0 ? round2(builds.reduce((s, b) => s + b.ms, 0) / builds.length / 1000) : '',
        'store read in worker': builds.length > 0 ? String(builds.every((b) => b.storeReadInWorker)) : '',
        'requests during swaps': d.n,
        'p99 ms during': d.n > 0 ? d.p99 : '',
        'max ms during': d.n > 0 ? d.max : '',
        'p99 ms 1s after': a.n > 0 ? a.p99 : '',
        'max ms 1s after': a.n > 0 ? a.max : '',
        'p99 ms outside': o.p99,
        'max ms outside': o.max,
        'loop delay max ms': probe.eventLoopDelayMs.max,
        'other CPU s': otherCpu === null ? '' : Math.round(otherCpu * 10) / 10,
        errors: result.errors,
        target:
          via === 'none'
            ? ''
            : d.n > 0 && Math.max(d.max, a.max) <= TARGET_MS && result.errors === 0
              ? `yes (≤${TARGET_MS})`
              : `NO (≤${TARGET_MS})`,
      };
      rows.push(row);
      console.error(
        `bench swap: ${Object.entries(row)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
      const { samples: _samples, ...summary } = result;
      results.push({ via, run, ...summary, during: d, after: a, outside: o, swaps: [...swaps], otherCpuSeconds: otherCpu, server: probe });
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('stop');
    await exited;
    pointCurrentAt(original);
    rmSync(alias, { force: true });
  }
  const load = loadavg()
    .map((x) => Math.round(x * 10) / 10)
    .join(' / ');
  printTable(
    `Model swaps under load: ${MODE} at ${RATE} req/s open-loop, ${SECONDS}s per run, a swap every ${EVERY_MS} ms; load average now ${load}`,
    rows,
  );
  const file = writeResults(`swap-${MODE}${process.env.BENCH_SWAP_TAG ? `-${process.env.BENCH_SWAP_TAG}` : ''}`, {
    mode: MODE,
    rate: RATE,
    seconds: SECONDS,
    everyMs: EVERY_MS,
    runs: RUNS,
    targetMs: TARGET_MS,
    results,
  });
  console.log(`\nwrote ${file}`);
}

await main();
