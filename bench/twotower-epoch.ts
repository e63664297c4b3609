/**
 * Seconds per training epoch of the two-tower model on the bundled data: the product's own
 * typed-array kernels (src/models/twotower/, src/models/neural/) on their scalar loops
 * (env.wasm = false) and on the WebAssembly SIMD matrix products (env.wasm = true), epochs of
 * the two interleaved so both see the same machine load; optionally also the same model in
 * TensorFlow.js on its WebAssembly backend (bench/twotower-tfjs.ts). All are fed the very same
 * batches, measured in one run (so the ratios hold even on a busy machine).
 *
 *   npm run bench -- twotower-epoch
 *
 * BENCH_TWOTOWER_EPOCHS (default 2) epochs each; BENCH_TWOTOWER_TFJS=1 adds TensorFlow.js;
 * BENCH_TWOTOWER_THREADS (default 0 = the backend's choice) threads for its wasm backend;
 * BENCH_TWOTOWER_PARAMS a JSON object of TwoTowerParams overrides.
 *
 * `node --import tsx bench/twotower-epoch.ts --paired`: the two-tower model with its defaults
 * trained on the scalar loops and on the SIMD products, paired on the `anirec eval` split (seed
 * 42, 1,000 test users; both scored the same way), NDCG@20 with the paired 95% CI.
 */
import { cpuUsage } from 'node:process';
import { env } from '../src/env/env.js';
import { evaluate } from '../src/eval/evaluate.js';
import { pairedBootstrapTest } from '../src/eval/significance.js';
import { splitUsers } from '../src/eval/split.js';
import { createRng, mixSeed } from '../src/models/random.js';
import { epochPairs } from '../src/models/twotower/examples.js';
import { runEpoch, setUpTwoTower, trainTwoTower } from '../src/models/twotower/train.js';
import { loadBundled2016 } from './bundled-2016.js';
import { printTable, writeResults } from './report.js';
import { TfjsTwoTower, useWasmBackend } from './twotower-tfjs.js';

interface EpochTiming {
  implementation: string;
  epoch: number;
  pairs: number;
  seconds: number;
  cpuSeconds: number;
  loss: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timeTfjs(
  set: Awaited<ReturnType<typeof loadBundled2016>>,
  overrides: Record<string, unknown>,
  seed: number,
  epochs: number,
  threads: number,
  timings: EpochTiming[],
): Promise<void> {
  const backend = await useWasmBackend(threads);
  const tfSetup = setUpTwoTower(set.data, set.catalogueAsOf2016, overrides, seed);
  const tfModel = new TfjsTwoTower(tfSetup.source);
  const p = tfSetup.params;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const cpu = cpuUsage();
    const started = performance.now();
    // The same pair order, negatives and dropout draws as runEpoch for this seed and epoch.
    const rng = createRng(mixSeed(seed, 0xe90c, epoch));
    const pairs = epochPairs(tfSetup.source, rng);
    const n = pairs.users.length;
    let total = 0;
    let steps = 0;
    for (let from = 0; from < n; from += p.batchSize) {
      total += tfModel.trainStep(tfSetup.builder.build(pairs, from, Math.min(n, from + p.batchSize), rng));
      steps++;
    }
    const used = cpuUsage(cpu);
    timings.push({
      implementation: `tfjs wasm (SIMD ${backend.simd ? 'on' : 'off'}, ${backend.threads} thread${backend.threads === 1 ? '' : 's'})`,
      epoch,
      pairs: n,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      loss: total / steps,
    });
  }
}

