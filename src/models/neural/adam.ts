/**
 * Adam (Kingma & Ba 2015) over Float32Array parameters. Dense parameters update every step;
 * embedding tables update only the rows a batch touched ("lazy" Adam, as TensorFlow's
 * LazyAdam), with the bias correction of the global step: rows of rarely seen titles keep their
 * moments between visits instead of decaying toward zero on every step they were not used.
 */
export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const DEFAULT_ADAM: AdamSettings = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** A parameter array with its gradient and Adam moments. */
export class Parameter {
  readonly grad: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;

  constructor(readonly value: Float32Array) {
    this.grad = new Float32Array(value.length);
    this.m = new Float32Array(value.length);
    this.v = new Float32Array(value.length);
  }
}

export class Adam {
  private t = 0;
  private stepSize = 0;
  private b2Correction = 1;

  constructor(readonly settings: AdamSettings = DEFAULT_ADAM) {}

  /** Steps taken so far (the bias correction's t). */
  get steps(): number {
    return this.t;
  }

  /**
   * Continues the count of another optimiser whose moments were copied into this one's
   * parameters: with t back at 0 the bias correction would scale those moments up as if they
   * were a first step's.
   */
  resumeAt(steps: number): void {
    this.t = steps;
  }

  /** Starts a step: advances the step counter used by the bias correction. */
  beginStep(): void {
    this.t++;
    const { learningRate, beta1, beta2 } = this.settings;
    this.stepSize = learningRate / (1 - Math.pow(beta1, this.t));
    this.b2Correction = 1 / (1 - Math.pow(beta2, this.t));
  }

  /** Updates every element and zeroes the gradient. */
  updateDense(p: Parameter): void {
    this.updateRange(p, 0, p.value.length);
  }

  /** Updates only rows `rows` (each `dim` long) and zeroes their gradient. */
  updateRows(p: Parameter, dim: number, rows: Int32Array): void {
    for (let k = 0; k < rows.length; k++) this.updateRange(p, rows[k]! * dim, rows[k]! * dim + dim);
  }

  private updateRange(p: Parameter, from: number, to: number): void {
    const { beta1, beta2, epsilon } = this.settings;
    const { value, grad, m, v } = p;
    const a = this.stepSize;
    const c2 = this.b2Correction;
    for (let i = from; i < to; i++) {
      const g = grad[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      value[i]! -= (a * mi) / (Math.sqrt(vi * c2) + epsilon);
      grad[i] = 0;
    }
  }
}
