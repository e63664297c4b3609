/**
 * HTTP API latency and throughput per mode on loopback, against /health/live in the same run as
 * the baseline. Each mode runs unthrottled with autocannon (10 connections: the maximum req/s)
 * and then at fixed arrival rates, open-loop (bench/open-loop.ts: evenly spaced requests, latency
 * from the intended send time), which is what "p99 at 500 req/s" means for users.
 *
 * The server runs in its own process (this file, started with --serve), so the load generator
 * does not share the server's event loop: latencies are the server's, not autocannon's. Several
 * models can be measured in one run, one server process each.
 *
 * Needs the bundled data imported and a model trained (the one models/CURRENT names):
 *   anirec import && anirec train && anirec precompute   # then: npm run bench -- api
 * ANIREC_HOME picks the setup; BENCH_SECONDS (default 5) the length of each run; BENCH_API_WORKERS
 * (default 1) how many API processes share the port (`anirec serve --workers`); BENCH_API_MODES
 * (comma-separated parts of mode names) runs only those modes; BENCH_API_TAG is added to the
 * results file name;
 * BENCH_API_MODELS (comma-separated model directories, e.g. an item-kNN and an anirec hybrid
 * bundle) measures those instead of CURRENT; `node --import tsx bench/api.ts --model DIR ...`
 * does the same from the command line. BENCH_API_RATES (comma-separated req/s) replaces every
 * mode's fixed rates, and BENCH_API_RUNS (default 1) repeats each fixed-rate run: every run is
 * printed, never only the best.
 *
 * The server is configured as `anirec serve` is by default (model poller on, rate-limit plugin
 * registered) except that the limit is too high to reject anything: BENCH_API_POLL_MS and
 * BENCH_API_RATE_LIMIT (per minute, 0 = plugin off) change that. With one worker the server
 * reports what it saw during each run (bench/server-probe.ts: event-loop delay, GC pauses, stalls).
 * BENCH_SERVER_EXEC_ARGV (space-separated Node options) is added to the server process's own,
 * e.g. `--cpu-prof --cpu-prof-dir=DIR` for a CPU profile of the server (written when it stops) or
 * `--trace-gc`; the load generator is not affected.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { resolvePaths } from '../src/config.js';
import { createRng, shuffleInPlace } from '../src/models/random.js';
import { DEFAULT_SERVER_CONFIG } from '../src/server/config.js';
import { openLoop } from './open-loop.js';
import { printTable, writeResults } from './report.js';
import { readProbe } from './server-probe.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Math.min(2, SECONDS);
const RATE = 500;
const CONNECTIONS = 10;
const SETTLE_MS = 1500;
/** API processes (`anirec serve --workers`); BENCH_API_WORKERS, default 1. */
const WORKERS = Number(process.env.BENCH_API_WORKERS ?? 1);
const RUNS = Math.max(1, Number(process.env.BENCH_API_RUNS ?? 1));
const RATES = (process.env.BENCH_API_RATES ?? '')
  .split(',')
  .map(Number)
  .filter((r) => r > 0);
const POLL_MS = Number(process.env.BENCH_API_POLL_MS ?? DEFAULT_SERVER_CONFIG.modelPollMs);
/** Extra Node options for the server process only (BENCH_SERVER_EXEC_ARGV, space-separated). */
const SERVER_EXEC_ARGV = (process.env.BENCH_SERVER_EXEC_ARGV ?? '').split(' ').filter((a) => a !== '');
/** Registered like `anirec serve` registers it, but never reached by the benchmark's rates. */
const RATE_LIMIT = Number(process.env.BENCH_API_RATE_LIMIT ?? 1e9);

/** What the server process tells the load generator once it listens. */
export interface Ready {
  port: number;
  model: { kind: string; version: string };
  /** The 2,000 most popular titles: ids and names, for request mixes. */
  popular: { id: number; title: string }[];
  /** Users of the bundled sample in the store (kaggle2016:1 … kaggle2016:users). */
  users: number;
}

