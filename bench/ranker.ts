/**
 * `npm run bench -- ranker`: anirec's LambdaMART against XGBoost's `rank:ndcg` on the exact
 * material the hybrid trains its ranker on (the `anirec eval` split: strong generalisation, seed
 * 42, 1,000 test users set aside; the base models of step 1 trained on the other users, the
 * held-back users' candidates as queries). Both boosters get the same features (NaN = missing),
 * labels, query groups and the same validation queries for early stopping, with matched
 * hyper-parameters (rounds, learning rate, leaves, depth, L2, feature fraction, bins). Training
 * time is wall time of the fit alone; NDCG@20 on the validation queries is computed for both
 * by anirec's one NDCG function from each model's predictions, so the metric cannot differ by
 * definition. Each booster runs twice, on every core and on one thread, so the per-core and the
 * whole-machine comparisons come from the same run.
 *
 * XGBOOST_PYTHON picks the interpreter (default Debian's /usr/bin/python3 with python3-xgboost).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitUsers } from '../src/eval/split.js';
import { computeItemStats } from '../src/models/hybrid/item-stats.js';
import { DEFAULT_ANIREC_PARAMS } from '../src/models/hybrid/params.js';
import { buildRankerTrainingSets } from '../src/models/hybrid/train.js';
import { meanNdcg, resolveRankerParams, trainRanker, type RankingDataset } from '../src/models/ranker/index.js';
import { DEFAULT_MODEL_PARAMS, hybridComponents } from '../src/models/train-model.js';
import { loadBundled2016 } from './bundled-2016.js';
import { printTable, writeResults } from './report.js';

const PYTHON = process.env.XGBOOST_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const seed = 42;

const XGBOOST_SCRIPT = String.raw`
import json, sys, time
import numpy as np
import xgboost as xgb
d, nf, threads, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
def load(name):
    x = np.fromfile(f'{d}/{name}-features.f32', dtype=np.float32).reshape(-1, nf)
    y = np.fromfile(f'{d}/{name}-labels.f32', dtype=np.float32)
    g = np.fromfile(f'{d}/{name}-groups.i32', dtype=np.int32)
    m = xgb.DMatrix(x, label=y, missing=np.nan, nthread=threads)
    m.set_group(g)
    return m
fit, val = load('fitting'), load('validation')
params = {
    'objective': 'rank:ndcg', 'eval_metric': 'ndcg@%d' % p['ndcgAt'], 'tree_method': 'hist', 'grow_policy': 'lossguide',
    'eta': p['learningRate'], 'max_leaves': p['maxLeaves'], 'max_depth': p['maxDepth'], 'min_child_weight': p['minSumHessianInLeaf'],
    'lambda': p['lambdaL2'], 'gamma': p['minGainToSplit'], 'colsample_bytree': p['featureFraction'], 'subsample': 1.0,
    'max_bin': p['maxBins'], 'nthread': threads, 'seed': 42,
}
start = time.perf_counter()
booster = xgb.train(params, fit, num_boost_round=p['rounds'], evals=[(val, 'validation')], early_stopping_rounds=p['earlyStoppingRounds'] or None, verbose_eval=False)
seconds = time.perf_counter() - start
best = booster.best_iteration + 1 if p['earlyStoppingRounds'] else p['rounds']
pred = booster.predict(val, iteration_range=(0, best)).astype(np.float32)
pred.tofile(f'{d}/xgboost-validation-scores.f32')
print(json.dumps({'xgboost': xgb.__version__, 'seconds': seconds, 'bestRound': best, 'roundsRun': booster.num_boosted_rounds()}))
`;

interface XgbRun {
  xgboost: string;
  seconds: number;
  bestRound: number;
  roundsRun: number;
}

function writeDataset(dir: string, name: string, set: RankingDataset): void {
  writeFileSync(join(dir, `${name}-features.f32`), Buffer.from(set.features.buffer, set.features.byteOffset, set.features.byteLength));
  writeFileSync(join(dir, `${name}-labels.f32`), Buffer.from(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength));
  const sizes = new Int32Array(set.groupOffsets.length - 1);
  for (let q = 0; q < sizes.length; q++) sizes[q] = set.groupOffsets[q + 1]! - set.groupOffsets[q]!;
  writeFileSync(join(dir, `${name}-groups.i32`), Buffer.from(sizes.buffer));
}

const loadAverageAtStart = loadavg()[0]!;
const set = await loadBundled2016();
const split = splitUsers(set.data, { seed, validationUsers: 0, testUsers: 1000 });
console.log(split.description.text);
const started = performance.now();
const sets = await buildRankerTrainingSets(
  split.trainData,
  hybridComponents(set.catalogue, DEFAULT_MODEL_PARAMS),
  computeItemStats(split.trainData, set.catalogue),
  DEFAULT_ANIREC_PARAMS,
  { seed },
);
const prepareSeconds = (performance.now() - started) / 1000;
const { fitting, validation } = sets;
const shape = (d: RankingDataset) => ({ queries: d.groupOffsets.length - 1, rows: d.labels.length });
console.log(
  `ranker material: ${shape(fitting).queries} queries / ${shape(fitting).rows} rows to fit, ${shape(validation).queries} / ${shape(validation).rows} for early stopping, ${fitting.nFeatures} features (step 1 took ${prepareSeconds.toFixed(0)} s)`,
);

const params = resolveRankerParams({ ...DEFAULT_ANIREC_PARAMS.ranker });
const nValidationRows = validation.labels.length;
const ndcgOf = (scores: ArrayLike<number>): number => meanNdcg(scores, validation.labels, validation.groupOffsets, params.ndcgAt);

// The booster's own validation NDCG per round (the same definition as meanNdcg), with the time
// it was reached: how long anirec needs to match another booster's NDCG. Run on one thread and
// on every core; the model must not depend on the thread count, so the bench checks it does not.
interface Curve {
  round: number;
  seconds: number;
  ndcg: number;
}
interface Row {
  name: string;
  threads: number;
  seconds: number;
  bestRound: number;
  roundsRun: number;
  ndcg: number;
  curve?: Curve[];
}
/** Runs per booster and thread count, interleaved; the table reports each one's fastest (the least disturbed by other work on the machine). */
const REPEATS = Math.max(1, Number(process.env.RANKER_BENCH_REPEATS ?? 3));
const threadCounts = [...new Set([cpus().length, 1])];
let reference: Float64Array | null = null;

