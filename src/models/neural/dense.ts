import { gaussian } from '../random.js';
import { copyTransposed, simdGemm, type SimdGemm } from './gemm.js';

/**
 * Batches of fewer rows (serving's one-user tower pass) keep the scalar loops, which skip zero
 * inputs and copy nothing; the SIMD products pay back their operand copies on training batches.
 */
const MIN_SIMD_ROWS = 8;

/**
 * A fully connected layer y = x·W + b over a batch of rows, with the hand-written backward pass
 * the two-tower and NeuMF trainers share. W is row-major inDim × outDim, so both the forward
 * pass and the weight gradient walk one contiguous output row per input value; input values
 * that are exactly zero are skipped, which makes multi-hot feature rows (genres, studios, one
 * category per field) cost their non-zeros only. With env.wasm the products of a batch run in
 * the WebAssembly SIMD kernel (gemm.ts) instead, dense, within float32 rounding of these loops.
 */
export class DenseLayer {
  readonly weights: Float32Array;
  readonly bias: Float32Array;

  constructor(
    readonly inDim: number,
    readonly outDim: number,
    weights?: Float32Array,
    bias?: Float32Array,
  ) {
    if (!(Number.isInteger(inDim) && inDim > 0 && Number.isInteger(outDim) && outDim > 0)) {
      throw new RangeError(`DenseLayer: dimensions must be positive integers, got ${inDim} × ${outDim}`);
    }
    this.weights = weights ?? new Float32Array(inDim * outDim);
    this.bias = bias ?? new Float32Array(outDim);
    if (this.weights.length !== inDim * outDim || this.bias.length !== outDim) {
      throw new RangeError(
        `DenseLayer: expected ${inDim * outDim} weights and ${outDim} biases, got ${this.weights.length} and ${this.bias.length}`,
      );
    }
  }

  /** He initialisation (N(0, 2/fan-in)), which keeps ReLU activations at a stable scale. */
  initialise(rng: () => number, gain = 2): this {
    const std = Math.sqrt(gain / this.inDim);
    for (let i = 0; i < this.weights.length; i++) this.weights[i] = std * gaussian(rng);
    this.bias.fill(0);
    return this;
  }

  /** Y (rows × outDim) = X (rows × inDim) · W + b. */
  forward(x: Float32Array, rows: number, y: Float32Array): void {
    const kernel = rows >= MIN_SIMD_ROWS ? simdGemm() : null;
    if (kernel !== null) {
      this.forwardSimd(kernel, x, rows, y);
      return;
    }
    const { inDim, outDim, weights: w, bias } = this;
    for (let r = 0; r < rows; r++) {
      const yo = r * outDim;
      const xo = r * inDim;
      y.set(bias, yo);
      for (let i = 0; i < inDim; i++) {
        const xi = x[xo + i]!;
        if (xi === 0) continue;
        const wo = i * outDim;
        for (let o = 0; o < outDim; o++) y[yo + o]! += xi * w[wo + o]!;
      }
    }
  }

  /**
   * Accumulates dW += Xᵀ·dY and db += Σ dY; writes dX = dY·Wᵀ for input columns [dxFrom, dxTo)
   * when `dx` is given (a first layer over fixed features needs no input gradient at all).
   */
  backward(
    x: Float32Array,
    rows: number,
    dy: Float32Array,
    gradWeights: Float32Array,
    gradBias: Float32Array,
    dx: Float32Array | null = null,
    dxFrom = 0,
    dxTo = this.inDim,
  ): void {
    const kernel = rows >= MIN_SIMD_ROWS ? simdGemm() : null;
    if (kernel !== null) {
      this.backwardSimd(kernel, x, rows, dy, gradWeights, gradBias, dx, dxFrom, dxTo);
      return;
    }
    const { inDim, outDim, weights: w } = this;
    for (let r = 0; r < rows; r++) {
      const go = r * outDim;
      const xo = r * inDim;
      for (let o = 0; o < outDim; o++) gradBias[o]! += dy[go + o]!;
      for (let i = 0; i < inDim; i++) {
        const xi = x[xo + i]!;
        if (xi === 0) continue;
        const wo = i * outDim;
        for (let o = 0; o < outDim; o++) gradWeights[wo + o]! += xi * dy[go + o]!;
      }
      if (dx === null) continue;
      for (let i = dxFrom; i < dxTo; i++) {
        const wo = i * outDim;
        let s = 0;
        for (let o = 0; o < outDim; o++) s += w[wo + o]! * dy[go + o]!;
        dx[xo + i] = s;
      }
    }
  }

  private forwardSimd(kernel: SimdGemm, x: Float32Array, rows: number, y: Float32Array): void {
    const { inDim, outDim, weights: w, bias } = this;
    const wAt = rows * inDim;
    const yAt = wAt + inDim * outDim;
    const mem = kernel.scratch(yAt + rows * outDim);
    mem.set(x.subarray(0, rows * inDim), 0);
    mem.set(w, wAt);
    for (let r = 0; r < rows; r++) mem.set(bias, yAt + r * outDim);
    kernel.gemm(rows, outDim, inDim, 0, inDim, 1, wAt, outDim, yAt, outDim);
    y.set(mem.subarray(yAt, yAt + rows * outDim));
  }

  private backwardSimd(
    kernel: SimdGemm,
    x: Float32Array,
    rows: number,
    dy: Float32Array,
    gradWeights: Float32Array,
    gradBias: Float32Array,
    dx: Float32Array | null,
    dxFrom: number,
    dxTo: number,
  ): void {
    const { inDim, outDim, weights: w } = this;
    for (let r = 0; r < rows; r++) {
      const go = r * outDim;
      for (let o = 0; o < outDim; o++) gradBias[o]! += dy[go + o]!;
    }
    const cols = dx === null ? 0 : dxTo - dxFrom;
    const dyAt = rows * inDim;
    const gAt = dyAt + rows * outDim;
    const wtAt = gAt + inDim * outDim;
    const dxAt = wtAt + outDim * cols;
    const mem = kernel.scratch(dxAt + rows * cols);
    mem.set(x.subarray(0, rows * inDim), 0);
    mem.set(dy.subarray(0, rows * outDim), dyAt);
    mem.set(gradWeights, gAt);
    // dW (inDim × outDim) += Xᵀ·dY: X read transposed through its strides.
    kernel.gemm(inDim, outDim, rows, 0, 1, inDim, dyAt, outDim, gAt, outDim);
    gradWeights.set(mem.subarray(gAt, gAt + inDim * outDim));
    if (dx === null || cols <= 0) return;
    // dX[:, from:to) = dY·Wᵀ over those input columns: Wᵀ is copied so its rows are contiguous.
    copyTransposed(w.subarray(dxFrom * outDim, dxTo * outDim), cols, outDim, mem, wtAt);
    mem.fill(0, dxAt, dxAt + rows * cols);
    kernel.gemm(rows, cols, outDim, dyAt, outDim, 1, wtAt, cols, dxAt, cols);
    for (let r = 0; r < rows; r++) dx.set(mem.subarray(dxAt + r * cols, dxAt + (r + 1) * cols), r * inDim + dxFrom);
  }
}
