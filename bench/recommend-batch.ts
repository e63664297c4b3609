/**
 * Serving cost of fold-in: per-user latency (fold-in + scoring + top-20) for every model on 1,000
 * held-out users of the bundled data, with popularity (a copy and a top-k) as the in-run
 * baseline; then the `recommend-batch` contract end to end on 3,000 users through the built CLI
 * (a fresh process: model load + parsing + scoring + writing).
 *
 *   npm run build && npm run bench -- recommend-batch
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED_CATALOGUES, BUNDLED_DATA } from '../src/data/bundled.js';
import { splitUsers } from '../src/eval/split.js';
import { dataHash } from '../src/eval/split.js';
import { makeBundle, saveBundle } from '../src/models/bundle.js';
import { topK } from '../src/models/top-k.js';
import { DEFAULT_MODEL_PARAMS, trainModel, type ModelName } from '../src/models/train-model.js';
import { loadTrainingSet } from '../src/models/training-set.js';
import { importFiles } from '../src/store/import-files.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { printTable, writeResults } from './report.js';

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const store = SqliteStore.open(':memory:');
await importFiles(store, [...BUNDLED_CATALOGUES.map((path) => ({ path })), { path: BUNDLED_DATA.ratings2016, userSource: 'kaggle2016' }]);
const set = await loadTrainingSet(store);
await store.close();
const split = splitUsers(set.data, { seed: 42, validationUsers: 0, testUsers: 1000 });
const models = (process.env.BENCH_MODELS ?? 'popularity,itemknn,ease,als,content,anirec').split(',') as ModelName[];

const rows: Record<string, string | number>[] = [];
const results: Record<string, unknown>[] = [];
let baselineP50 = Number.NaN;
let anirecBundleDir: string | null = null;
const workDir = mkdtempSync(join(tmpdir(), 'anirec-bench-batch-'));
try {
  for (const name of models) {
    const trained = await trainModel(name, split.trainData, set.catalogue, DEFAULT_MODEL_PARAMS, { seed: 42 });
    const model = trained.recommender;
    const scores = new Float32Array(model.nItems);
    const latencies: number[] = [];
    for (const user of split.test) {
      const started = performance.now();
      model.scoreFoldIn(user.history, scores);
      const mask = new Uint8Array(model.nItems);
      for (const item of user.history.items) mask[item] = 1;
      topK(scores, 20, mask);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const p50 = quantile(latencies, 0.5);
    if (name === 'popularity') baselineP50 = p50;
    const entry = {
      model: name,
      users: latencies.length,
      p50Ms: p50,
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.at(-1)!,
      p50VsPopularity: p50 / baselineP50,
    };
    results.push(entry);
    rows.push({
      model: name,
      users: entry.users,
      'p50 ms': p50.toFixed(2),
      'p99 ms': entry.p99Ms.toFixed(2),
      'max ms': entry.maxMs.toFixed(1),
      'p50 ÷ popularity p50': entry.p50VsPopularity.toFixed(1),
    });
    if (name === 'anirec') {
      anirecBundleDir = join(workDir, 'anirec-model');
      const manifest = {
        format: 'anirec-model-bundle' as const,
        formatVersion: 1 as const,
        kind: name,
        createdAt: new Date().toISOString(),
        params: trained.params,
        dataHash: dataHash(split.trainData),
        nUsers: split.trainData.nUsers,
        nItems: split.trainData.nItems,
        nInteractions: split.trainData.indices.length,
        trainingSeconds: 0,
      };
      await saveBundle(makeBundle(manifest, model, split.trainData), anirecBundleDir);
    }
  }
  printTable('Fold-in + scoring + top-20 per held-out user (in process, 1,000 users)', rows);

  let batch: Record<string, unknown> | null = null;
  if (anirecBundleDir !== null) {
    // 3,000 users: the 1,000 held-out users' fold-in histories, repeated with other ids.
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const user = split.test[i % split.test.length]!;
      const history = Array.from(user.history.items, (item, h) => ({
        anime_id: set.data.itemIds[item]!,
        rating: user.history.scores[h]! > 0 ? user.history.scores[h]! : -1,
      }));
      lines.push(JSON.stringify({ user: `u${i}`, history }));
    }
    const input = join(workDir, 'H.jsonl');
    const output = join(workDir, 'OUT.jsonl');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const bin = fileURLToPath(new URL('../bin/anirec.js', import.meta.url));
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      [bin, 'recommend-batch', '--model', anirecBundleDir, '--input', input, '--k', '20', '--output', output],
      { encoding: 'utf8' },
    );
    const seconds = (performance.now() - started) / 1000;
    if (child.status !== 0) throw new Error(`recommend-batch failed: ${child.stderr}`);
    const answered = readFileSync(output, 'utf8').trim().split('\n').length;
    batch = { users: 3000, answered, seconds, usersPerSecond: 3000 / seconds, log: child.stderr.trim() };
    printTable('recommend-batch end to end (fresh process, anirec model, k = 20)', [
      { users: 3000, answered, 'wall s': seconds.toFixed(1), 'users/s': (3000 / seconds).toFixed(0), target: '< 60 s' },
    ]);
  }
  writeResults('recommend-batch', { split: split.description.text, latency: results, batch });
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
