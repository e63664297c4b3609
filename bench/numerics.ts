/**
 * EASE's dense SPD inverse, anirec against numpy/OpenBLAS on the same matrix in one run: the
 * real EASE Gram (XᵀX + λI, default weighting and λ) of the bundled data at n = 3,000 (the old
 * title cap) and at every title with ≥ minCount users. The matrix goes to numpy through a temp
 * file; numpy times np.linalg.inv (LU, what EASE implementations call) and reports which BLAS
 * its process loaded. anirec is timed on every core and on one, and the two inverses' diagonals
 * are compared so both sides are known to solve the same problem.
 *
 *   npm run bench -- numerics
 *
 * NUMPY_PYTHON picks the interpreter (default: Debian's /usr/bin/python3, whose numpy is
 * python3-numpy; without libopenblas0-pthread it falls back to reference BLAS, which the table
 * shows). BENCH_NUMERICS_REPEATS (default 3) sets the timed runs per side; medians are reported.
 *
 * Then iALS per-epoch time per interaction × factor per core (bench/numerics-als.ts);
 * `node --import tsx bench/numerics.ts --als` runs only that part, `--paired-als` its paired eval.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_CATALOGUES, BUNDLED_DATA } from '../src/data/bundled.js';
import { SpdWorkspace } from '../src/models/dense-inverse.js';
import { DEFAULT_EASE_PARAMS } from '../src/models/ease/params.js';
import { buildEaseGram, easeSelection, trainEase } from '../src/models/ease/train.js';
import { loadTrainingSet } from '../src/models/training-set.js';
import { importFiles } from '../src/store/import-files.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { evaluate } from '../src/eval/evaluate.js';
import { pairedBootstrapTest } from '../src/eval/significance.js';
import { splitUsers } from '../src/eval/split.js';
import { loadBundled2016 } from './bundled-2016.js';
import { benchAls, pairedAls } from './numerics-als.js';
import { printTable, writeResults } from './report.js';

const REPEATS = Number(process.env.BENCH_NUMERICS_REPEATS ?? 3);
const PYTHON = process.env.NUMPY_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** Loads the matrix, times np.linalg.inv, writes the inverse's diagonal, prints one JSON line. */
const NUMPY_SCRIPT = `
import ctypes, json, sys, time
import numpy as np
path, n, repeats, diag_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
t = time.perf_counter()
a = np.fromfile(path, dtype='<f8').reshape(n, n)
load = time.perf_counter() - t
times = []
for _ in range(repeats):
    t = time.perf_counter()
    inv = np.linalg.inv(a)
    times.append(time.perf_counter() - t)
np.diag(inv).astype('<f8').tofile(diag_out)
libs = sorted({line.split()[-1] for line in open('/proc/self/maps') if ('blas' in line.lower() or 'lapack' in line.lower()) and '/' in line})
config, threads = None, None
for lib in libs:
    try:
        so = ctypes.CDLL(lib)
        so.openblas_get_config.restype = ctypes.c_char_p
        config, threads = so.openblas_get_config().decode(), so.openblas_get_num_threads()
        break
    except (OSError, AttributeError):
        pass
print(json.dumps({'numpy': np.__version__, 'python': sys.version.split()[0], 'loadSeconds': load, 'seconds': times, 'blasLibraries': libs, 'openblasConfig': config, 'openblasThreads': threads}))
`;

interface NumpyRun {
  numpy: string;
  python: string;
  loadSeconds: number;
  seconds: number[];
  blasLibraries: string[];
  openblasConfig: string | null;
  openblasThreads: number | null;
}

interface NumericsCase {
  label: string;
  n: number;
  gramSeconds: number;
  gramOneThreadSeconds: number;
  anirecSeconds: number[];
  anirecOneThreadSeconds: number[];
  threads: number;
  easeFitSeconds: number;
  numpy: NumpyRun;
  maxRelativeDiagonalDifference: number;
  ratio: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A fresh workspace holding `upper` (row stride n), so every timed run starts from the Gram. */
function timedInverse(upper: Float64Array, n: number, threads: number): { seconds: number; diagonal: Float64Array } {
  const workspace = new SpdWorkspace(n);
  const N = workspace.stride;
  for (let i = 0; i < n; i++) workspace.matrix.set(upper.subarray(i * n + i, (i + 1) * n), i * N + i);
  const started = performance.now();
  workspace.invert({ threads });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, diagonal: Float64Array.from({ length: n }, (_, i) => workspace.matrix[i * N + i]!) };
}