// ---------------------------------------------------------------------------------------------
// Server role: `bench/api.ts --serve [DIR]` serves DIR (or models/CURRENT) and reports its port.
// ---------------------------------------------------------------------------------------------
async function serve(modelDir: string | undefined): Promise<void> {
  const { isClusterWorker, runPrimary } = await import('../src/server/cluster.js');
  if (WORKERS > 1 && !isClusterWorker()) {
    // The primary forks the workers (which run this same role) and relays the first one's report.
    const primary = runPrimary({
      workers: WORKERS,
      args: process.argv.slice(2),
      env: { BENCH_API_PORT: String(await freePort()) },
      log: (line) => console.error(line),
    });
    const cluster = (await import('node:cluster')).default;
    let reported = false;
    cluster.on('message', (_worker, message: Ready) => {
      if (reported || typeof message?.port !== 'number') return;
      reported = true;
      process.send!(message);
    });
    process.on('message', (message) => message === 'stop' && primary.stop());
    await primary.stopped;
    process.exit(0);
  }
  const { buildServer } = await import('../src/server/app.js');
  const { SqliteStore } = await import('../src/store/index.js');
  const paths = resolvePaths();
  const store = SqliteStore.open(paths.database);
  const { app, holder } = await buildServer({
    store,
    ...(modelDir ? { modelDir } : { modelsDir: paths.models }),
    // BENCH_API_KEY: a key for the admin routes (bench/swap.ts reloads the model through them).
    config: {
      rateLimitPerMinute: RATE_LIMIT,
      modelPollMs: POLL_MS,
      logger: false,
      ...(process.env.BENCH_API_KEY ? { apiKeys: [process.env.BENCH_API_KEY] } : {}),
    },
  });
  if (WORKERS === 1) {
    const { ServerProbe } = await import('./server-probe.js');
    const probe = new ServerProbe();
    process.on('message', (message) => {
      if (message === 'probe:reset') probe.reset();
      if (message === 'probe:read') process.send!({ probe: probe.read() });
    });
    // Every model swap, with when it finished and how the build went (bench/swap.ts lines them up with requests).
    let serving = holder.current;
    setInterval(() => {
      if (holder.current === serving || holder.current === null) return;
      serving = holder.current;
      process.send!({ swap: { at: Date.now(), dir: serving.dir, build: serving.build } });
    }, 2).unref();
  }
  if (holder.current === null) {
    console.error(`bench api: the model failed to load: ${holder.lastError}`);
    process.exit(1);
  }
  const engine = holder.current.engine;
  await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_API_PORT ?? 0) });
  const address = app.server.address();
  const popular = [...engine.catalog.popularityRank]
    .sort((a, b) => a[1] - b[1])
    .slice(0, 2000)
    .map(([id]) => ({ id, title: engine.catalog.get(id)!.title }));
  const ready: Ready = {
    port: typeof address === 'object' && address ? address.port : 0,
    model: engine.modelInfo,
    popular,
    users: await bundledUserCount(store),
  };
  process.send!(ready);
  const stop = async (): Promise<void> => {
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('message', (message) => message === 'stop' && void stop());
  process.on('SIGTERM', () => void stop());
}

/** The bundled sample's users are kaggle2016:1 … kaggle2016:N: finds N (other sources may add users). */
async function bundledUserCount(store: {
  findUser(source: string, id: string): Promise<unknown[]>;
  countUsers(): Promise<number>;
}): Promise<number> {
  let lo = 0;
  let hi = await store.countUsers();
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await store.findUser('kaggle2016', String(mid))).length > 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------------------
// Load-generator role.
// ---------------------------------------------------------------------------------------------
interface Mode {
  name: string;
  /** The issue's target for p99 at 500 req/s, ms. */
  targetP99?: number;
  /** Fixed request rates to measure at (default: 500 req/s only). */
  rates?: number[];
  request: () => { method: 'GET' | 'POST'; path: string; body?: string };
}

