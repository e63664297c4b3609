/**
 * The float32 matrix product of the neural layers in WebAssembly SIMD (src/models/wasm/gemm.wat),
 * for the two-tower and NeuMF trainers' dense layers and the softmax over a step's candidates,
 * and the user tower's weighted bag pooling.
 * One module-wide instance with its own (non-shared) memory: callers copy their operands into a
 * scratch area of it, run one or more products there and copy the results out. The copies cost
 * O(size) against the product's O(m·n·k), which is what makes the kernel pay at batch sizes.
 *
 * null where WebAssembly SIMD cannot run, and when env.wasm is false (the scalar loops in dense.ts
 * and softmax-loss.ts are then the reference).
 */
import { env } from '../../env/env.js';
import { WASM_BASE64 } from '../wasm/gemm.wasm.js';

const PAGE = 65536;

interface GemmExports {
  memory: WebAssembly.Memory;
  gemm(m: number, n: number, k: number, a: number, sai: number, sap: number, b: number, ldb: number, c: number, ldc: number): void;
  bag(count: number, dim: number, ptr: number, items: number, weights: number, table: number, out: number, scatter: number): void;
}

export class SimdGemm {
  private view: Float32Array;
  private ints: Int32Array;

  constructor(private readonly kernel: GemmExports) {
    this.view = new Float32Array(kernel.memory.buffer);
    this.ints = new Int32Array(kernel.memory.buffer);
  }

  /**
   * The scratch memory as floats, at least `floats` long. Growing detaches earlier views, so
   * callers take this once per operation, before filling it.
   */
  scratch(floats: number): Float32Array {
    const bytes = floats * 4;
    const have = this.kernel.memory.buffer.byteLength;
    if (bytes > have) this.kernel.memory.grow(Math.ceil((bytes - have) / PAGE));
    if (this.view.buffer !== this.kernel.memory.buffer) {
      this.view = new Float32Array(this.kernel.memory.buffer);
      this.ints = new Int32Array(this.kernel.memory.buffer);
    }
    return this.view;
  }

  /** The same scratch memory as int32 (for bag pointers and item indices); valid until the next `scratch`. */
  scratchInts(): Int32Array {
    return this.ints;
  }

  /**
   * C[i][j] += Σ_p A(i,p)·B[p][j] over the scratch memory; every offset and stride counts floats.
   * A(i,p) is at a + i·sai + p·sap (sai = k, sap = 1 for a row-major A; sai = 1, sap = m's
   * leading dimension for a transposed one); B and C are row-major with leading dimensions ldb, ldc.
   */
  gemm(m: number, n: number, k: number, a: number, sai: number, sap: number, b: number, ldb: number, c: number, ldc: number): void {
    if (m === 0 || n === 0 || k === 0) return;
    this.kernel.gemm(m, n, k, a * 4, sai, sap, b * 4, ldb, c * 4, ldc);
  }

  /**
   * Weighted bag pooling over the scratch memory (offsets in floats or ints): for each bag b and
   * entry e of it, out[b] += weights[e]·table[items[e]], or with `scatter` table[items[e]] +=
   * weights[e]·out[b]. Rows are `dim` floats; entries with weight 0 are skipped.
   */
  bag(count: number, dim: number, ptr: number, items: number, weights: number, table: number, out: number, scatter: boolean): void {
    if (count === 0) return;
    this.kernel.bag(count, dim, ptr * 4, items * 4, weights * 4, table * 4, out * 4, scatter ? 1 : 0);
  }
}

let compiled: WebAssembly.Module | null | undefined;
let instance: SimdGemm | null = null;

/** The shared kernel, or null for the scalar path (env.wasm false, or no WebAssembly SIMD). */
export function simdGemm(): SimdGemm | null {
  if (!env.wasm) return null;
  if (compiled === undefined) {
    const bytes = Buffer.from(WASM_BASE64, 'base64');
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  if (compiled === null) return null;
  instance ??= new SimdGemm(new WebAssembly.Instance(compiled).exports as unknown as GemmExports);
  return instance;
}

/** Copies the row-major rows × cols matrix `src` transposed (cols × rows) into `dst` at `offset`. */
export function copyTransposed(src: Float32Array, rows: number, cols: number, dst: Float32Array, offset: number): void {
  for (let r = 0; r < rows; r++) {
    const so = r * cols;
    for (let c = 0; c < cols; c++) dst[offset + c * rows + r] = src[so + c]!;
  }
}
