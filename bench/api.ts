/**
 * HTTP API latency and throughput per mode, with autocannon on loopback, against /health/live in
 * the same run as the baseline. Each mode runs twice: at a fixed 500 req/s (the target load: p50
 * and p99 there are what users feel) and unthrottled (the maximum req/s).
 *
 * The server runs in its own process (this file, started with --serve), so the load generator
 * does not share the server's event loop: latencies are the server's, not autocannon's. Several
 * models can be measured in one run, one server process each.
 *
 * Needs the bundled data imported and a model trained (the one models/CURRENT names):
 *   anirec import && anirec train        # then: npm run bench -- api
 * ANIREC_HOME picks the setup; BENCH_SECONDS (default 5) the length of each run;
 * BENCH_API_MODELS (comma-separated model directories, e.g. an item-kNN and an anirec hybrid
 * bundle) measures those instead of CURRENT; `node --import tsx bench/api.ts --model DIR ...`
 * does the same from the command line.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { resolvePaths } from '../src/config.js';
import { printTable, writeResults } from './report.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Math.min(2, SECONDS);
const RATE = 500;
const CONNECTIONS = 10;

/** What the server process tells the load generator once it listens. */
interface Ready {
  port: number;
  model: { kind: string; version: string };
  /** The 400 most popular titles: ids and names, for request mixes. */
  popular: { id: number; title: string }[];
}

// ---------------------------------------------------------------------------------------------
// Server role: `bench/api.ts --serve [DIR]` serves DIR (or models/CURRENT) and reports its port.
// ---------------------------------------------------------------------------------------------
async function serve(modelDir: string | undefined): Promise<void> {
  const { buildServer } = await import('../src/server/app.js');
  const { SqliteStore } = await import('../src/store/index.js');
  const paths = resolvePaths();
  const store = SqliteStore.open(paths.database);
  const { app, holder } = await buildServer({
    store,
    ...(modelDir ? { modelDir } : { modelsDir: paths.models }),
    config: { rateLimitPerMinute: 0, modelPollMs: 0, logger: false },
  });
  if (holder.current === null) {
    console.error(`bench api: the model failed to load: ${holder.lastError}`);
    process.exit(1);
  }
  const engine = holder.current.engine;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const popular = [...engine.catalog.popularityRank]
    .sort((a, b) => a[1] - b[1])
    .slice(0, 400)
    .map(([id]) => ({ id, title: engine.catalog.get(id)!.title }));
  const ready: Ready = { port: typeof address === 'object' && address ? address.port : 0, model: engine.modelInfo, popular };
  process.send!(ready);
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    await app.close();
    await store.close();
    process.exit(0);
  });
}

// ---------------------------------------------------------------------------------------------
// Load-generator role.
// ---------------------------------------------------------------------------------------------
interface Mode {
  name: string;
  /** The target for p99 at 500 req/s, ms. */
  targetP99?: number;
  request: () => { method: 'GET' | 'POST'; path: string; body?: string };
}