function runAnirec(threads: number): Row {
  const curve: Curve[] = [];
  const started = performance.now();
  const model = trainRanker(fitting, params, {
    validation,
    seed,
    threads,
    onRound: (round, ndcg) => {
      if (ndcg !== null) curve.push({ round, seconds: (performance.now() - started) / 1000, ndcg });
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const predictions = model.predict(validation.features, nValidationRows);
  if (reference && predictions.some((p, i) => p !== reference![i]))
    throw new Error(`anirec's model on ${threads} threads differs from another run's`);
  reference ??= predictions;
  const name = `anirec LambdaMART (${threads} thread${threads === 1 ? '' : 's'})`;
  return { name, threads, seconds, bestRound: model.bestRound, roundsRun: curve.length, ndcg: ndcgOf(predictions), curve };
}

let xgboostVersion = 'not run';
function runXgboost(dir: string, threads: number): Row {
  const run = spawnSync(PYTHON, ['-c', XGBOOST_SCRIPT, dir, String(fitting.nFeatures), String(threads), JSON.stringify(params)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0) throw new Error(`XGBoost run failed (${PYTHON}; Debian: apt-get install python3-xgboost):\n${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as XgbRun;
  xgboostVersion = result.xgboost;
  const scores = new Float32Array(readFileSync(join(dir, 'xgboost-validation-scores.f32')).buffer.slice(0));
  return {
    name: `XGBoost rank:ndcg (${threads} thread${threads === 1 ? '' : 's'})`,
    threads,
    seconds: result.seconds,
    bestRound: result.bestRound,
    roundsRun: result.roundsRun,
    ndcg: ndcgOf(scores),
  };
}

const runs: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), 'anirec-ranker-bench-'));
try {
  writeDataset(dir, 'fitting', fitting);
  writeDataset(dir, 'validation', validation);
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const threads of threadCounts) runs.push(runAnirec(threads));
    for (const threads of threadCounts) runs.push(runXgboost(dir, threads));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// "At equal NDCG": XGBoost's best validation NDCG is the bar. anirec's time is when its curve
// first reaches it; XGBoost's is its whole fit (which runs the early-stopping rounds past its
// best) and, prorated by rounds, the part up to its best round.
const bar = Math.max(...runs.filter((r) => !r.curve).map((r) => r.ndcg));
const secondsToBar = (r: Row): number | null =>
  r.curve
    ? (r.curve.find((c) => c.ndcg >= bar - 1e-9)?.seconds ?? null)
    : r.ndcg >= bar - 1e-9
      ? (r.seconds * r.bestRound) / r.roundsRun
      : null;
const fastest = (values: Array<number | null>): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? Math.min(...present) : null;
};
const names = [...new Set(runs.map((r) => r.name))];
const summary = names.map((name) => {
  const mine = runs.filter((r) => r.name === name);
  const first = mine[0]!;
  return {
    name,
    threads: first.threads,
    anirec: first.curve !== undefined,
    fitSeconds: fastest(mine.map((r) => r.seconds))!,
    secondsToBar: fastest(mine.map(secondsToBar)),
    roundToBar: first.curve
      ? (first.curve.find((c) => c.ndcg >= bar - 1e-9)?.round ?? null)
      : first.ndcg >= bar - 1e-9
        ? first.bestRound
        : null,
    bestRound: first.bestRound,
    ndcg: first.ndcg,
  };
});
const fastestXgboostFit = Math.min(...summary.filter((r) => !r.anirec).map((r) => r.fitSeconds));

console.log(
  `\nXGBoost ${xgboostVersion} (${PYTHON}); load average at start ${loadAverageAtStart.toFixed(2)}, at the end ${loadavg()[0]!.toFixed(2)}, on ${cpus().length} cores`,
);
console.log(`anirec's model is identical on every thread count and run (predictions compared); fastest of ${REPEATS} runs each`);
const table = summary.map((r) => ({
  booster: r.name,
  threads: r.threads,
  'fit s': r.fitSeconds.toFixed(1),
  'best round': r.bestRound,
  [`val NDCG@${params.ndcgAt}`]: r.ndcg.toFixed(4),
  [`s to NDCG ${bar.toFixed(4)}`]: r.secondsToBar?.toFixed(2) ?? 'never',
  'at round': r.roundToBar ?? 'never',
  '÷ fastest XGBoost fit': ((r.anirec ? (r.secondsToBar ?? Infinity) : r.fitSeconds) / fastestXgboostFit).toFixed(2),
}));
printTable(`anirec LambdaMART vs XGBoost on the hybrid's ranking queries (bar: XGBoost's best validation NDCG@${params.ndcgAt})`, table);
const path = writeResults('ranker', {
  split: split.description,
  seed,
  params,
  prepareSeconds,
  fitting: shape(fitting),
  validation: shape(validation),
  features: fitting.nFeatures,
  xgboost: xgboostVersion,
  python: PYTHON,
  loadAverageAtStart,
  xgboostBestNdcg: bar,
  repeats: REPEATS,
  loadAverageAtEnd: loadavg()[0]!,
  rows: summary,
  runs: runs.map(({ curve, ...r }) => ({ ...r, secondsToXgboostBestNdcg: secondsToBar(r), curve })),
});
console.log(`\nwrote ${path}`);
