/**
 * Exact inverse of a symmetric positive-definite matrix by the blocked sweep operator (symmetric
 * Gauss–Jordan), with the rank-b update in a WebAssembly SIMD kernel (wasm/spd-update.wat) shared
 * by worker threads.
 *
 * Sweeping pivot block K (b indices) of the matrix M, with R every other index:
 *   D = M_KK⁻¹,  M_RR −= M_RK·D·M_KR,  M_RK = M_RK·D (and M_KR = D·M_KR),  M_KK = −D.
 * The rule is the same for rows already swept, and sweeping every index leaves −A⁻¹. Because it
 * keeps the matrix symmetric, only the upper triangle is updated: n³ flops in all, half of
 * textbook Gauss–Jordan and the same as Cholesky followed by its inverse and product, but with
 * almost all of it in one kernel shape. D is the Schur complement's pivot block, positive
 * definite exactly when A is, so a small sweep of it (scalar, O(n·b²) in all) is also the check.
 *
 * The matrix lives in WebAssembly memory, padded to a multiple of 4 rows and columns with the
 * identity (its inverse is the identity, so the padding never mixes with A).
 */
import { AnirecError } from '../errors/errors.js';
import { WASM_BASE64 } from './wasm/spd-update.wasm.js';
import type { GemmSub } from './dense-inverse-share.js';
import { resolveThreads, UpdatePool } from './dense-inverse-pool.js';

const PAGE = 65536;
const MAX_PAGES = 65536;
/** Pivots per step: large enough that a step reads and writes M once per b·n² flops. */
export const DEFAULT_BLOCK = 64;
/** Columns per cache chunk of the update (b × chunk doubles of P stay in L2). */
const CHUNK = 512;
/** Below this size worker start-up costs more than the second core saves. */
const MIN_PARALLEL_N = 768;

let kernelModule: WebAssembly.Module | undefined;
function spdModule(): WebAssembly.Module {
  kernelModule ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  return kernelModule;
}

export interface InvertOptions {
  onProgress?: (done: number) => void;
  /** Pivots per step (rounded up to a multiple of 4). */
  block?: number;
  /** Threads for the update; default every core. */
  threads?: number;
}

/** Bytes the inverse of an n×n matrix needs in WebAssembly memory with pivot blocks of `block`. */
export function spdWorkspaceBytes(n: number, block = DEFAULT_BLOCK): number {
  const N = Math.ceil(n / 4) * 4;
  const b = Math.ceil(Math.min(block, N) / 4) * 4;
  return N * N * 8 + 2 * b * N * 8 + b * b * 8;
}

const GIB = 1024 ** 3;

/** The project's type declarations give WebAssembly.Memory no descriptor, so name the real one. */
const SharedMemory = WebAssembly.Memory as unknown as new (descriptor: {
  initial: number;
  maximum: number;
  shared: boolean;
}) => WebAssembly.Memory;

/**
 * An n×n SPD matrix in kernel memory: fill the upper triangle of `matrix` (row stride `stride`;
 * the lower triangle is ignored), call invert(), then `matrix` holds the full inverse.
 */
export class SpdWorkspace {
  readonly stride: number;
  readonly matrix: Float64Array;
  private readonly memory: WebAssembly.Memory;
  private readonly block: number;
  private readonly offsets: { p: number; q: number; s: number };

  constructor(
    readonly n: number,
    block = DEFAULT_BLOCK,
  ) {
    if (!(n >= 0 && Number.isInteger(n))) throw new Error(`dense inverse: size must be a whole number, not ${n}`);
    const N = (this.stride = Math.ceil(n / 4) * 4);
    this.block = Math.ceil(Math.max(1, Math.min(block, N)) / 4) * 4;
    const bytes = spdWorkspaceBytes(n, block);
    const pages = Math.ceil(bytes / PAGE);
    if (pages > MAX_PAGES) {
      throw new AnirecError(
        'invalid_config',
        `dense inverse: a ${n}×${n} matrix needs ${bytes} bytes (${(bytes / GIB).toFixed(2)} GiB) of WebAssembly memory, more than its 4 GiB limit; use fewer titles (e.g. EASE maxItems)`,
      );
    }
    try {
      this.memory = new SharedMemory({ initial: pages, maximum: pages, shared: true });
    } catch (error) {
      throw new AnirecError(
        'invalid_config',
        `dense inverse: could not allocate ${bytes} bytes (${(bytes / GIB).toFixed(2)} GiB) for a ${n}×${n} matrix: ${(error as Error).message}`,
      );
    }
    this.matrix = new Float64Array(this.memory.buffer, 0, N * N);
    const p = N * N * 8;
    const q = p + this.block * N * 8;
    this.offsets = { p, q, s: q + this.block * N * 8 };
    for (let i = n; i < N; i++) this.matrix[i * N + i] = 1;
  }