function modes(ready: Ready): Mode[] {
  // Request mixes: many different users and titles, so caches do not flatter the numbers.
  const userIds = Array.from({ length: 200 }, (_, i) => `kaggle2016:${i + 1}`);
  const random = createRng(42);
  // Every user in the bundled sample, shuffled: consecutive requests are for different users, and
  // a 5 s run at 500 req/s asks for thousands of lists the server has not scored before.
  const allUsers = Array.from({ length: ready.users }, (_, i) => `kaggle2016:${i + 1}`);
  shuffleInPlace<string[], string>(allUsers, random);
  const popular = ready.popular.slice(0, 400);
  const fiftyTitles = (offset: number) => popular.slice(offset, offset + 50).map(({ id }, i) => ({ id, score: 5 + ((i * 7) % 6) }));
  // A list nobody sent before: 50 distinct titles drawn from the 2,000 most popular, random scores.
  const freshList = () => {
    const chosen = new Set<number>();
    while (chosen.size < 50) chosen.add(ready.popular[Math.floor(random() * ready.popular.length)]!.id);
    return [...chosen].map((id) => ({ id, score: 1 + Math.floor(random() * 10) }));
  };
  let counter = 0;
  const next = <T>(items: readonly T[]): T => items[counter++ % items.length]!;
  return [
    { name: 'health-live (baseline)', request: () => ({ method: 'GET', path: '/health/live' }) },
    { name: 'known-user', targetP99: 15, request: () => ({ method: 'GET', path: `/v1/users/${next(userIds)}/recommendations?k=10` }) },
    {
      name: 'known-user, all users',
      rates: [100, 200, 500],
      request: () => ({ method: 'GET', path: `/v1/users/${next(allUsers)}/recommendations?k=10` }),
    },
    {
      name: 'known-user + filters',
      request: () => ({ method: 'GET', path: `/v1/users/${next(userIds)}/recommendations?k=10&genres=Action&yearMin=2000&diversity=0.3` }),
    },
    { name: 'more-like-this hybrid', targetP99: 15, request: () => ({ method: 'GET', path: `/v1/similar?id=${next(popular).id}&k=10` }) },
    {
      name: 'more-like-this by title',
      request: () => ({ method: 'GET', path: `/v1/similar?title=${encodeURIComponent(next(popular).title.slice(0, 12))}&k=10` }),
    },
    {
      name: 'fold-in 50 titles, 300 lists',
      request: () => ({
        method: 'POST',
        path: '/v1/recommendations/from-titles',
        body: JSON.stringify({ titles: fiftyTitles(counter++ % 300), k: 10 }),
      }),
    },
    {
      name: 'cold fold-in 50 titles',
      targetP99: 30,
      rates: [50, 100, 200, 500],
      request: () => ({ method: 'POST', path: '/v1/recommendations/from-titles', body: JSON.stringify({ titles: freshList(), k: 10 }) }),
    },
    {
      name: 'preferences',
      request: () => ({
        method: 'POST',
        path: '/v1/recommendations/from-preferences',
        body: JSON.stringify({ likedGenres: [next(['Action', 'Romance', 'Comedy', 'Drama'])], k: 10 }),
      }),
    },
    { name: 'starter', request: () => ({ method: 'GET', path: `/v1/recommendations/starter?k=10&seed=${counter++}` }) },
    { name: 'search', request: () => ({ method: 'GET', path: `/v1/search?q=${encodeURIComponent(next(popular).title.slice(0, 6))}` }) },
    { name: 'similar-users', request: () => ({ method: 'GET', path: `/v1/users/${next(userIds)}/similar-users?k=10` }) },
  ];
}

async function run(base: string, mode: Mode, rate: number | null, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate !== null ? { overallRate: rate } : {}),
    requests: [
      {
        setupRequest: (req) => {
          const r = mode.request();
          return {
            ...req,
            method: r.method,
            path: r.path,
            ...(r.body ? { body: r.body, headers: { 'content-type': 'application/json' } } : {}),
          };
        },
      },
    ],
  });
}

