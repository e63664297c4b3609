/**
 * Worker threads for the booster: the histogram of a leaf is split by feature (each thread owns
 * a contiguous share of the active features and walks every row of the leaf), the LambdaMART
 * gradients by query (taken from a shared counter), the binning's boundaries by feature and its
 * bins by row. All write into shared memory, so nothing is copied or merged, and each value is
 * computed exactly as on one thread (kernels.ts): the model does not depend on the thread count.
 *
 * A round asks for a few dozen histograms, too many for a message round trip each, and training
 * is synchronous, so the main thread publishes a task in a shared control block, does its own
 * share, and blocks in Atomics.wait until every worker has counted itself done (as the EASE
 * inverse's pool does, dense-inverse-pool.ts).
 */
import { Worker } from 'node:worker_threads';
import {
  binnedFrom,
  boundaryBetween,
  binOf,
  binRowsShare,
  boundsShare,
  checkMaxBins,
  computeBinUpperBounds,
  MISSING_BIN,
  sortFloat32,
  type BinnedFeatures,
} from './binning.js';
import { HISTOGRAM_CHANNELS, histogramShare, lambdaShare, partitionShare, sortByScore, subtractShare } from './kernels.js';

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
const BIN_STRIDE = 10;
const MAX_BINS = 11;
const N_SAMPLE = 12;
const N_QUERIES = 13;
const NEXT_QUERY = 14; // the next query a thread takes
const FEATURE = 15;
const BIN = 16;
const DEFAULT_LEFT = 17;
const SLOTS = 20;

/** Queries a thread takes at a time. */
const QUERY_CHUNK = 8;

const OP_BUILD = 1;
const OP_BUILD_SUBTRACT = 2;
const OP_GRADIENTS = 3;
const OP_BOUNDS = 4;
const OP_BIN = 5;
const OP_PARTITION = 6;

/** Below this many rows a leaf is partitioned on the main thread alone. */
const MIN_PARALLEL_PARTITION = 16_384;

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

/**
 * Every array a task touches, all views over SharedArrayBuffers: handed to each worker as they
 * are (a cloned view of shared memory is the same memory), so both sides see one structure.
 */
interface Views {
  ctrl: Int32Array;
  nRows: number;
  nFeatures: number;
  /** The raw matrix and the binning's sample and bounds (empty on one thread: binning reads the caller's arrays). */
  features: Float32Array;
  sample: Int32Array;
  bounds: Float32Array;
  valueBins: Int32Array;
  bins: Uint8Array;
  grad: Float64Array;
  hess: Float64Array;
  rows: Int32Array;
  /** Room for partitions, and per thread the rows its share sent left. */
  scratch: Int32Array;
  leftCounts: Int32Array;
  histograms: Float64Array;
  active: Int32Array;
  scores: Float64Array;
  queries: Int32Array;
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
    // Queries are taken a few at a time from a shared counter: their cost depends on how many
    // relevant rows they have, so equal shares of rows would leave one thread waiting.
    const t = v.lambda!;
    const nQueries = c[N_QUERIES]!;
    for (let q0 = Atomics.add(c, NEXT_QUERY, QUERY_CHUNK); q0 < nQueries; q0 = Atomics.add(c, NEXT_QUERY, QUERY_CHUNK)) {
      const q1 = Math.min(nQueries, q0 + QUERY_CHUNK);
      lambdaShare(v.queries, q0, q1, t.groupOffsets, t.gains, t.discounts, t.inverseIdeal, t.order, v.scores, v.grad, v.hess, t.truncation);
    }
    return;
  }
  if (op === OP_BOUNDS) {
    boundsShare(v.features, v.nFeatures, v.sample.subarray(0, c[N_SAMPLE]!), c[MAX_BINS]!, v.bounds, v.valueBins, w, T);
    return;
  }
  if (op === OP_PARTITION) {
    const start = c[START]!;
    const length = c[END]! - start;
    const c0 = start + Math.floor((length * w) / T);
    const c1 = start + Math.floor((length * (w + 1)) / T);
    v.leftCounts[w] = partitionShare(v.rows, v.scratch, v.bins, v.nFeatures, c[FEATURE]!, c[BIN]!, c[DEFAULT_LEFT]! === 1, c0, c1);
    return;
  }
  if (op === OP_BIN) {
    const r0 = Math.floor((v.nRows * w) / T);
    const r1 = Math.floor((v.nRows * (w + 1)) / T);
    binRowsShare(v.features, v.nFeatures, v.bounds, c[MAX_BINS]!, v.valueBins, v.bins, r0, r1);
    return;
  }
  const nActive = c[N_ACTIVE]!;
  const a0 = Math.floor((nActive * w) / T);
  const a1 = Math.floor((nActive * (w + 1)) / T);
  const binStride = c[BIN_STRIDE]!;
  const histLength = v.nFeatures * binStride * 3;
  const slotBase = c[SLOT]! * histLength;
  histogramShare(v.histograms, slotBase, v.bins, v.nFeatures, binStride, v.rows, c[START]!, c[END]!, v.grad, v.hess, v.active, a0, a1);
  if (op === OP_BUILD_SUBTRACT) subtractShare(v.histograms, c[PARENT]! * histLength, slotBase, binStride, v.active, a0, a1);
}

