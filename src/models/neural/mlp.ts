import { reluBackward, reluForward } from './activations.js';
import { Adam, Parameter } from './adam.js';
import { DenseLayer } from './dense.js';
import { l2Penalty } from './regularization.js';

/**
 * A stack of dense layers with ReLU between them (none after the last), holding its own batch
 * buffers so a training step allocates nothing. `forward` keeps every layer's output for the
 * following `backward`.
 */
export class Mlp {
  readonly layers: DenseLayer[];
  readonly parameters: Parameter[];
  private readonly outputs: Float32Array[];
  private readonly grads: Float32Array[];
  private input: Float32Array = new Float32Array(0);

  /** `sizes` = [input, hidden..., output]; `maxRows` bounds the batch. */
  constructor(
    readonly sizes: readonly number[],
    readonly maxRows: number,
    layers?: DenseLayer[],
  ) {
    if (sizes.length < 2) throw new RangeError(`Mlp: need at least an input and an output size, got [${sizes.join(', ')}]`);
    this.layers = layers ?? sizes.slice(1).map((out, l) => new DenseLayer(sizes[l]!, out));
    this.parameters = this.layers.flatMap((layer) => [new Parameter(layer.weights), new Parameter(layer.bias)]);
    this.outputs = this.layers.map((layer) => new Float32Array(maxRows * layer.outDim));
    this.grads = this.layers.map((layer) => new Float32Array(maxRows * layer.outDim));
  }

  get inDim(): number {
    return this.sizes[0]!;
  }

  get outDim(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  initialise(rng: () => number): this {
    // The last layer has no ReLU after it: Glorot-like gain 1 instead of He's 2.
    this.layers.forEach((layer, l) => layer.initialise(rng, l === this.layers.length - 1 ? 1 : 2));
    return this;
  }

  /** Output rows (a view of an internal buffer, valid until the next forward). */
  forward(x: Float32Array, rows: number): Float32Array {
    if (rows > this.maxRows) throw new RangeError(`Mlp: ${rows} rows exceed the batch buffers (${this.maxRows})`);
    this.input = x;
    let current = x;
    this.layers.forEach((layer, l) => {
      const out = this.outputs[l]!;
      layer.forward(current, rows, out);
      if (l < this.layers.length - 1) reluForward(out, rows * layer.outDim);
      current = out;
    });
    return this.outputs[this.layers.length - 1]!.subarray(0, rows * this.outDim);
  }

  /**
   * Accumulates parameter gradients from dL/doutput (not modified); writes dL/dinput columns
   * [dxFrom, dxTo) into `dx` when given.
   */
  backward(dOut: Float32Array, rows: number, dx: Float32Array | null = null, dxFrom = 0, dxTo = this.inDim): void {
    const last = this.layers.length - 1;
    this.grads[last]!.set(dOut.subarray(0, rows * this.outDim));
    for (let l = last; l >= 0; l--) {
      const layer = this.layers[l]!;
      const input = l === 0 ? this.input : this.outputs[l - 1]!;
      const target = l === 0 ? dx : this.grads[l - 1]!;
      const [w, b] = [this.parameters[2 * l]!, this.parameters[2 * l + 1]!];
      layer.backward(input, rows, this.grads[l]!, w.grad, b.grad, target, l === 0 ? dxFrom : 0, l === 0 ? dxTo : layer.inDim);
      if (l > 0) reluBackward(this.outputs[l - 1]!, this.grads[l - 1]!, rows * layer.inDim);
    }
  }

  /** L2 on the weights (not the biases); returns the penalty. */
  l2(lambda: number): number {
    let penalty = 0;
    for (let l = 0; l < this.layers.length; l++) penalty += l2Penalty(this.parameters[2 * l]!.value, this.parameters[2 * l]!.grad, lambda);
    return penalty;
  }

  update(adam: Adam): void {
    for (const p of this.parameters) adam.updateDense(p);
  }
}