async function startServer(script: string, modelDir: string | undefined): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(script, ['--serve', ...(modelDir ? [modelDir] : [])], {
    execArgv: ['--import', 'tsx', ...SERVER_EXEC_ARGV],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ready));
    child.once('exit', (code) => reject(new Error(`bench api: the server process exited (${code}) before listening`)));
  });
  return { child, ready };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  await exited;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const paths = resolvePaths();
  const args = process.argv.slice(2);
  const fromArgs = args.flatMap((a, i) => (args[i - 1] === '--model' ? [a] : []));
  const fromEnv = (process.env.BENCH_API_MODELS ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  const models: (string | undefined)[] = fromArgs.length > 0 ? fromArgs : fromEnv.length > 0 ? fromEnv : [undefined];
  if (!existsSync(paths.database) || (models.includes(undefined) && !existsSync(join(paths.models, 'CURRENT')))) {
    console.error(
      `bench api: needs a store and a trained model under ${paths.home}. Run \`anirec import && anirec train\` first (or set ANIREC_HOME).`,
    );
    process.exit(1);
  }
  const script = fileURLToPath(import.meta.url);
  const rows: Record<string, string | number>[] = [];
  const runs: Record<string, unknown>[] = [];
  for (const modelDir of models) {
    const { child, ready } = await startServer(script, modelDir);
    const base = `http://127.0.0.1:${ready.port}`;
    const loadBefore = loadavg();
    const results: Record<string, unknown>[] = [];
    let baseline: { p99: number; rps: number } | null = null;
    try {
      // BENCH_API_MODES: comma-separated parts of mode names to run (the baseline always runs).
      const only = (process.env.BENCH_API_MODES ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter((m) => m !== '');
      const selected = modes(ready).filter((m, i) => i === 0 || only.length === 0 || only.some((part) => m.name.includes(part)));
      for (const [i, mode] of selected.entries()) {
        await run(base, mode, null, WARMUP_SECONDS); // JIT and per-process caches, not recorded
        const max = await run(base, mode, null, SECONDS);
        for (const rate of i === 0 || RATES.length === 0 ? (mode.rates ?? [RATE]) : RATES) {
          for (let repeat = 1; repeat <= RUNS; repeat++) {
            // Start each measured run from an idle server: the unthrottled run before it leaves
            // queued requests and garbage behind, which would land on this run's first requests.
            await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
            const probing = WORKERS === 1;
            if (probing) child.send('probe:reset');
            const cpuBefore = process.cpuUsage();
            const fixed = await openLoop(base, rate, SECONDS, mode.request);
            const loadCpu = process.cpuUsage(cpuBefore);
            const probe = probing ? await readProbe(child) : null;
            // CPU of everything but this server and this load generator: other jobs on the machine.
            const otherCpu =
              probe?.machineCpuSeconds != null
                ? Math.max(0, probe.machineCpuSeconds - probe.cpuSeconds - (loadCpu.user + loadCpu.system) / 1e6)
                : null;
            const errors = fixed.errors + max.non2xx + max.errors;
            baseline ??= { p99: fixed.p99, rps: max.requests.average };
            const met =
              mode.targetP99 === undefined
                ? ''
                : fixed.p99 <= mode.targetP99 && fixed.achievedRps >= rate * 0.95
                  ? `yes (≤${mode.targetP99})`
                  : `NO (≤${mode.targetP99})`;
            const row = {
              model: ready.model.kind,
              workers: WORKERS,
              mode: mode.name,
              run: `${repeat}/${RUNS}`,
              'rate req/s': rate,
              'p50 ms': fixed.p50,
              'p99 ms': fixed.p99,
              'max ms': fixed.max,
              'achieved req/s': Math.round(fixed.achievedRps),
              'max req/s': Math.round(max.requests.average),
              'p99 ms @max': max.latency.p99,
              'p99 vs live': round1(fixed.p99 / Math.max(baseline.p99, 0.001)),
              target: met,
              errors,
              ...(probe
                ? {
                    'loop delay max ms': probe.eventLoopDelayMs.max,
                    'gc max ms': probe.gc.maxMs,
                    'stalls >20ms': probe.stallCount,
                    'other CPU s': otherCpu === null ? '' : Math.round(otherCpu * 10) / 10,
                  }
                : {}),
            };
            rows.push(row);
            // Progress as it happens; the whole table is printed again at the end.
            console.error(
              `bench api: ${Object.entries(row)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}`,
            );
            results.push({
              mode: mode.name,
              run: repeat,
              ...fixed,
              loadGeneratorCpuSeconds: (loadCpu.user + loadCpu.system) / 1e6,
              otherCpuSeconds: otherCpu,
              maxRps: max.requests.average,
              maxP50: max.latency.p50,
              maxP99: max.latency.p99,
              targetP99: mode.targetP99 ?? null,
              errors,
              server: probe,
            });
          }
        }
      }
    } finally {
      await stopServer(child);
    }
    runs.push({
      model: ready.model,
      workers: WORKERS,
      loadAverageBefore: loadBefore.map(round1),
      loadAverageAfter: loadavg().map(round1),
      modes: results,
    });
  }
  const load = loadavg().map(round1).join(' / ');
  printTable(
    `API on loopback: ${SECONDS}s per run (after ${WARMUP_SECONDS}s warm-up), ${CONNECTIONS} connections, server in its own process(es); load average now ${load}`,
    rows,
  );
  console.log(
    `\nwrote ${writeResults(`api${WORKERS > 1 ? `-${WORKERS}-workers` : ''}${process.env.BENCH_API_TAG ? `-${process.env.BENCH_API_TAG}` : ''}`, { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, rate: RATE, connections: CONNECTIONS, workers: WORKERS, repeats: RUNS, pollMs: POLL_MS, rateLimitPerMinute: RATE_LIMIT, scoreCache: process.env.ANIREC_SCORE_CACHE ?? 'default', runs })}`,
  );
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) await serve(process.argv[serveAt + 1]);
else await main();