// `__name` is the helper a TypeScript loader may insert when it keeps function names.
const WORKER_SOURCE = `
var __name = (f) => f;
const { workerData } = require('node:worker_threads');
const MISSING_BIN = ${MISSING_BIN}, SIGN = 0x80000000;
${[histogramShare, subtractShare, sortByScore, lambdaShare, partitionShare, boundaryBetween, computeBinUpperBounds, sortFloat32, binOf, boundsShare, binRowsShare].join('\n')}
const OP = ${OP}, SLOT = ${SLOT}, PARENT = ${PARENT}, START = ${START}, END = ${END}, N_ACTIVE = ${N_ACTIVE};
const BIN_STRIDE = ${BIN_STRIDE}, MAX_BINS = ${MAX_BINS}, N_SAMPLE = ${N_SAMPLE}, N_QUERIES = ${N_QUERIES}, NEXT_QUERY = ${NEXT_QUERY};
const QUERY_CHUNK = ${QUERY_CHUNK}, FEATURE = ${FEATURE}, BIN = ${BIN}, DEFAULT_LEFT = ${DEFAULT_LEFT}, OP_PARTITION = ${OP_PARTITION};
const OP_BUILD_SUBTRACT = ${OP_BUILD_SUBTRACT}, OP_GRADIENTS = ${OP_GRADIENTS}, OP_BOUNDS = ${OP_BOUNDS}, OP_BIN = ${OP_BIN};
const runShare = ${runShare.toString()};
const { views: v, w, T } = workerData;
const ctrl = v.ctrl;
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, ${GEN}, gen);
  gen = Atomics.load(ctrl, ${GEN});
  if (Atomics.load(ctrl, ${STOP}) === 1) break;
  try {
    runShare(v, w, T);
  } catch (error) {
    Atomics.store(ctrl, ${FAILED}, 1);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

function shared<T extends Int32Array | Float64Array | Float32Array | Uint8Array>(
  make: new (buffer: SharedArrayBuffer) => T,
  length: number,
  bytesPerElement: number,
): T {
  return new make(new SharedArrayBuffer(length * bytesPerElement));
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
  nRows: number;
  nFeatures: number;
  /** Value bins per feature at most (histograms are sized for it before the binning). */
  maxBins: number;
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
  /** Histograms in the pool: at most this many leaves hold one at a time. */
  readonly nHistograms: number;
  /** Values per histogram, known once binFeatures() has run. */
  histLength = 0;
  private readonly views: Views;
  private readonly workers: Worker[] = [];

  constructor(
    layout: ThreadsLayout,
    readonly T: number,
  ) {
    const { nRows, nFeatures, maxBins } = layout;
    checkMaxBins(maxBins);
    // One fixed buffer: views over a growable SharedArrayBuffer would follow growth without a
    // message, but V8 compiles loops over such views far slower.
    this.nHistograms = Math.max(1, layout.maxHistograms);
    const capacity = this.nHistograms * nFeatures * (maxBins + 1) * HISTOGRAM_CHANNELS;
    const parallel = T > 1;
    this.views = {
      ctrl: shared(Int32Array, SLOTS, 4),
      nRows,
      nFeatures,
      features: shared(Float32Array, parallel ? nRows * nFeatures : 0, 4),
      sample: shared(Int32Array, parallel ? nRows : 0, 4),
      bounds: shared(Float32Array, nFeatures * maxBins, 4),
      valueBins: shared(Int32Array, nFeatures, 4),
      bins: shared(Uint8Array, nRows * nFeatures, 1),
      grad: (this.grad = shared(Float64Array, nRows, 8)),
      hess: (this.hess = shared(Float64Array, nRows, 8)),
      rows: (this.rows = shared(Int32Array, nRows, 4)),
      scratch: shared(Int32Array, nRows, 4),
      leftCounts: shared(Int32Array, T, 4),
      histograms: shared(Float64Array, capacity, 8),
      active: shared(Int32Array, nFeatures, 4),
      scores: (this.scores = shared(Float64Array, nRows, 8)),
      queries: (this.queries = shared(Int32Array, Math.max(1, layout.lambda ? layout.lambda.groupOffsets.length - 1 : 1), 4)),
      lambda: layout.lambda,
    };
    this.views.ctrl[MAX_BINS] = maxBins;
    try {
      for (let w = 1; w < T; w++) {
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { views: this.views, w, T } });
        worker.unref();
        this.workers.push(worker);
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * Bins the row-major matrix into the shared bins, boundaries from the sample's rows: the same
   * bins as binning.ts's binFeatures on one thread, each feature's bounds and each row's bins
   * computed by one thread.
   */
  binFeatures(features: Float32Array, sample: Int32Array): BinnedFeatures {
    const v = this.views;
    const { ctrl, nRows, nFeatures, bounds, valueBins, bins } = v;
    const maxBins = ctrl[MAX_BINS]!;
    if (this.T === 1) {
      boundsShare(features, nFeatures, sample, maxBins, bounds, valueBins, 0, 1);
      binRowsShare(features, nFeatures, bounds, maxBins, valueBins, bins, 0, nRows);
    } else {
      v.features.set(features);
      v.sample.set(sample);
      ctrl[N_SAMPLE] = sample.length;
      ctrl[OP] = OP_BOUNDS;
      this.runAll();
      ctrl[OP] = OP_BIN;
      this.runAll();
    }
    const binned = binnedFrom(bins, nRows, nFeatures, bounds, maxBins, valueBins);
    ctrl[BIN_STRIDE] = binned.binStride;
    this.histLength = nFeatures * binned.binStride * HISTOGRAM_CHANNELS;
    return binned;
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

  /**
   * Stable partition of the leaf rows[start..end) on a split (partitionShare). Shared out, each
   * thread partitions a contiguous chunk; the chunks' left parts are then moved together before
   * their right parts, which is the order one pass over the whole leaf gives. Returns the first
   * index of the right side.
   */
  partition(start: number, end: number, feature: number, bin: number, defaultLeft: boolean): number {
    const { ctrl, rows, scratch, bins, nFeatures, leftCounts } = this.views;
    if (this.T === 1 || end - start < MIN_PARALLEL_PARTITION) {
      return start + partitionShare(rows, scratch, bins, nFeatures, feature, bin, defaultLeft, start, end);
    }
    ctrl[OP] = OP_PARTITION;
    ctrl[START] = start;
    ctrl[END] = end;
    ctrl[FEATURE] = feature;
    ctrl[BIN] = bin;
    ctrl[DEFAULT_LEFT] = defaultLeft ? 1 : 0;
    this.runAll();
    const length = end - start;
    const chunkStart = (w: number): number => start + Math.floor((length * w) / this.T);
    let nRight = 0;
    for (let w = 0; w < this.T; w++) {
      const right = rows.subarray(chunkStart(w) + leftCounts[w]!, chunkStart(w + 1));
      scratch.set(right, start + nRight);
      nRight += right.length;
    }
    let at = start + leftCounts[0]!;
    for (let w = 1; w < this.T; w++) {
      rows.copyWithin(at, chunkStart(w), chunkStart(w) + leftCounts[w]!);
      at += leftCounts[w]!;
    }
    rows.set(scratch.subarray(start, start + nRight), at);
    return at;
  }

  /** LambdaMART gradients for queries[0..nQueries) from `scores`, into grad and hess. */
  gradients(nQueries: number): void {
    const { ctrl, lambda } = this.views;
    if (!lambda) throw new Error('ranker threads: gradients() needs the LambdaMART tables');
    ctrl[N_QUERIES] = nQueries;
    Atomics.store(ctrl, NEXT_QUERY, 0);
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
