import { l2NormalizeBackward, l2NormalizeForward } from '../neural/activations.js';
import { Adam, Parameter } from '../neural/adam.js';
import { bagBackward, bagForward, TouchedRows } from '../neural/bag.js';
import { Mlp } from '../neural/mlp.js';
import { l2PenaltyRows } from '../neural/regularization.js';
import { softmaxLoss } from '../neural/softmax-loss.js';
import type { Batch, PairSource } from './examples.js';

/**
 * The two towers on the project's own kernels:
 *   item i:  v = normalise(MLP_item(x_i) + keep·E[i])           (E: ID embeddings, warm titles only)
 *   user:    u = normalise(MLP_user([Σ w·x_j | Σ w·H[j] | user features]))   over the bag j
 *   loss:    softmax over the step's candidates of (u·v)/τ − log Q
 * Pooling the raw item inputs before the user tower's first (linear) layer equals pooling that
 * layer's outputs, which is what lets serving precompute one row per title (see model.ts).
 */
export class TwoTowerNetwork {
  readonly itemMlp: Mlp;
  readonly userMlp: Mlp;
  /** ID embeddings added to the item tower's output (nItems × d), or null. */
  readonly itemIds: Parameter | null;
  /** ID embeddings pooled into the user tower's input (nItems × d), or null. */
  readonly historyIds: Parameter | null;
  readonly dimension: number;
  private readonly itemTouched: TouchedRows;
  private readonly historyTouched: TouchedRows;
  // Per-step buffers.
  private readonly itemInput: Float32Array;
  private readonly itemSum: Float32Array;
  private readonly itemOut: Float32Array;
  private readonly itemNorms: Float32Array;
  private readonly userOut: Float32Array;
  private readonly userNorms: Float32Array;
  private readonly pooledIds: Float32Array;
  private readonly logits: Float32Array;
  private readonly gradUser: Float32Array;
  private readonly gradItem: Float32Array;
  private readonly gradUserInput: Float32Array;

  constructor(
    private readonly source: PairSource,
    maxRows: number,
    rng: () => number,
  ) {
    const p = source.params;
    const d = p.dimension;
    const nItems = source.data.nItems;
    const maxCandidates = maxRows + p.negatives;
    this.dimension = d;
    this.itemMlp = new Mlp([source.inputs.dim, ...p.itemHidden, d], maxCandidates).initialise(rng);
    this.userMlp = new Mlp([source.userInputDim, ...p.userHidden, d], maxRows).initialise(rng);
    // Zero ID embeddings: a title the training never reaches (cold) keeps exactly the features' output.
    this.itemIds = p.itemIds ? new Parameter(new Float32Array(nItems * d)) : null;
    this.historyIds = p.historyIds ? new Parameter(new Float32Array(nItems * d)) : null;
    this.itemTouched = new TouchedRows(nItems);
    this.historyTouched = new TouchedRows(nItems);
    this.itemInput = new Float32Array(maxCandidates * source.inputs.dim);
    this.itemSum = new Float32Array(maxCandidates * d);
    this.itemOut = new Float32Array(maxCandidates * d);
    this.itemNorms = new Float32Array(maxCandidates);
    this.userOut = new Float32Array(maxRows * d);
    this.userNorms = new Float32Array(maxRows);
    this.pooledIds = new Float32Array(maxRows * d);
    this.logits = new Float32Array(maxRows * maxCandidates);
    this.gradUser = new Float32Array(maxRows * d);
    this.gradItem = new Float32Array(maxCandidates * d);
    this.gradUserInput = new Float32Array(maxRows * source.userInputDim);
  }

  /** Every trained array with its Adam moments, in a fixed order (towers, then ID tables). */
  parameters(): Parameter[] {
    const tables = [this.itemIds, this.historyIds].filter((t): t is Parameter => t !== null);
    return [...this.itemMlp.parameters, ...this.userMlp.parameters, ...tables];
  }

  /**
   * Takes over another network's weights and Adam moments, to continue its training on other
   * data of the same item vocabulary and inputs (the hybrid's final fit on every user).
   */
  copyStateFrom(other: TwoTowerNetwork): void {
    const mine = this.parameters();
    const theirs = other.parameters();
    if (mine.length !== theirs.length || mine.some((p, i) => p.value.length !== theirs[i]!.value.length)) {
      throw new RangeError('twotower: cannot continue a network of another shape (other params, inputs or item vocabulary)');
    }
    mine.forEach((p, i) => {
      const q = theirs[i]!;
      p.value.set(q.value);
      p.m.set(q.m);
      p.v.set(q.v);
    });
  }

