/**
 * The two-tower of src/models/twotower/ written a second time in TensorFlow.js, for the
 * per-epoch timing comparison (bench/twotower-epoch.ts) only: same inputs, same batches (built
 * by the product's BatchBuilder), same layers, loss, logQ correction, ID dropout and Adam. What
 * TensorFlow.js cannot express the same way: Adam updates the two ID tables densely (every row,
 * every step) where the product updates only the rows a step used.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Batch, PairSource } from '../src/models/twotower/examples.js';
import { USER_FEATURES } from '../src/models/twotower/params.js';

/**
 * The wasm backend has no UnsortedSegmentSum, which is both the bag pooling and the gradient of
 * every gather (the ID tables): this registers one, a scatter-add loop in JavaScript over the
 * backend's heap, the same work the product's bagBackward does.
 */
function registerSegmentSum(): void {
  type WasmBackend = {
    readSync(dataId: unknown): ArrayLike<number>;
    makeOutput(shape: number[], dtype: string): tf.TensorInfo;
    typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  };
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const segments = (attrs as { numSegments: number }).numSegments;
      const b = backend as unknown as WasmBackend;
      const values = b.readSync(x.dataId);
      const ids = b.readSync(segmentIds.dataId);
      const width = x.shape.slice(1).reduce((p, s) => p * s, 1);
      const out = b.makeOutput([segments, ...x.shape.slice(1)], x.dtype);
      const target = b.typedArrayFromHeap(out);
      target.fill(0);
      for (let r = 0; r < ids.length; r++) {
        const o = ids[r]! * width;
        const i = r * width;
        for (let j = 0; j < width; j++) target[o + j]! += values[i + j]!;
      }
      return out;
    },
  });
}

export async function useWasmBackend(threads: number): Promise<{ simd: boolean; threads: number }> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerSegmentSum();
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(`${dist}/`);
  if (threads > 0) wasm.setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  await tf.ready();
  return { simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean, threads: wasm.getThreadsCount() };
}

function dense(inDim: number, outDim: number, gain: number, seed: number): [tf.Variable, tf.Variable] {
  return [tf.variable(tf.randomNormal([inDim, outDim], 0, Math.sqrt(gain / inDim), 'float32', seed)), tf.variable(tf.zeros([outDim]))];
}

function mlp(x: tf.Tensor2D, layers: [tf.Variable, tf.Variable][]): tf.Tensor2D {
  let h = x;
  layers.forEach(([w, b], l) => {
    h = tf.add(tf.matMul(h, w as tf.Tensor2D), b) as tf.Tensor2D;
    if (l < layers.length - 1) h = tf.relu(h);
  });
  return h;
}

export class TfjsTwoTower {
  private readonly itemLayers: [tf.Variable, tf.Variable][];
  private readonly userLayers: [tf.Variable, tf.Variable][];
  private readonly itemIds: tf.Variable | null;
  private readonly historyIds: tf.Variable | null;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly inputs: tf.Tensor2D;

  constructor(private readonly source: PairSource) {
    const p = source.params;
    const d = p.dimension;
    const itemSizes = [source.inputs.dim, ...p.itemHidden, d];
    const userSizes = [source.userInputDim, ...p.userHidden, d];
    this.itemLayers = itemSizes.slice(1).map((out, l) => dense(itemSizes[l]!, out, l === itemSizes.length - 2 ? 1 : 2, 11 + l));
    this.userLayers = userSizes.slice(1).map((out, l) => dense(userSizes[l]!, out, l === userSizes.length - 2 ? 1 : 2, 31 + l));
    const n = source.data.nItems;
    this.itemIds = p.itemIds ? tf.variable(tf.zeros([n, d])) : null;
    this.historyIds = p.historyIds ? tf.variable(tf.zeros([n, d])) : null;
    this.inputs = tf.tensor2d(source.inputs.rows, [n, source.inputs.dim]);
    this.optimizer = tf.train.adam(p.learningRate, 0.9, 0.999, 1e-8);
  }

