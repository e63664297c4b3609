import { reluBackward, reluForward } from '../neural/activations.js';
import { Adam, Parameter } from '../neural/adam.js';
import { DenseLayer } from '../neural/dense.js';
import { elementwiseProductBackward, elementwiseProductForward } from '../neural/elementwise-product.js';
import { Mlp } from '../neural/mlp.js';
import { l2Penalty } from '../neural/regularization.js';
import { gaussian } from '../random.js';

/**
 * NeuMF's dense part over a batch of (user, title) rows whose embeddings the caller gathered:
 * GMF = user ⊙ item (GMF embeddings); MLP = ReLU layers over [user | item] (MLP embeddings);
 * logit = h·[GMF | MLP] + b, one linear "NeuMF layer" over both branches. Training and fold-in
 * share this code, so the end-to-end gradient check covers both. The embedding tables live
 * outside (training owns user and item tables; serving only item tables and one new user).
 */
export class NeuMfNetwork {
  readonly mlp: Mlp;
  readonly output: DenseLayer;
  readonly outputParameters: Parameter[];
  private readonly gmf: Float32Array;
  private readonly fused: Float32Array;
  private readonly logits: Float32Array;
  private readonly dFused: Float32Array;
  private readonly dGmf: Float32Array;
  private readonly dMlpOut: Float32Array;
  private mlpOut: Float32Array = new Float32Array(0);
  private userGmfIn: Float32Array = new Float32Array(0);
  private itemGmfIn: Float32Array = new Float32Array(0);

  constructor(
    readonly gmfDim: number,
    readonly mlpDim: number,
    hidden: readonly number[],
    readonly maxRows: number,
    layers?: { mlp: DenseLayer[]; output: DenseLayer },
  ) {
    this.mlp = new Mlp([2 * mlpDim, ...hidden], maxRows, layers?.mlp);
    this.output = layers?.output ?? new DenseLayer(gmfDim + this.mlp.outDim, 1);
    if (this.output.inDim !== gmfDim + this.mlp.outDim || this.output.outDim !== 1) {
      throw new RangeError(
        `ncf: output layer is ${this.output.inDim} × ${this.output.outDim}, expected ${gmfDim + this.mlp.outDim} × 1 (the model files are damaged or mixed up)`,
      );
    }
    this.outputParameters = [new Parameter(this.output.weights), new Parameter(this.output.bias)];
    const fusedDim = this.output.inDim;
    this.gmf = new Float32Array(maxRows * gmfDim);
    this.fused = new Float32Array(maxRows * fusedDim);
    this.logits = new Float32Array(maxRows);
    this.dFused = new Float32Array(maxRows * fusedDim);
    this.dGmf = new Float32Array(maxRows * gmfDim);
    this.dMlpOut = new Float32Array(maxRows * this.mlp.outDim);
  }

  /** He initialisation for the ReLU layers (all of them, the MLP's last included), Glorot-like for the output. */
  initialise(rng: () => number): this {
    for (const layer of this.mlp.layers) layer.initialise(rng, 2);
    const std = Math.sqrt(1 / this.output.inDim);
    for (let i = 0; i < this.output.weights.length; i++) this.output.weights[i] = std * gaussian(rng);
    this.output.bias.fill(0);
    return this;
  }

  /**
   * Logits of `rows` rows (a view valid until the next forward). userGmf and itemGmf are
   * rows × gmfDim; mlpInput is rows × 2·mlpDim, each row the user's MLP embedding then the item's.
   */
  forward(userGmf: Float32Array, itemGmf: Float32Array, mlpInput: Float32Array, rows: number): Float32Array {
    if (rows > this.maxRows) throw new RangeError(`ncf: ${rows} rows exceed the batch buffers (${this.maxRows})`);
    const dg = this.gmfDim;
    const top = this.mlp.outDim;
    const width = dg + top;
    this.userGmfIn = userGmf;
    this.itemGmfIn = itemGmf;
    elementwiseProductForward(userGmf, itemGmf, this.gmf, rows * dg);
    this.mlpOut = this.mlp.forward(mlpInput, rows);
    reluForward(this.mlpOut, rows * top);
    for (let r = 0; r < rows; r++) {
      this.fused.set(this.gmf.subarray(r * dg, r * dg + dg), r * width);
      this.fused.set(this.mlpOut.subarray(r * top, r * top + top), r * width + dg);
    }
    this.output.forward(this.fused, rows, this.logits);
    return this.logits.subarray(0, rows);
  }

  /**
   * From dL/dlogit of the last forward: accumulates the dense parameters' gradients and writes
   * (overwrites) dL/d userGmf, dL/d itemGmf (when given) and dL/d mlpInput columns [0, mlpInputTo)
   * (mlpDim = the user half only, all a fold-in needs).
   */
  backward(
    dLogits: Float32Array,
    rows: number,
    dUserGmf: Float32Array,
    dItemGmf: Float32Array | null,
    dMlpInput: Float32Array,
    mlpInputTo = 2 * this.mlpDim,
  ): void {
    const dg = this.gmfDim;
    const top = this.mlp.outDim;
    const width = dg + top;
    const [w, b] = this.outputParameters as [Parameter, Parameter];
    this.output.backward(this.fused, rows, dLogits, w.grad, b.grad, this.dFused);
    for (let r = 0; r < rows; r++) {
      this.dGmf.set(this.dFused.subarray(r * width, r * width + dg), r * dg);
      this.dMlpOut.set(this.dFused.subarray(r * width + dg, r * width + width), r * top);
    }
    elementwiseProductBackward(this.userGmfIn, this.itemGmfIn, this.dGmf, dUserGmf, dItemGmf, rows * dg);
    reluBackward(this.mlpOut, this.dMlpOut, rows * top);
    this.mlp.backward(this.dMlpOut, rows, dMlpInput, 0, mlpInputTo);
  }

  /** L2 on the dense weights (not the biases); returns the penalty. */
  l2(lambda: number): number {
    return this.mlp.l2(lambda) + l2Penalty(this.output.weights, this.outputParameters[0]!.grad, lambda);
  }

  update(adam: Adam): void {
    this.mlp.update(adam);
    for (const p of this.outputParameters) adam.updateDense(p);
  }

  /** Drops accumulated dense gradients (fold-in computes them but never applies them). */
  clearDenseGradients(): void {
    for (const p of [...this.mlp.parameters, ...this.outputParameters]) p.grad.fill(0);
  }
}