  /** Unit item-tower outputs of `items` (count × d) into `out`; `keep` says whose ID embedding is added. */
  itemForward(items: Int32Array, count: number, keep: Uint8Array | null, out: Float32Array, norms: Float32Array): void {
    const { rows, dim } = this.source.inputs;
    const d = this.dimension;
    for (let c = 0; c < count; c++) this.itemInput.set(rows.subarray(items[c]! * dim, (items[c]! + 1) * dim), c * dim);
    const h = this.itemMlp.forward(this.itemInput, count);
    this.itemSum.set(h);
    if (this.itemIds !== null && keep !== null) {
      const e = this.itemIds.value;
      for (let c = 0; c < count; c++) {
        if (keep[c] !== 1) continue;
        const o = items[c]! * d;
        for (let j = 0; j < d; j++) this.itemSum[c * d + j]! += e[o + j]!;
      }
    }
    l2NormalizeForward(this.itemSum, count, d, out, norms);
  }

  /** Unit user-tower outputs (rows × d); writes the pooled history IDs into the batch's input rows. */
  userForward(batch: Batch): Float32Array {
    const d = this.dimension;
    const width = this.source.userInputDim;
    if (this.historyIds !== null) {
      bagForward(this.historyIds.value, d, batch.bags, batch.rows, this.pooledIds);
      const offset = this.source.historyOffset;
      for (let r = 0; r < batch.rows; r++) batch.userInputs.set(this.pooledIds.subarray(r * d, (r + 1) * d), r * width + offset);
    }
    const h = this.userMlp.forward(batch.userInputs, batch.rows);
    l2NormalizeForward(h, batch.rows, d, this.userOut, this.userNorms);
    return this.userOut.subarray(0, batch.rows * d);
  }

  /** One Adam step on a batch; returns the loss (softmax + L2). */
  trainStep(batch: Batch, adam: Adam): number {
    const p = this.source.params;
    const d = this.dimension;
    const { rows, count } = batch;
    this.itemForward(batch.candidates, count, batch.keepId, this.itemOut, this.itemNorms);
    const userOut = this.userForward(batch);
    let loss = softmaxLoss(
      {
        queries: userOut,
        rows,
        candidates: this.itemOut,
        count,
        dim: d,
        positive: batch.positive,
        candidateItems: null,
        positiveItems: null,
        logQ: batch.logQ,
        temperature: p.temperature,
        rowWeights: null,
      },
      this.logits,
      this.gradUser,
      this.gradItem,
    );
    // Item tower backward.
    l2NormalizeBackward(this.itemOut, this.itemNorms, count, d, this.gradItem, this.gradItem);
    this.itemMlp.backward(this.gradItem, count);
    if (this.itemIds !== null) {
      const g = this.itemIds.grad;
      for (let c = 0; c < count; c++) {
        if (batch.keepId[c] !== 1) continue;
        const item = batch.candidates[c]!;
        this.itemTouched.add(item);
        for (let j = 0; j < d; j++) g[item * d + j]! += this.gradItem[c * d + j]!;
      }
    }
    // User tower backward, into the pooled history IDs.
    l2NormalizeBackward(this.userOut, this.userNorms, rows, d, this.gradUser, this.gradUser);
    const offset = this.source.historyOffset;
    const width = this.source.userInputDim;
    if (this.historyIds !== null) {
      this.userMlp.backward(this.gradUser, rows, this.gradUserInput, offset, offset + d);
      for (let r = 0; r < rows; r++) this.pooledIds.set(this.gradUserInput.subarray(r * width + offset, r * width + offset + d), r * d);
      bagBackward(this.pooledIds, d, batch.bags, rows, this.historyIds.grad, this.historyTouched);
    } else {
      this.userMlp.backward(this.gradUser, rows);
    }
    loss += this.itemMlp.l2(p.l2) + this.userMlp.l2(p.l2);
    adam.beginStep();
    this.itemMlp.update(adam);
    this.userMlp.update(adam);
    for (const [table, touched] of [
      [this.itemIds, this.itemTouched],
      [this.historyIds, this.historyTouched],
    ] as const) {
      if (table === null) continue;
      const used = touched.rows();
      loss += l2PenaltyRows(table.value, table.grad, d, used, p.l2);
      adam.updateRows(table, d, used);
      touched.clear();
    }
    return loss;
  }
}