  invert(options: InvertOptions = {}): void {
    const { n, stride: N, block, memory, matrix: M } = this;
    const { p: pOff, q: qOff, s: sOff } = this.offsets;
    const module = spdModule();
    const gemmSub = (new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as { gemmSub: GemmSub }).gemmSub;
    const P = new Float64Array(memory.buffer, pOff, block * N);
    const Q = new Float64Array(memory.buffer, qOff, block * N);
    const S = new Float64Array(memory.buffer, sOff, block * block);
    const T = N < MIN_PARALLEL_N ? 1 : Math.min(resolveThreads(options.threads), Math.ceil(N / block));
    const layout = { N, mOff: 0, pOff, qOff, chunk: CHUNK };
    const pool = new UpdatePool(module, memory, gemmSub, T, layout);
    const ld = N * 8;
    try {
      for (let k0 = 0; k0 < N; k0 += block) {
        const kb = Math.min(block, N - k0);
        const k1 = k0 + kb;
        gatherPanel(M, P, N, k0, kb);
        sweepPivotBlock(P, S, N, k0, kb);
        // Q = D·P = −S·P: the kernel subtracts, S is symmetric, Q starts at zero.
        Q.fill(0, 0, kb * N);
        for (let jc = 0; jc < N; jc += CHUNK) {
          const cols = Math.min(CHUNK, N - jc);
          gemmSub(kb / 4, 32, 4 * ld, cols, kb, sOff, kb * 8, pOff + jc * 8, ld, qOff + jc * 8, ld);
        }
        pool.step(k0, k1, kb);
        writeBack(M, Q, S, N, k0, kb);
        options.onProgress?.(Math.min(k1, n));
      }
    } finally {
      pool.close();
    }
    negateAndMirror(M, N);
  }
}

/** P[t, j] = M[k0 + t, j] for every j, read from the upper triangle. */
function gatherPanel(M: Float64Array, P: Float64Array, N: number, k0: number, kb: number): void {
  // Columns left of the block: row j's entries k0…k1 scatter down column j of P.
  for (let j = 0; j < k0; j++) {
    const row = j * N + k0;
    for (let t = 0; t < kb; t++) P[t * N + j] = M[row + t]!;
  }
  for (let t = 0; t < kb; t++) {
    const k = k0 + t;
    for (let s = 0; s < t; s++) P[t * N + k0 + s] = M[(k0 + s) * N + k]!;
    P.set(M.subarray(k * N + k, (k + 1) * N), t * N + k);
  }
}

/** S = −(M_KK)⁻¹ by the scalar sweep, which also checks positive definiteness pivot by pivot. */
function sweepPivotBlock(P: Float64Array, S: Float64Array, N: number, k0: number, kb: number): void {
  for (let t = 0; t < kb; t++) for (let s = 0; s < kb; s++) S[t * kb + s] = P[t * N + k0 + s]!;
  for (let k = 0; k < kb; k++) {
    const pivot = S[k * kb + k]!;
    if (!(pivot > 0))
      throw new AnirecError('invalid_config', `matrix is not positive definite (pivot ${pivot} at ${k0 + k}); increase the regularisation`);
    const inv = 1 / pivot;
    for (let i = 0; i < kb; i++) {
      if (i === k) continue;
      const f = S[i * kb + k]! * inv;
      if (f === 0) continue;
      for (let j = 0; j < kb; j++) if (j !== k) S[i * kb + j]! -= f * S[k * kb + j]!;
    }
    for (let i = 0; i < kb; i++) {
      if (i === k) continue;
      S[i * kb + k]! *= inv;
      S[k * kb + i]! *= inv;
    }
    S[k * kb + k] = -inv;
  }
}

/** M_RK = (D·M_KR)ᵀ = Qᵀ and M_KR = Q outside the block (upper triangle), M_KK = −D = S. */
function writeBack(M: Float64Array, Q: Float64Array, S: Float64Array, N: number, k0: number, kb: number): void {
  const k1 = k0 + kb;
  for (let i = 0; i < k0; i++) {
    const row = i * N + k0;
    for (let t = 0; t < kb; t++) M[row + t] = Q[t * N + i]!;
  }
  for (let t = 0; t < kb; t++) {
    const row = (k0 + t) * N;
    M.set(Q.subarray(t * N + k1, (t + 1) * N), row + k1);
    for (let s = t; s < kb; s++) M[row + k0 + s] = S[t * kb + s]!;
  }
}

/** The sweep leaves −A⁻¹ in the upper triangle: negate it and copy it below, in cache tiles. */
function negateAndMirror(M: Float64Array, N: number): void {
  const TILE = 32;
  for (let i0 = 0; i0 < N; i0 += TILE) {
    for (let j0 = i0; j0 < N; j0 += TILE) {
      const i1 = Math.min(i0 + TILE, N);
      const j1 = Math.min(j0 + TILE, N);
      for (let i = i0; i < i1; i++) {
        for (let j = Math.max(i, j0); j < j1; j++) {
          const v = -M[i * N + j]!;
          M[i * N + j] = v;
          M[j * N + i] = v;
        }
      }
    }
  }
}

/**
 * In-place inverse of a symmetric positive-definite n×n matrix (row-major Float64Array; only its
 * upper triangle is read). Copies through an SpdWorkspace; callers that build large matrices
 * should fill a workspace directly and save the copy.
 */
export function invertSpdInPlace(
  a: Float64Array,
  n: number,
  onProgress?: (done: number) => void,
  block = DEFAULT_BLOCK,
  threads?: number,
): Float64Array {
  const workspace = new SpdWorkspace(n, block);
  const N = workspace.stride;
  const M = workspace.matrix;
  for (let i = 0; i < n; i++) M.set(a.subarray(i * n + i, (i + 1) * n), i * N + i);
  workspace.invert({ onProgress, threads });
  for (let i = 0; i < n; i++) a.set(M.subarray(i * N, i * N + n), i * n);
  return a;
}