async function main(): Promise<void> {
  const epochs = Number(process.env.BENCH_TWOTOWER_EPOCHS ?? 2);
  const threads = Number(process.env.BENCH_TWOTOWER_THREADS ?? 0);
  const overrides = JSON.parse(process.env.BENCH_TWOTOWER_PARAMS ?? '{}') as Record<string, unknown>;
  const set = await loadBundled2016();
  const timings: EpochTiming[] = [];
  const seed = 42;

  const paths = [
    { implementation: 'own kernels, scalar (env.wasm = false)', wasm: false },
    { implementation: 'own kernels, WebAssembly SIMD products', wasm: true },
  ].map((path) => ({ ...path, setup: setUpTwoTower(set.data, set.catalogueAsOf2016, overrides, seed) }));
  const wasmBefore = env.wasm;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const path of paths) {
      env.wasm = path.wasm;
      const cpu = cpuUsage();
      const started = performance.now();
      const { loss, pairs } = runEpoch(path.setup, epoch);
      const used = cpuUsage(cpu);
      timings.push({
        implementation: path.implementation,
        epoch,
        pairs,
        seconds: (performance.now() - started) / 1000,
        cpuSeconds: (used.user + used.system) / 1e6,
        loss,
      });
    }
  }
  env.wasm = wasmBefore;
  if (process.env.BENCH_TWOTOWER_TFJS === '1') await timeTfjs(set, overrides, seed, epochs, threads, timings);

  const names = [...new Set(timings.map((t) => t.implementation))];
  const ownMedian = median(timings.filter((t) => t.implementation === names[0]).map((t) => t.seconds));
  const rows = names.map((name) => {
    const mine = timings.filter((t) => t.implementation === name);
    const seconds = median(mine.map((t) => t.seconds));
    return {
      implementation: name,
      'pairs / epoch': mine[0]!.pairs.toLocaleString('en'),
      's / epoch (median)': seconds.toFixed(2),
      'CPU s / epoch': median(mine.map((t) => t.cpuSeconds)).toFixed(2),
      'vs scalar': `${(seconds / ownMedian).toFixed(2)}×`,
      'loss (last epoch)': mine[mine.length - 1]!.loss.toFixed(4),
    };
  });
  printTable(
    `Two-tower training per epoch, bundled data (${set.data.nUsers} users, ${set.data.nItems} titles), ${epochs} epochs each, seed ${seed}`,
    rows,
  );
  const path = writeResults('twotower-epoch', { params: paths[0]!.setup.params, epochs, timings, summary: rows });
  console.log(`\nwrote ${path}`);
}

/** Default two-tower trained on the scalar loops and on the SIMD products, paired on the `anirec eval` split. */
async function paired(): Promise<void> {
  const seed = 42;
  const set = await loadBundled2016();
  const split = splitUsers(set.data, { seed, validationUsers: 0, testUsers: 1000 });
  console.log(split.description.text);
  const models = [];
  const seconds: number[] = [];
  for (const [name, wasm] of [
    ['twotower, scalar', false],
    ['twotower, SIMD', true],
  ] as const) {
    const saved = env.wasm;
    env.wasm = wasm;
    const started = performance.now();
    try {
      models.push({ name, recommender: trainTwoTower(split.trainData, set.catalogueAsOf2016, {}, { seed }) });
    } finally {
      env.wasm = saved;
    }
    seconds.push((performance.now() - started) / 1000);
  }
  const result = evaluate(models, split.test, { trainData: split.trainData, ks: [10, 20], relevance: ['liked'], ci: { seed } });
  const section = result.sections[0]!;
  const [before, after] = section.models as [(typeof section.models)[0], (typeof section.models)[0]];
  const rows = ['ndcg@10', 'ndcg@20', 'recall@20'].map((metric) => {
    const test = pairedBootstrapTest(after.metrics[metric]!.perUser, before.metrics[metric]!.perUser, { seed });
    return {
      metric,
      [before.name]: before.metrics[metric]!.mean.toFixed(4),
      [after.name]: after.metrics[metric]!.mean.toFixed(4),
      'paired Δ (95% CI)': `${test.meanDifference >= 0 ? '+' : ''}${test.meanDifference.toFixed(4)} (${test.low.toFixed(4)} … ${test.high.toFixed(4)})`,
    };
  });
  printTable(`Two-tower scalar vs SIMD, paired (liked; train s ${seconds.map((x) => x.toFixed(1)).join(' / ')})`, rows);
  const path = writeResults('twotower-paired', { split: split.description, seed, trainSeconds: seconds, rows });
  console.log(`\nwrote ${path}`);
}

if (process.argv.includes('--paired')) await paired();
else await main();