async function bundledData() {
  const store = SqliteStore.open(':memory:');
  await importFiles(store, [...BUNDLED_CATALOGUES.map((path) => ({ path })), { path: BUNDLED_DATA.ratings2016, userSource: 'bench' }]);
  const { data } = await loadTrainingSet(store);
  await store.close();
  return data;
}

async function bench(): Promise<void> {
  const data = await bundledData();
  const threads = availableParallelism();
  const loadAverageAtStart = loadavg();
  const workDir = mkdtempSync(join(tmpdir(), 'anirec-bench-numerics-'));
  const cases: NumericsCase[] = [];
  try {
    for (const [label, maxItems] of [
      ['n = 3,000 (the old cap)', 3000],
      ['every title with ≥ minCount users', Number.POSITIVE_INFINITY],
    ] as const) {
      const params = { ...DEFAULT_EASE_PARAMS, maxItems };
      const selected = easeSelection(data, params);
      const n = selected.length;
      let started = performance.now();
      const gram = buildEaseGram(data, selected, params);
      const gramSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      buildEaseGram(data, selected, params, 1);
      const gramOneThreadSeconds = (performance.now() - started) / 1000;
      // The full symmetric matrix for numpy, and its row-major upper triangle for anirec's runs.
      const full = new Float64Array(n * n);
      const N = gram.stride;
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) full[i * n + j] = full[j * n + i] = gram.matrix[i * N + j]!;
      }
      const matrixPath = join(workDir, `gram-${n}.f64`);
      const diagonalPath = join(workDir, `numpy-diagonal-${n}.f64`);
      writeFileSync(matrixPath, new Uint8Array(full.buffer));
      // One numpy run, then anirec on every core and on one, repeated: interleaved so that other
      // load on the machine falls on both sides alike.
      const numpySeconds: number[] = [];
      const anirecSeconds: number[] = [];
      const anirecOneThreadSeconds: number[] = [];
      let numpy: NumpyRun | undefined;
      let diagonal: Float64Array = new Float64Array(0);
      for (let r = 0; r < REPEATS; r++) {
        const python = spawnSync(PYTHON, ['-c', NUMPY_SCRIPT, matrixPath, String(n), '1', diagonalPath], {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        });
        if (python.status !== 0) throw new Error(`numpy run failed (${PYTHON}):\n${python.stderr}`);
        numpy = JSON.parse(python.stdout.trim().split('\n').pop()!) as NumpyRun;
        numpySeconds.push(numpy.seconds[0]!);
        const run = timedInverse(full, n, threads);
        anirecSeconds.push(run.seconds);
        diagonal = run.diagonal;
        anirecOneThreadSeconds.push(timedInverse(full, n, 1).seconds);
      }
      numpy = { ...numpy!, seconds: numpySeconds };
      const numpyDiagonal = new Float64Array(new Uint8Array(readFileSync(diagonalPath)).buffer);
      let maxRel = 0;
      for (let i = 0; i < n; i++) maxRel = Math.max(maxRel, Math.abs(diagonal[i]! - numpyDiagonal[i]!) / Math.abs(numpyDiagonal[i]!));
      started = performance.now();
      trainEase(data, params);
      const easeFitSeconds = (performance.now() - started) / 1000;
      cases.push({
        label,
        n,
        gramSeconds,
        gramOneThreadSeconds,
        anirecSeconds,
        anirecOneThreadSeconds,
        threads,
        easeFitSeconds,
        numpy,
        maxRelativeDiagonalDifference: maxRel,
        ratio: median(anirecSeconds) / median(numpy.seconds),
      });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const numpyInfo = cases[0]!.numpy;
  console.log(
    `\nnumpy ${numpyInfo.numpy} (Python ${numpyInfo.python}, ${PYTHON}); BLAS/LAPACK loaded: ${numpyInfo.blasLibraries.join(', ') || 'none found'}`,
  );
  console.log(
    `OpenBLAS: ${numpyInfo.openblasConfig ?? 'not OpenBLAS'}${numpyInfo.openblasThreads !== null ? `, ${numpyInfo.openblasThreads} threads` : ''}`,
  );
  printTable(
    `EASE inverse of the bundled Gram, anirec (WebAssembly SIMD, ${threads} threads) vs numpy.linalg.inv; medians of ${REPEATS}`,
    cases.map((c) => ({
      matrix: c.label,
      n: c.n.toLocaleString('en'),
      'anirec s': median(c.anirecSeconds).toFixed(2),
      'anirec 1 thread s': median(c.anirecOneThreadSeconds).toFixed(2),
      'numpy s': median(c.numpy.seconds).toFixed(2),
      'anirec / numpy': c.ratio.toFixed(2),
      'max rel. diff of diag(P)': c.maxRelativeDiagonalDifference.toExponential(1),
      'anirec Gram s': c.gramSeconds.toFixed(2),
      'Gram 1 thread s': c.gramOneThreadSeconds.toFixed(2),
      'numpy load s': c.numpy.loadSeconds.toFixed(2),
      'anirec EASE fit s': c.easeFitSeconds.toFixed(2),
    })),
  );
  const als = await benchAls(data);
  writeResults('numerics', { python: PYTHON, repeats: REPEATS, loadAverageAtStart, cases, als });
}

