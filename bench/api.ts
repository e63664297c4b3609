/**
 * HTTP API latency and throughput per mode, with autocannon on loopback, against /health/live in
 * the same run as the baseline. Each mode runs twice: at a fixed 500 req/s (the target load: p50
 * and p99 there are what users feel) and unthrottled (the maximum req/s).
 *
 * Needs the bundled data imported and a model trained (the one models/CURRENT names):
 *   anirec import && anirec train        # then: npm run bench -- api
 * ANIREC_HOME picks the setup; BENCH_SECONDS (default 5) the length of each run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { resolvePaths } from '../src/config.js';
import { buildServer } from '../src/server/app.js';
import { SqliteStore } from '../src/store/index.js';
import { printTable, writeResults } from './report.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RATE = 500;
const paths = resolvePaths();
if (!existsSync(paths.database) || !existsSync(join(paths.models, 'CURRENT'))) {
  console.error(`bench api: needs a store and a trained model under ${paths.home}. Run \`anirec import && anirec train\` first (or set ANIREC_HOME).`);
  process.exit(1);
}

const store = SqliteStore.open(paths.database);
const { app, holder } = await buildServer({ store, modelsDir: paths.models, config: { rateLimitPerMinute: 0, modelPollMs: 0, logger: false } });
if (holder.current === null) {
  console.error(`bench api: the model failed to load: ${holder.lastError}`);
  process.exit(1);
}
const engine = holder.current.engine;
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

// Request mixes: many different users and titles, so caches do not flatter the numbers.
const userIds = Array.from({ length: 200 }, (_, i) => `kaggle2016:${i + 1}`);
const popular = [...engine.catalog.popularityRank].sort((a, b) => a[1] - b[1]).slice(0, 400).map(([id]) => id);
const fiftyTitles = (offset: number) => popular.slice(offset, offset + 50).map((id, i) => ({ id, score: 5 + ((i * 7) % 6) }));
let counter = 0;
const next = <T>(items: readonly T[]): T => items[counter++ % items.length]!;

interface Mode {
  name: string;
  request: () => { method: 'GET' | 'POST'; path: string; body?: string };
}

const MODES: Mode[] = [
  { name: 'health-live (baseline)', request: () => ({ method: 'GET', path: '/health/live' }) },
  { name: 'known-user', request: () => ({ method: 'GET', path: `/v1/users/${next(userIds)}/recommendations?k=10` }) },
  { name: 'known-user + filters', request: () => ({ method: 'GET', path: `/v1/users/${next(userIds)}/recommendations?k=10&genres=Action&yearMin=2000&diversity=0.3` }) },
  { name: 'more-like-this hybrid', request: () => ({ method: 'GET', path: `/v1/similar?id=${next(popular)}&k=10` }) },
  { name: 'more-like-this by title', request: () => ({ method: 'GET', path: `/v1/similar?title=${encodeURIComponent(engine.catalog.get(next(popular))!.title.slice(0, 12))}&k=10` }) },
  { name: 'fold-in 50 titles', request: () => ({ method: 'POST', path: '/v1/recommendations/from-titles', body: JSON.stringify({ titles: fiftyTitles(counter++ % 300), k: 10 }) }) },
  { name: 'preferences', request: () => ({ method: 'POST', path: '/v1/recommendations/from-preferences', body: JSON.stringify({ likedGenres: [next(['Action', 'Romance', 'Comedy', 'Drama'])], k: 10 }) }) },
  { name: 'starter', request: () => ({ method: 'GET', path: `/v1/recommendations/starter?k=10&seed=${counter++}` }) },
  { name: 'search', request: () => ({ method: 'GET', path: `/v1/search?q=${encodeURIComponent(engine.catalog.get(next(popular))!.title.slice(0, 6))}` }) },
  { name: 'similar-users', request: () => ({ method: 'GET', path: `/v1/users/${next(userIds)}/similar-users?k=10` }) },
];

async function run(mode: Mode, rate: number | null): Promise<autocannon.Result> {
  return autocannon({
    url: base,
    connections: 10,
    duration: SECONDS,
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

const rows: Record<string, string | number>[] = [];
const results: Record<string, unknown>[] = [];
let baseline: { p99: number; rps: number } | null = null;
for (const mode of MODES) {
  const fixed = await run(mode, RATE);
  const max = await run(mode, null);
  const errors = fixed.non2xx + fixed.errors + max.non2xx + max.errors;
  baseline ??= { p99: fixed.latency.p99, rps: max.requests.average };
  rows.push({
    mode: mode.name,
    [`p50 ms @${RATE}/s`]: fixed.latency.p50,
    [`p99 ms @${RATE}/s`]: fixed.latency.p99,
    'max req/s': Math.round(max.requests.average),
    'p99 vs live': (fixed.latency.p99 / Math.max(baseline.p99, 0.001)).toFixed(1),
    'req/s vs live': (max.requests.average / baseline.rps).toFixed(2),
    errors,
  });
  results.push({ mode: mode.name, rate: RATE, p50: fixed.latency.p50, p90: fixed.latency.p90, p99: fixed.latency.p99, achievedRps: fixed.requests.average, maxRps: max.requests.average, maxP99: max.latency.p99, errors });
}

printTable(`API on loopback: ${holder.current.engine.modelInfo.kind} model, ${SECONDS}s per run, 10 connections`, rows);
console.log(`\nwrote ${writeResults('api', { model: holder.current.engine.modelInfo, seconds: SECONDS, rate: RATE, modes: results })}`);
await app.close();
await store.close();
