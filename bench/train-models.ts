/**
 * Training time and peak memory per model, each model trained in its own child process so peak
 * RSS is that model's alone: on the bundled 5k-user sample, and on a synthetic set
 * (BENCH_TRAIN_ROWS, default 2M; set 20000000 for the 20M figure) from bench/synthetic.ts.
 *
 * ALS gets a FLOP analysis: alsEpochFlops() / seconds per epoch, against the scalar
 * multiply-add rate this machine reaches in plain JavaScript (a dot-product loop measured in the
 * same run) and against the CPU's vector peak.
 *
 *   npm run bench -- train-models
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED_CATALOGUES, BUNDLED_DATA } from '../src/data/bundled.js';
import type { AlsRecommender } from '../src/models/als/model.js';
import { DEFAULT_ALS_PARAMS } from '../src/models/als/params.js';
import { DEFAULT_MODEL_PARAMS, trainModel, type ModelName } from '../src/models/train-model.js';
import { loadTrainingSet } from '../src/models/training-set.js';
import { importFiles } from '../src/store/import-files.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { printTable, writeResults } from './report.js';
import { generateSynthetic } from './synthetic.js';

interface TrainCase {
  model: string;
  data: string;
  users: number;
  items: number;
  interactions: number;
  seconds: number;
  peakRssMiB: number;
  baselineRssMiB: number;
  alsSecondsPerEpoch?: number;
  alsFlopsPerEpoch?: number;
}

/** Multiply-adds per second of a scalar Float32Array dot product: what a JS inner loop can reach here. */
function scalarFmaRate(): number {
  const n = 64;
  const a = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  let sink = 0;
  const reps = 2_000_000;
  const started = performance.now();
  for (let r = 0; r < reps; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
    sink += s;
  }
  const seconds = (performance.now() - started) / 1000;
  if (sink === 42) console.log('');
  return (2 * n * reps) / seconds;
}

async function runChild(model: ModelName, ratings: string, label: string): Promise<void> {
  const store = SqliteStore.open(':memory:');
  await importFiles(store, [...BUNDLED_CATALOGUES.map((path) => ({ path })), { path: ratings, userSource: 'bench' }]);
  const set = await loadTrainingSet(store);
  await store.close();
  const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  // On the synthetic set ALS runs 4 epochs instead of 16: the per-epoch time is what is compared,
  // and 16 epochs on 20M rows would make the benchmark take a quarter of an hour.
  const params = label.startsWith('synthetic') ? { ...DEFAULT_MODEL_PARAMS, als: { iterations: 4 } } : DEFAULT_MODEL_PARAMS;
  const trained = await trainModel(model, set.data, set.catalogue, params, { seed: 42 });
  const seconds = (performance.now() - started) / 1000;
  const result: TrainCase = {
    model,
    data: label,
    users: set.data.nUsers,
    items: set.data.nItems,
    interactions: set.data.indices.length,
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    baselineRssMiB,
  };
  if (model === 'als') {
    const report = (trained.recommender as AlsRecommender).report!;
    const sorted = [...report.secondsPerEpoch].sort((a, b) => a - b);
    result.alsSecondsPerEpoch = sorted[Math.floor(sorted.length / 2)]!;
    result.alsFlopsPerEpoch = report.flopsPerEpoch;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runCase(model: string, ratings: string, label: string): TrainCase {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', model, ratings, label], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) throw new Error(`training ${model} on ${label} failed:\n${child.stderr}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as TrainCase;
}

async function benchTraining(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'anirec-bench-train-'));
  const syntheticRows = Number(process.env.BENCH_TRAIN_ROWS ?? 2_000_000);
  const cases: TrainCase[] = [];
  try {
    const bundledModels = (process.env.BENCH_TRAIN_MODELS ?? 'popularity,itemknn,ease,als,content,anirec').split(',');
    for (const model of bundledModels) cases.push(runCase(model, BUNDLED_DATA.ratings2016, 'bundled 520k'));
    if (syntheticRows > 0) {
      const path = join(workDir, `ratings-${syntheticRows}.csv`);
      if (!existsSync(path)) await generateSynthetic({ rows: syntheticRows, out: path, seed: 7, realRatings: BUNDLED_DATA.ratings2016 });
      const label = `synthetic ${(syntheticRows / 1e6).toFixed(0)}M`;
      for (const model of ['popularity', 'itemknn', 'ease', 'als']) cases.push(runCase(model, path, label));
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const fmaRate = scalarFmaRate();
  printTable(
    'Training time and peak memory (one child process per model)',
    cases.map((c) => ({
      model: c.model,
      data: c.data,
      'users × items': `${c.users.toLocaleString('en')} × ${c.items.toLocaleString('en')}`,
      interactions: c.interactions.toLocaleString('en'),
      'train s': c.seconds.toFixed(1),
      'peak RSS MiB': c.peakRssMiB.toFixed(0),
      'RSS before training MiB': c.baselineRssMiB.toFixed(0),
    })),
  );
  const alsRows = cases
    .filter((c) => c.alsSecondsPerEpoch !== undefined)
    .map((c) => {
      const gflops = c.alsFlopsPerEpoch! / c.alsSecondsPerEpoch! / 1e9;
      return {
        data: c.data,
        factors: DEFAULT_ALS_PARAMS.factors,
        'GFLOP / epoch': (c.alsFlopsPerEpoch! / 1e9).toFixed(2),
        's / epoch (median)': c.alsSecondsPerEpoch!.toFixed(2),
        'achieved GFLOP/s': gflops.toFixed(2),
        'scalar JS FMA GFLOP/s': (fmaRate / 1e9).toFixed(2),
        'share of scalar JS peak': `${((100 * gflops * 1e9) / fmaRate).toFixed(0)}%`,
        'lower bound s / epoch': (c.alsFlopsPerEpoch! / fmaRate).toFixed(2),
      };
    });
  printTable('ALS time per epoch against the FLOP limit (same run)', alsRows);
  writeResults('train-models', { syntheticRows, cases, scalarFmaFlopsPerSecond: fmaRate, als: alsRows });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await runChild(argv[1] as ModelName, argv[2]!, argv[3]!);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchTraining();
}