/**
 * `node --import tsx bench/numerics.ts --paired-cap`: EASE with the old 3,000-title cap against
 * EASE over every title, paired on the `anirec eval` split (seed 42, 1,000 test users).
 */
async function pairedCap(): Promise<void> {
  const seed = 42;
  const set = await loadBundled2016();
  const split = splitUsers(set.data, { seed, validationUsers: 0, testUsers: 1000 });
  console.log(split.description.text);
  const models = [];
  const seconds: number[] = [];
  for (const [name, params] of [
    ['ease, 3,000-title cap', { maxItems: 3000 }],
    ['ease, every title', {}],
  ] as const) {
    const started = performance.now();
    const recommender = trainEase(split.trainData, params);
    seconds.push((performance.now() - started) / 1000);
    models.push({ name: `${name} (n = ${recommender.selected.length})`, recommender });
  }
  const result = evaluate(models, split.test, { trainData: split.trainData, ks: [10, 20], relevance: ['liked'], ci: { seed } });
  const section = result.sections[0]!;
  const [capped, full] = section.models as [(typeof section.models)[0], (typeof section.models)[0]];
  const rows = ['ndcg@10', 'ndcg@20', 'recall@20', 'coverage@20'].map((metric) => {
    const test = metric.startsWith('coverage')
      ? null
      : pairedBootstrapTest(full.metrics[metric]!.perUser, capped.metrics[metric]!.perUser, { seed });
    return {
      metric,
      [capped.name]: capped.metrics[metric]!.mean.toFixed(4),
      [full.name]: full.metrics[metric]!.mean.toFixed(4),
      'paired Δ (95% CI)': test
        ? `${test.meanDifference >= 0 ? '+' : ''}${test.meanDifference.toFixed(4)} (${test.low.toFixed(4)} … ${test.high.toFixed(4)})`
        : '',
    };
  });
  printTable(`EASE title cap, paired (${section.relevance ?? 'liked'}; train s ${seconds.map((x) => x.toFixed(1)).join(' / ')})`, rows);
  writeResults('numerics-ease-cap', { split: split.description, seed, trainSeconds: seconds, rows });
}

if (process.argv.includes('--paired-cap')) await pairedCap();
else if (process.argv.includes('--paired-als')) await pairedAls();
else if (process.argv.includes('--als')) writeResults('numerics-als', await benchAls(await bundledData()));
else await bench();