  /** One Adam step on the batch; returns the loss. */
  trainStep(batch: Batch): number {
    const p = this.source.params;
    const { rows, count } = batch;
    const width = this.source.userInputDim;
    const featureDim = this.source.inputs.dim;
    const candidates = tf.tensor1d(batch.candidates.slice(0, count), 'int32');
    const keep = tf.tensor2d(Float32Array.from(batch.keepId.subarray(0, count)), [count, 1]);
    const userInputs = tf.tensor2d(batch.userInputs.slice(0, rows * width), [rows, width]);
    const nnz = batch.bags.ptr[rows]!;
    const bagItems = tf.tensor1d(batch.bags.items.slice(0, nnz), 'int32');
    const bagWeights = tf.tensor2d(batch.bags.weights.slice(0, nnz), [nnz, 1]);
    const segments = new Int32Array(nnz);
    for (let r = 0; r < rows; r++) segments.fill(r, batch.bags.ptr[r]!, batch.bags.ptr[r + 1]!);
    const bagRows = tf.tensor1d(segments, 'int32');
    const positive = tf.oneHot(tf.tensor1d(batch.positive.slice(0, rows), 'int32'), count);
    const logQ = batch.logQ === null ? null : tf.tensor1d(batch.logQ.slice(0, count));
    const variables = [
      ...this.itemLayers.flat(),
      ...this.userLayers.flat(),
      ...(this.itemIds ? [this.itemIds] : []),
      ...(this.historyIds ? [this.historyIds] : []),
    ];
    const cost = this.optimizer.minimize(
      () => {
        let item = mlp(tf.gather(this.inputs, candidates) as tf.Tensor2D, this.itemLayers);
        if (this.itemIds !== null) item = tf.add(item, tf.mul(tf.gather(this.itemIds, candidates), keep)) as tf.Tensor2D;
        let userIn = userInputs;
        if (this.historyIds !== null) {
          const pooled = tf.unsortedSegmentSum(tf.mul(tf.gather(this.historyIds, bagItems), bagWeights), bagRows, rows) as tf.Tensor2D;
          const before = tf.slice(userInputs, [0, 0], [rows, featureDim]);
          const after = tf.slice(userInputs, [0, width - USER_FEATURES], [rows, USER_FEATURES]);
          userIn = tf.concat([before, pooled, after], 1);
        }
        const user = mlp(userIn, this.userLayers);
        const v = tf.div(item, tf.maximum(tf.norm(item, 'euclidean', 1, true), 1e-6));
        const u = tf.div(user, tf.maximum(tf.norm(user, 'euclidean', 1, true), 1e-6));
        let logits = tf.div(tf.matMul(u, v, false, true), p.temperature);
        if (logQ !== null) logits = tf.sub(logits, logQ);
        const ce = tf.neg(tf.mean(tf.sum(tf.mul(positive, tf.logSoftmax(logits)), 1)));
        let l2 = tf.scalar(0);
        for (const [w] of [...this.itemLayers, ...this.userLayers]) l2 = tf.add(l2, tf.mul(0.5 * p.l2, tf.sum(tf.square(w))));
        // The product penalises the ID rows a step used; gathering them costs the same here.
        if (this.itemIds !== null)
          l2 = tf.add(l2, tf.mul(0.5 * p.l2, tf.sum(tf.square(tf.mul(tf.gather(this.itemIds, candidates), keep)))));
        if (this.historyIds !== null) l2 = tf.add(l2, tf.mul(0.5 * p.l2, tf.sum(tf.square(tf.gather(this.historyIds, bagItems)))));
        return tf.add(ce, l2) as tf.Scalar;
      },
      true,
      variables,
    );
    const value = cost!.dataSync()[0]!;
    tf.dispose([cost!, candidates, keep, userInputs, bagItems, bagWeights, bagRows, positive, ...(logQ ? [logQ] : [])]);
    return value;
  }
}