function modes(ready: Ready): Mode[] {
  // Request mixes: many different users and titles, so caches do not flatter the numbers.
  const userIds = Array.from({ length: 200 }, (_, i) => `kaggle2016:${i + 1}`);
  const popular = ready.popular;
  const fiftyTitles = (offset: number) => popular.slice(offset, offset + 50).map(({ id }, i) => ({ id, score: 5 + ((i * 7) % 6) }));
  let counter = 0;
  const next = <T>(items: readonly T[]): T => items[counter++ % items.length]!;
  return [
    { name: 'health-live (baseline)', request: () => ({ method: 'GET', path: '/health/live' }) },
    { name: 'known-user', targetP99: 15, request: () => ({ method: 'GET', path: `/v1/users/${next(userIds)}/recommendations?k=10` }) },
    { name: 'known-user + filters', request: () => ({ method: 'GET', path: `/v1/users/${next(userIds)}/recommendations?k=10&genres=Action&yearMin=2000&diversity=0.3` }) },
    { name: 'more-like-this hybrid', targetP99: 15, request: () => ({ method: 'GET', path: `/v1/similar?id=${next(popular).id}&k=10` }) },
    { name: 'more-like-this by title', request: () => ({ method: 'GET', path: `/v1/similar?title=${encodeURIComponent(next(popular).title.slice(0, 12))}&k=10` }) },
    { name: 'fold-in 50 titles', targetP99: 30, request: () => ({ method: 'POST', path: '/v1/recommendations/from-titles', body: JSON.stringify({ titles: fiftyTitles(counter++ % 300), k: 10 }) }) },
    { name: 'preferences', request: () => ({ method: 'POST', path: '/v1/recommendations/from-preferences', body: JSON.stringify({ likedGenres: [next(['Action', 'Romance', 'Comedy', 'Drama'])], k: 10 }) }) },
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
          return { ...req, method: r.method, path: r.path, ...(r.body ? { body: r.body, headers: { 'content-type': 'application/json' } } : {}) };
        },
      },
    ],
  });
}

async function startServer(script: string, modelDir: string | undefined): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(script, ['--serve', ...(modelDir ? [modelDir] : [])], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
  const fromEnv = (process.env.BENCH_API_MODELS ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '');
  const models: (string | undefined)[] = fromArgs.length > 0 ? fromArgs : fromEnv.length > 0 ? fromEnv : [undefined];
  if (!existsSync(paths.database) || (models.includes(undefined) && !existsSync(join(paths.models, 'CURRENT')))) {
    console.error(`bench api: needs a store and a trained model under ${paths.home}. Run \`anirec import && anirec train\` first (or set ANIREC_HOME).`);
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
      for (const mode of modes(ready)) {
        await run(base, mode, null, WARMUP_SECONDS); // JIT and per-process caches, not recorded
        const fixed = await run(base, mode, RATE, SECONDS);
        const max = await run(base, mode, null, SECONDS);
        const errors = fixed.non2xx + fixed.errors + max.non2xx + max.errors;
        baseline ??= { p99: fixed.latency.p99, rps: max.requests.average };
        const met = mode.targetP99 === undefined ? '' : fixed.latency.p99 <= mode.targetP99 && fixed.requests.average >= RATE * 0.95 ? `yes (≤${mode.targetP99})` : `NO (≤${mode.targetP99})`;
        rows.push({
          model: ready.model.kind,
          mode: mode.name,
          [`p50 ms @${RATE}/s`]: fixed.latency.p50,
          [`p99 ms @${RATE}/s`]: fixed.latency.p99,
          'achieved req/s': Math.round(fixed.requests.average),
          'max req/s': Math.round(max.requests.average),
          'p99 ms @max': max.latency.p99,
          'p99 vs live': round1(fixed.latency.p99 / Math.max(baseline.p99, 0.001)),
          target: met,
          errors,
        });
        results.push({
          mode: mode.name,
          rate: RATE,
          p50: fixed.latency.p50,
          p90: fixed.latency.p90,
          p99: fixed.latency.p99,
          max: fixed.latency.max,
          achievedRps: fixed.requests.average,
          maxRps: max.requests.average,
          maxP50: max.latency.p50,
          maxP99: max.latency.p99,
          targetP99: mode.targetP99 ?? null,
          errors,
        });
      }
    } finally {
      await stopServer(child);
    }
    runs.push({ model: ready.model, loadAverageBefore: loadBefore.map(round1), loadAverageAfter: loadavg().map(round1), modes: results });
  }
  const load = loadavg().map(round1).join(' / ');
  printTable(`API on loopback: ${SECONDS}s per run (after ${WARMUP_SECONDS}s warm-up), ${CONNECTIONS} connections, server in its own process; load average now ${load}`, rows);
  console.log(`\nwrote ${writeResults('api', { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, rate: RATE, connections: CONNECTIONS, runs })}`);
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) await serve(process.argv[serveAt + 1]);
else await main();
