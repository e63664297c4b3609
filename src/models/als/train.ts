import { resolveThreads } from '../dense-inverse-pool.js';
import { entryWeights, transposeCsr } from '../sparse.js';
import { createRng, gaussian } from '../random.js';
import type { TrainingData, TrainOptions } from '../types.js';
import { alsEpochFlops, alsLoss, cgSolveRow, gramian, type Scratch } from './kernels.js';
import { AlsRecommender } from './model.js';
import { DEFAULT_ALS_PARAMS, type AlsParams } from './params.js';
import { AlsSimd } from './simd.js';

export interface AlsTrainOptions extends TrainOptions {
  /**
   * Threads for the SIMD epochs: the caller's request, else `env.threads` (ANIREC_THREADS,
   * `--threads`), else every core the process may use. Small problems run on one unless asked.
   */
  threads?: number;
}

/** Below this many entry × factor terms per half-step a worker's start-up costs more than it saves. */
const MIN_PARALLEL_TERMS = 4_000_000;

/**
 * Fits iALS. Epochs run in the WebAssembly SIMD kernel on worker threads (simd.ts); with
 * env.wasm off (ANIREC_WASM=0) or without WebAssembly SIMD they run the scalar float64 loops of
 * kernels.ts, the reference the SIMD path is tested against. Both start from the same factors.
 */
export function trainAls(data: TrainingData, params: Partial<AlsParams> = {}, options: AlsTrainOptions = {}): AlsRecommender {
  const p = { ...DEFAULT_ALS_PARAMS, ...params };
  const k = Math.max(1, Math.floor(p.factors));
  const { nUsers, nItems } = data;
  const alpha0 = p.unobservedWeight;
  const rng = createRng(options.seed ?? 42);

  const conf = entryWeights(data, p.weighting);
  for (let e = 0; e < conf.length; e++) conf[e]! *= p.confidence;
  const cols = transposeCsr(data, conf);

  const known = new Uint8Array(nItems);
  let activeItems = 0;
  for (let i = 0; i < nItems; i++) {
    if (cols.indptr[i + 1]! > cols.indptr[i]!) {
      known[i] = 1;
      activeItems++;
    }
  }
  let activeUsers = 0;
  for (let u = 0; u < nUsers; u++) if (data.indptr[u + 1]! > data.indptr[u]!) activeUsers++;

  const scale = p.initStd / Math.sqrt(k);
  const X = new Float32Array(nUsers * k);
  const Y = new Float32Array(nItems * k);
  for (let u = 0; u < nUsers; u++) for (let j = 0; j < k; j++) X[u * k + j] = scale * gaussian(rng);
  for (let i = 0; i < nItems; i++) if (known[i] === 1) for (let j = 0; j < k; j++) Y[i * k + j] = scale * gaussian(rng);

  const lambdaUser = new Float64Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    lambdaUser[u] = p.regularization * Math.pow(data.indptr[u + 1]! - data.indptr[u]! + alpha0 * activeItems, p.frequencyScaling);
  }
  const lambdaItem = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    lambdaItem[i] = p.regularization * Math.pow(cols.indptr[i + 1]! - cols.indptr[i]! + alpha0 * activeUsers, p.frequencyScaling);
  }

  const losses: number[] = [];
  const secondsPerEpoch: number[] = [];
  const flopsPerEpoch = alsEpochFlops(data.indices.length, nUsers, nItems, k, p.cgSteps);
  const report = (epoch: number, seconds: number, loss: number): void => {
    secondsPerEpoch.push(seconds);
    losses.push(loss);
    options.onProgress?.(
      (epoch + 1) / p.iterations,
      `ALS epoch ${epoch + 1}/${p.iterations}: loss ${loss.toFixed(2)} (${seconds.toFixed(2)} s)`,
    );
  };

  const threads = options.threads === undefined && data.indices.length * k < MIN_PARALLEL_TERMS ? 1 : resolveThreads(options.threads);
  const simd = AlsSimd.create({
    k,
    nUsers,
    nItems,
    users: { indptr: data.indptr, indices: data.indices, conf, lambda: lambdaUser },
    items: { indptr: cols.indptr, indices: cols.indices, conf: cols.values, lambda: lambdaItem },
    alpha0,
    cgSteps: p.cgSteps,
    threads,
  });
  if (simd !== null) {
    try {
      simd.load(X, Y);
      for (let epoch = 0; epoch < p.iterations; epoch++) {
        const t0 = performance.now();
        simd.epoch();
        const seconds = (performance.now() - t0) / 1000;
        report(epoch, seconds, simd.loss());
      }
      simd.store(X, Y);
    } finally {
      simd.close();
    }
  } else {
    scalarEpochs();
  }
  const model = new AlsRecommender(nItems, k, Y, known, p);
  model.report = { losses, secondsPerEpoch, userFactors: X, flopsPerEpoch };
  return model;

  /** The reference path: float64 CG scratch, one thread. */
  function scalarEpochs(): void {
    const scratch: Scratch = { x: new Float64Array(k), r: new Float64Array(k), p: new Float64Array(k), ap: new Float64Array(k) };
    const gramY = new Float64Array(k * k);
    const gramX = new Float64Array(k * k);
    gramian(Y, nItems, k, gramY);
    for (let epoch = 0; epoch < p.iterations; epoch++) {
      const t0 = performance.now();
      for (let u = 0; u < nUsers; u++) {
        const start = data.indptr[u]!;
        const end = data.indptr[u + 1]!;
        if (start === end) {
          X.fill(0, u * k, (u + 1) * k);
          continue;
        }
        cgSolveRow(X, u, Y, gramY, alpha0, lambdaUser[u]!, data.indices, conf, start, end, k, p.cgSteps, scratch);
      }
      gramian(X, nUsers, k, gramX);
      for (let i = 0; i < nItems; i++) {
        if (known[i] === 0) continue;
        cgSolveRow(
          Y,
          i,
          X,
          gramX,
          alpha0,
          lambdaItem[i]!,
          cols.indices,
          cols.values,
          cols.indptr[i]!,
          cols.indptr[i + 1]!,
          k,
          p.cgSteps,
          scratch,
        );
      }
      gramian(Y, nItems, k, gramY);
      const seconds = (performance.now() - t0) / 1000;
      report(epoch, seconds, alsLoss(data, conf, X, Y, gramY, k, alpha0, lambdaUser, lambdaItem));
    }
  }
}
