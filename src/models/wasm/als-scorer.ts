/**
 * iALS fold-in scoring (one dot product per known title) through the WebAssembly SIMD kernel in
 * als-score.wat: faster than the scalar loop (docs/benchmarks.md: bench/hybrid-stages.ts with and
 * without ANIREC_WASM=0), with bit-for-bit the same scores
 * (each SIMD lane is one title and adds the same float64 products in the same order). Scoring is
 * the largest part of a new list's request in the hybrid (bench/hybrid-stages.ts).
 *
 * Falls back to null (callers keep their scalar loop) where WebAssembly SIMD is unavailable, and
 * when ANIREC_WASM=0 (to compare both paths).
 */
import { env } from '../../env/env.js';
import { WASM_BASE64 } from './als-score.wasm.js';

const BLOCK = 8;
const PAGE = 65536;

interface ScoreKernel {
  memory: WebAssembly.Memory;
  score(blocks: number, k: number, y: number, x: number, out: number): void;
}

let kernelModule: WebAssembly.Module | null | undefined;

function compileKernel(): WebAssembly.Module | null {
  if (!env.wasm) return null;
  if (kernelModule === undefined) {
    const bytes = Buffer.from(WASM_BASE64, 'base64');
    kernelModule = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return kernelModule;
}

export class WasmAlsScorer {
  private constructor(
    private readonly kernel: ScoreKernel,
    private readonly items: Int32Array,
    private readonly k: number,
    private readonly blocks: number,
    /** Views into the kernel's memory: the user factor in, one sum per packed title out. */
    private readonly x: Float64Array,
    private readonly sums: Float64Array,
    private readonly offsets: { y: number; x: number; out: number },
  ) {}

  /**
   * Packs the factors of `items` (row-major nItems × k in `itemFactors`) into kernel memory, eight
   * titles per block, factor-major inside a block. Null when the kernel cannot run here.
   */
  static create(itemFactors: Float32Array, k: number, items: Int32Array): WasmAlsScorer | null {
    const module = compileKernel();
    if (module === null) return null;
    const blocks = Math.ceil(items.length / BLOCK);
    const yBytes = blocks * k * BLOCK * 4;
    const xOffset = yBytes;
    const outOffset = xOffset + k * 8;
    const total = outOffset + blocks * BLOCK * 8;
    const instance = new WebAssembly.Instance(module);
    const kernel = instance.exports as unknown as ScoreKernel;
    kernel.memory.grow(Math.max(0, Math.ceil(total / PAGE) - kernel.memory.buffer.byteLength / PAGE));
    const packed = new Float32Array(kernel.memory.buffer, 0, blocks * k * BLOCK);
    // Titles past the end of the last block stay 0; their sums are never read.
    for (let q = 0; q < items.length; q++) {
      const row = items[q]! * k;
      const base = Math.floor(q / BLOCK) * k * BLOCK + (q % BLOCK);
      for (let j = 0; j < k; j++) packed[base + j * BLOCK] = itemFactors[row + j]!;
    }
    const buffer = kernel.memory.buffer;
    return new WasmAlsScorer(
      kernel,
      items,
      k,
      blocks,
      new Float64Array(buffer, xOffset, k),
      new Float64Array(buffer, outOffset, blocks * BLOCK),
      {
        y: 0,
        x: xOffset,
        out: outOffset,
      },
    );
  }

  /** Writes x · factors of every packed title into out[title]; other entries are left as they are. */
  scoreInto(x: Float64Array, out: Float32Array): void {
    this.x.set(x);
    this.kernel.score(this.blocks, this.k, this.offsets.y, this.offsets.x, this.offsets.out);
    const { items, sums } = this;
    for (let q = 0; q < items.length; q++) out[items[q]!] = sums[q]!;
  }
}
