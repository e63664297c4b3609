/**
 * Worker threads for the booster: the histogram of a leaf is split by feature (each thread owns
 * a contiguous share of the active features and walks every row of the leaf), the LambdaMART
 * gradients by query. Both write into shared memory, so nothing is copied or merged, and each
 * value is computed exactly as on one thread (kernels.ts): the model does not depend on the
 * thread count.
 *
 * A round asks for a few dozen histograms, too many for a message round trip each, and training
 * is synchronous, so the main thread publishes a task in a shared control block, does its own
 * share, and blocks in Atomics.wait until every worker has counted itself done (as the EASE
 * inverse's pool does, dense-inverse-pool.ts).
 */
import { Worker } from 'node:worker_threads';
import { HISTOGRAM_CHANNELS, histogramShare, lambdaShare, sortByScore, subtractShare } from './kernels.js';

/** Control block slots (Int32). */
const GEN = 0; // task counter; workers wait for it to change
const DONE = 1; // workers finished with the current task
const FAILED = 2; // a worker's share threw
const STOP = 3;
const OP = 4;
const SLOT = 5;
const PARENT = 6;
const START = 7;
const END = 8;
const N_ACTIVE = 9;
const SLOTS = 12;

const OP_BUILD = 1;
const OP_BUILD_SUBTRACT = 2;
const OP_GRADIENTS = 3;

/** Below this many (row × feature) updates a histogram is built on the main thread alone: waking the workers would cost more. */
const MIN_PARALLEL_UPDATES = 32_768;

/** How long the main thread waits without any worker finishing before it gives up. */
const STALL_MS = 10 * 60_000;

/** The tables LambdaMART's gradients read, in shared memory (lambdarank.ts owns them). */
export interface SharedLambdaTables {
  groupOffsets: Int32Array;
  gains: Float64Array;
  discounts: Float64Array;
  inverseIdeal: Float64Array;
  order: Int32Array;
  truncation: number;
}

/** Every array a task touches; all are views over SharedArrayBuffers. */
interface Views {
  ctrl: Int32Array;
  bins: Uint8Array;
  nFeatures: number;
  binStride: number;
  histLength: number;
  grad: Float64Array;
  hess: Float64Array;
  rows: Int32Array;
  histograms: Float64Array;
  active: Int32Array;
  scores: Float64Array;
  queries: Int32Array;
  queryBounds: Int32Array;
  lambda: SharedLambdaTables | null;
}

/**
 * Thread w's share of the task in the control block; the main thread is w = 0. Workers get this
 * function's text, with the slot and op constants above redeclared beside it.
 */
function runShare(v: Views, w: number, T: number): void {
  const c = v.ctrl;
  const op = c[OP]!;
  if (op === OP_GRADIENTS) {
    const t = v.lambda!;
    lambdaShare(
      v.queries,
      v.queryBounds[w]!,
      v.queryBounds[w + 1]!,
      t.groupOffsets,
      t.gains,
      t.discounts,
      t.inverseIdeal,
      t.order,
      v.scores,
      v.grad,
      v.hess,
      t.truncation,
    );
    return;
  }
  const nActive = c[N_ACTIVE]!;
  const a0 = Math.floor((nActive * w) / T);
  const a1 = Math.floor((nActive * (w + 1)) / T);
  const slotBase = c[SLOT]! * v.histLength;
  histogramShare(v.histograms, slotBase, v.bins, v.nFeatures, v.binStride, v.rows, c[START]!, c[END]!, v.grad, v.hess, v.active, a0, a1);
  if (op === OP_BUILD_SUBTRACT) subtractShare(v.histograms, c[PARENT]! * v.histLength, slotBase, v.binStride, v.active, a0, a1);
}

