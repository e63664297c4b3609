/**
 * EASE's Gram matrix XᵀX (upper triangle) from sparse user rows, on worker threads that write
 * straight into the inverse's shared WebAssembly memory.
 *
 * Thread w of T owns the Gram rows d ≡ w (mod T): every thread walks every user's list but only
 * adds the pairs whose first title is in its rows, so no two threads write the same entry and no
 * locks are needed. Each entry still receives its terms in user order, so the matrix is
 * bit-for-bit the one a single thread builds. The main thread blocks in Atomics.wait (EASE
 * training is synchronous), as the inverse does.
 */
import { Worker } from 'node:worker_threads';

/** Users' selected titles as dense Gram indices (ascending within a user) with their weights. */
export interface GramRows {
  indptr: Int32Array;
  items: Int32Array;
  weights: Float64Array;
}

/** Below this many pair updates a worker's start-up costs more than it saves. */
const MIN_PARALLEL_PAIRS = 20_000_000;

/** Plain JS so the worker runs without a TypeScript loader (and the main thread runs the same text). */
const KERNEL = `
function gramShare(indptr, items, weights, gram, N, w, T) {
  const nUsers = indptr.length - 1;
  for (let u = 0; u < nUsers; u++) {
    const end = indptr[u + 1];
    for (let x = indptr[u]; x < end; x++) {
      const d = items[x];
      if (d % T !== w) continue;
      const base = d * N;
      const wx = weights[x];
      for (let y = x; y < end; y++) gram[base + items[y]] += wx * weights[y];
    }
  }
}
`;

const WORKER_SOURCE = `${KERNEL}
const { workerData } = require('node:worker_threads');
const { indptr, items, weights, gramBuffer, N, w, T, ctrlBuffer } = workerData;
const ctrl = new Int32Array(ctrlBuffer);
try {
  gramShare(new Int32Array(indptr), new Int32Array(items), new Float64Array(weights), new Float64Array(gramBuffer, 0, N * N), N, w, T);
} catch (error) {
  Atomics.store(ctrl, 1, 1);
}
Atomics.add(ctrl, 0, 1);
Atomics.notify(ctrl, 0);
`;

// The main thread compiles the same source the workers run, so both build identical rows.
const gramShareLocal = new Function(`${KERNEL}; return gramShare;`)() as (
  indptr: Int32Array,
  items: Int32Array,
  weights: Float64Array,
  gram: Float64Array,
  N: number,
  w: number,
  T: number,
) => void;

/** Pair updates the rows need: Σ m(m+1)/2 over users. */
export function gramPairs(rows: GramRows): number {
  let pairs = 0;
  for (let u = 0; u + 1 < rows.indptr.length; u++) {
    const m = rows.indptr[u + 1]! - rows.indptr[u]!;
    pairs += (m * (m + 1)) / 2;
  }
  return pairs;
}

/** Copies an array into shared memory so workers can read it. */
function shared<T extends Int32Array | Float64Array>(array: T, Make: new (buffer: SharedArrayBuffer) => T): T {
  const copy = new Make(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/**
 * Adds XᵀX of `rows` into the upper triangle of `gram` (row stride N, a view at offset 0 of a
 * SharedArrayBuffer, as SpdWorkspace.matrix is), on `threads` threads.
 */
export function accumulateGram(
  rows: GramRows,
  gram: Float64Array,
  N: number,
  threads: number,
  minParallelPairs = MIN_PARALLEL_PAIRS,
): void {
  const T = gramPairs(rows) < minParallelPairs ? 1 : Math.max(1, threads);
  if (T === 1 || !(gram.buffer instanceof SharedArrayBuffer) || gram.byteOffset !== 0) {
    gramShareLocal(rows.indptr, rows.items, rows.weights, gram, N, 0, 1);
    return;
  }
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const data = {
    indptr: shared(rows.indptr, Int32Array).buffer,
    items: shared(rows.items, Int32Array).buffer,
    weights: shared(rows.weights, Float64Array).buffer,
  };
  const workers: Worker[] = [];
  for (let w = 1; w < T; w++) {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ...data, gramBuffer: gram.buffer, N, w, T, ctrlBuffer: ctrl.buffer },
    });
    worker.unref();
    workers.push(worker);
  }
  try {
    gramShareLocal(rows.indptr, rows.items, rows.weights, gram, N, 0, T);
    for (;;) {
      const done = Atomics.load(ctrl, 0);
      if (done >= T - 1) break;
      if (Atomics.wait(ctrl, 0, done, 10 * 60_000) === 'timed-out' && Atomics.load(ctrl, 0) === done) {
        throw new Error('EASE Gram: a worker thread gave no answer for 600 s');
      }
    }
    if (Atomics.load(ctrl, 1) !== 0) throw new Error('EASE Gram: a worker thread failed');
  } finally {
    for (const worker of workers) void worker.terminate();
  }
}
