import { gaussian } from '../random.js';

/**
 * A fully connected layer y = x·W + b over a batch of rows, with the hand-written backward pass
 * the two-tower and NeuMF trainers share. W is row-major inDim × outDim, so both the forward
 * pass and the weight gradient walk one contiguous output row per input value; input values
 * that are exactly zero are skipped, which makes multi-hot feature rows (genres, studios, one
 * category per field) cost their non-zeros only.
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
}