// `__name` is the helper a TypeScript loader may insert when it keeps function names.
const WORKER_SOURCE = `
var __name = (f) => f;
const { workerData } = require('node:worker_threads');
${histogramShare.toString()}
${subtractShare.toString()}
${sortByScore.toString()}
${lambdaShare.toString()}
const OP = ${OP}, SLOT = ${SLOT}, PARENT = ${PARENT}, START = ${START}, END = ${END}, N_ACTIVE = ${N_ACTIVE};
const OP_BUILD_SUBTRACT = ${OP_BUILD_SUBTRACT}, OP_GRADIENTS = ${OP_GRADIENTS};
const runShare = ${runShare.toString()};
const d = workerData;
const l = d.lambda;
const v = {
  ctrl: new Int32Array(d.ctrl), bins: new Uint8Array(d.bins), nFeatures: d.nFeatures, binStride: d.binStride,
  histLength: d.histLength, grad: new Float64Array(d.grad), hess: new Float64Array(d.hess), rows: new Int32Array(d.rows),
  histograms: new Float64Array(d.histograms), active: new Int32Array(d.active), scores: new Float64Array(d.scores),
  queries: new Int32Array(d.queries), queryBounds: new Int32Array(d.queryBounds),
  lambda: l && {
    groupOffsets: new Int32Array(l.groupOffsets), gains: new Float64Array(l.gains), discounts: new Float64Array(l.discounts),
    inverseIdeal: new Float64Array(l.inverseIdeal), order: new Int32Array(l.order), truncation: l.truncation,
  },
};
const ctrl = v.ctrl;
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, ${GEN}, gen);
  gen = Atomics.load(ctrl, ${GEN});
  if (Atomics.load(ctrl, ${STOP}) === 1) break;
  try {
    runShare(v, d.w, d.T);
  } catch (error) {
    Atomics.store(ctrl, ${FAILED}, 1);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

function sharedOf<T extends Int32Array | Float64Array | Uint8Array>(make: (buffer: SharedArrayBuffer) => T, bytes: number): T {
  return make(new SharedArrayBuffer(bytes));
}

/**
 * Only a leaf that may still split keeps a histogram, and such a leaf has at least
 * 2 · minDataInLeaf rows, so no more than the leaf limit, nor than rows / (2 · minDataInLeaf),
 * are alive at once (one more while a split hands its parent's buffer to a child).
 */
export function maxLiveHistograms(maxLeaves: number, nRows: number, minDataInLeaf: number): number {
  return Math.max(1, Math.min(maxLeaves, Math.floor(nRows / (2 * minDataInLeaf)) + 1));
}

export interface ThreadsLayout {
  bins: Uint8Array;
  nRows: number;
  nFeatures: number;
  binStride: number;
  /** Most histograms alive at once (see maxLiveHistograms). */
  maxHistograms: number;
  lambda: SharedLambdaTables | null;
}

/**
 * The shared arrays of one training run and the T − 1 workers over them (none when T = 1: the
 * same kernels then run on the caller's thread only).
 */
export class RankerThreads {
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  /** The row indices the grower partitions; a leaf's rows are a contiguous range of it. */
  readonly rows: Int32Array;
  readonly scores: Float64Array;
  /** The queries whose gradients the next gradients() call computes. */
  readonly queries: Int32Array;
  readonly histLength: number;
  /** Histograms in the pool: at most this many leaves hold one at a time. */
  readonly nHistograms: number;
  private readonly views: Views;
  private readonly workers: Worker[] = [];

  constructor(
    layout: ThreadsLayout,
    readonly T: number,
  ) {
    const { nRows, nFeatures, binStride } = layout;
    this.histLength = nFeatures * binStride * HISTOGRAM_CHANNELS;
    // One fixed buffer: views over a growable SharedArrayBuffer would follow growth without a
    // message, but V8 compiles loops over such views far slower.
    this.nHistograms = Math.max(1, layout.maxHistograms);
    const histograms = sharedOf((b) => new Float64Array(b), this.nHistograms * this.histLength * 8);
    const bins = sharedOf((b) => new Uint8Array(b), layout.bins.byteLength);
    bins.set(layout.bins);
    this.grad = sharedOf((b) => new Float64Array(b), nRows * 8);
    this.hess = sharedOf((b) => new Float64Array(b), nRows * 8);
    this.rows = sharedOf((b) => new Int32Array(b), nRows * 4);
    this.scores = sharedOf((b) => new Float64Array(b), nRows * 8);
    this.queries = sharedOf((b) => new Int32Array(b), Math.max(1, layout.lambda ? layout.lambda.groupOffsets.length - 1 : 1) * 4);
    this.views = {
      ctrl: sharedOf((b) => new Int32Array(b), SLOTS * 4),
      bins,
      nFeatures,
      binStride,
      histLength: this.histLength,
      grad: this.grad,
      hess: this.hess,
      rows: this.rows,
      histograms,
      active: sharedOf((b) => new Int32Array(b), nFeatures * 4),
      scores: this.scores,
      queries: this.queries,
      queryBounds: sharedOf((b) => new Int32Array(b), (T + 1) * 4),
      lambda: layout.lambda,
    };
    const v = this.views;
    const l = v.lambda;
    const workerData = {
      ctrl: v.ctrl.buffer,
      bins: bins.buffer,
      nFeatures,
      binStride,
      histLength: this.histLength,
      grad: this.grad.buffer,
      hess: this.hess.buffer,
      rows: this.rows.buffer,
      histograms: histograms.buffer,
      active: v.active.buffer,
      scores: this.scores.buffer,
      queries: this.queries.buffer,
      queryBounds: v.queryBounds.buffer,
      lambda: l && {
        groupOffsets: l.groupOffsets.buffer,
        gains: l.gains.buffer,
        discounts: l.discounts.buffer,
        inverseIdeal: l.inverseIdeal.buffer,
        order: l.order.buffer,
        truncation: l.truncation,
      },
      T,
    };
    try {
      for (let w = 1; w < T; w++) {
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...workerData, w } });
        worker.unref();
        this.workers.push(worker);
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Histogram `slot` of the pool. */
  histogram(slot: number): Float64Array {
    if (slot >= this.nHistograms) throw new RangeError(`ranker threads: histogram ${slot} of a pool of ${this.nHistograms}`);
    const from = slot * this.histLength;
    return this.views.histograms.subarray(from, from + this.histLength);
  }

  /** The features the next histograms cover (ascending). */
  setActive(active: Int32Array): void {
    this.views.active.set(active);
    this.views.ctrl[N_ACTIVE] = active.length;
  }

  /** Builds histogram `slot` from rows[start..end); with parent ≥ 0, also turns histogram `parent` into the sibling's. */
  buildHistogram(slot: number, start: number, end: number, parent = -1): void {
    if (Math.max(slot, parent) >= this.nHistograms)
      throw new RangeError(`ranker threads: histogram ${slot} of a pool of ${this.nHistograms}`);
    const { ctrl } = this.views;
    ctrl[OP] = parent >= 0 ? OP_BUILD_SUBTRACT : OP_BUILD;
    ctrl[SLOT] = slot;
    ctrl[PARENT] = parent;
    ctrl[START] = start;
    ctrl[END] = end;
    if (this.T === 1 || (end - start) * ctrl[N_ACTIVE]! < MIN_PARALLEL_UPDATES) runShare(this.views, 0, 1);
    else this.runAll();
  }

  /** LambdaMART gradients for queries[0..nQueries) from `scores`, into grad and hess, the queries shared by row count. */
  gradients(nQueries: number): void {
    const { ctrl, queryBounds, lambda } = this.views;
    if (!lambda) throw new Error('ranker threads: gradients() needs the LambdaMART tables');
    const offsets = lambda.groupOffsets;
    let total = 0;
    for (let i = 0; i < nQueries; i++) total += offsets[this.queries[i]! + 1]! - offsets[this.queries[i]!]!;
    queryBounds[0] = 0;
    let w = 1;
    let seen = 0;
    for (let i = 0; i < nQueries && w < this.T; i++) {
      seen += offsets[this.queries[i]! + 1]! - offsets[this.queries[i]!]!;
      while (w < this.T && seen * this.T >= total * w) queryBounds[w++] = i + 1;
    }
    while (w <= this.T) queryBounds[w++] = nQueries;
    ctrl[OP] = OP_GRADIENTS;
    if (this.T === 1) runShare(this.views, 0, 1);
    else this.runAll();
  }

  private runAll(): void {
    const { ctrl } = this.views;
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    let mine: unknown = null;
    try {
      runShare(this.views, 0, this.T);
    } catch (error) {
      mine = error;
    }
    const others = this.T - 1;
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= others) break;
      if (Atomics.wait(ctrl, DONE, done, STALL_MS) === 'timed-out' && Atomics.load(ctrl, DONE) === done) {
        throw new Error(`ranker: a worker thread gave no answer for ${STALL_MS / 1000} s`);
      }
    }
    if (mine !== null) throw mine;
    if (Atomics.load(ctrl, FAILED) !== 0) throw new Error('ranker: a worker thread failed in its share of a histogram or of the gradients');
  }

  close(): void {
    const { ctrl } = this.views;
    Atomics.store(ctrl, STOP, 1);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    for (const worker of this.workers) void worker.terminate();
  }
}
