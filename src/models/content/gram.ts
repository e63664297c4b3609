import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Cosine matrix of n unit vectors (n × n, row-major), the one O(n²·d) step of content training:
 * 3,882 USE vectors × 512 dims is ~3.9 G multiply-adds. Vectors are quantised to int8 (× 127;
 * cosine error ~1e-3) because integer dot products run ~1.7× faster than float ones in V8, and
 * row stripes are spread over worker threads sharing the input and output buffers.
 */

const SCALE = 127;

/** Plain JS so the worker runs without a TypeScript loader. Rows a ≡ w (mod W), columns b ≥ a. */
const KERNEL = `
function gramRows(q, g, n, dims, w, W, inv) {
  for (let a = w; a < n; a += W) {
    const oa = a * dims;
    let b = a;
    for (; b + 3 < n; b += 4) {
      const o0 = b * dims, o1 = o0 + dims, o2 = o1 + dims, o3 = o2 + dims;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < dims; k++) {
        const x = q[oa + k];
        s0 = (s0 + x * q[o0 + k]) | 0;
        s1 = (s1 + x * q[o1 + k]) | 0;
        s2 = (s2 + x * q[o2 + k]) | 0;
        s3 = (s3 + x * q[o3 + k]) | 0;
      }
      const v0 = s0 * inv, v1 = s1 * inv, v2 = s2 * inv, v3 = s3 * inv;
      g[a * n + b] = v0; g[b * n + a] = v0;
      g[a * n + b + 1] = v1; g[(b + 1) * n + a] = v1;
      g[a * n + b + 2] = v2; g[(b + 2) * n + a] = v2;
      g[a * n + b + 3] = v3; g[(b + 3) * n + a] = v3;
    }
    for (; b < n; b++) {
      const ob = b * dims;
      let s = 0;
      for (let k = 0; k < dims; k++) s = (s + q[oa + k] * q[ob + k]) | 0;
      const v = s * inv;
      g[a * n + b] = v; g[b * n + a] = v;
    }
  }
}
`;

const WORKER_SOURCE = `${KERNEL}
const { parentPort, workerData } = require('node:worker_threads');
const { qBuf, gBuf, n, dims, w, W, inv } = workerData;
gramRows(new Int8Array(qBuf), new Float32Array(gBuf), n, dims, w, W, inv);
parentPort.postMessage('done');
`;

// The main thread compiles the same source the workers run, so both compute identical rows.
const gramRowsLocal = new Function(`${KERNEL}; return gramRows;`)() as (
  q: Int8Array,
  g: Float32Array,
  n: number,
  dims: number,
  w: number,
  W: number,
  inv: number,
) => void;

function quantise(u: Float32Array, shared: boolean): Int8Array {
  const q = new Int8Array(shared ? new SharedArrayBuffer(u.length) : new ArrayBuffer(u.length));
  for (let i = 0; i < u.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(u[i]! * SCALE)));
  return q;
}

/** Single-threaded version (small inputs, or when workers are unavailable). */
export function cosineGramSync(u: Float32Array, n: number, dims: number): Float32Array {
  const g = new Float32Array(n * n);
  gramRowsLocal(quantise(u, false), g, n, dims, 0, 1, 1 / (SCALE * SCALE));
  return g;
}

export async function cosineGram(u: Float32Array, n: number, dims: number, threads = availableParallelism()): Promise<Float32Array> {
  const W = Math.max(1, Math.min(threads, 8));
  if (W === 1 || n < 512) return cosineGramSync(u, n, dims);
  const q = quantise(u, true);
  const gBuf = new SharedArrayBuffer(n * n * 4);
  const inv = 1 / (SCALE * SCALE);
  try {
    await Promise.all(
      Array.from(
        { length: W },
        (_, w) =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { qBuf: q.buffer, gBuf, n, dims, w, W, inv } });
            worker.once('message', () => resolve());
            worker.once('error', reject);
            worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gram worker exited with code ${code}`))));
          }),
      ),
    );
  } catch {
    return cosineGramSync(u, n, dims);
  }
  // Copy out of the shared buffer so callers get an ordinary Float32Array.
  return new Float32Array(new Float32Array(gBuf));
}
