import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from '../artifacts.js';
import { Adam, Parameter } from '../neural/adam.js';
import { binaryCrossEntropy } from '../neural/binary-cross-entropy.js';
import { DenseLayer } from '../neural/dense.js';
import { createRng, randomInt } from '../random.js';
import type { History, Recommender } from '../types.js';
import { NeuMfNetwork } from './network.js';
import type { NcfParams } from './params.js';

/**
 * A trained NeuMF as it serves. NeuMF has one embedding per *training* user, so a user it never
 * saw is folded in: item tables and dense layers frozen, the user's GMF and MLP embeddings are
 * fitted to their list by `foldInSteps` full-batch Adam steps on the training objective (their
 * titles as positives, one seeded draw of `foldInNegatives` unlisted titles weighted to stand for
 * `negatives` per positive, L2 weight foldInL2), starting from the mean training user. The
 * rows of a fold-in are bounded (foldInMaxPositives + foldInNegatives), so a request costs
 * foldInSteps forward/backward passes over at most that many rows, then one forward pass over
 * every title with interactions; titles without any get -Infinity (NeuMF knows nothing of them).
 */
export class NcfRecommender implements Recommender {
  readonly kind = 'ncf';
  /** Set by training only; not persisted. */
  report?: unknown;
  private readonly network: NeuMfNetwork;
  private readonly warmItems: Int32Array;
  private readonly rows: number;
  private readonly buffers: {
    userGmf: Float32Array;
    itemGmf: Float32Array;
    mlpInput: Float32Array;
    labels: Float32Array;
    weights: Float32Array;
    dLogits: Float32Array;
    dUserGmf: Float32Array;
    dMlpInput: Float32Array;
  };

  constructor(
    readonly nItems: number,
    readonly params: NcfParams,
    /** nItems × gmfDimension and nItems × mlpDimension. */
    readonly itemGmf: Float32Array,
    readonly itemMlp: Float32Array,
    /** 1 for titles with training interactions. */
    readonly warm: Uint8Array,
    readonly meanUserGmf: Float32Array,
    readonly meanUserMlp: Float32Array,
    mlpLayers: DenseLayer[],
    output: DenseLayer,
  ) {
    const { gmfDimension: dg, mlpDimension: dm } = params;
    if (
      itemGmf.length !== nItems * dg ||
      itemMlp.length !== nItems * dm ||
      warm.length !== nItems ||
      meanUserGmf.length !== dg ||
      meanUserMlp.length !== dm
    ) {
      throw new RangeError(
        `ncf: embedding arrays do not match ${nItems} items × (${dg} GMF, ${dm} MLP) (the model files are damaged or mixed up)`,
      );
    }
    this.rows = params.foldInMaxPositives + params.foldInNegatives;
    this.network = new NeuMfNetwork(dg, dm, params.mlpHidden, this.rows, { mlp: mlpLayers, output });
    const list: number[] = [];
    for (let i = 0; i < nItems; i++) if (warm[i] === 1) list.push(i);
    this.warmItems = Int32Array.from(list);
    const n = this.rows;
    this.buffers = {
      userGmf: new Float32Array(n * dg),
      itemGmf: new Float32Array(n * dg),
      mlpInput: new Float32Array(n * 2 * dm),
      labels: new Float32Array(n),
      weights: new Float32Array(n),
      dLogits: new Float32Array(n),
      dUserGmf: new Float32Array(n * dg),
      dMlpInput: new Float32Array(n * 2 * dm),
    };
  }

  get mlpLayers(): DenseLayer[] {
    return this.network.mlp.layers;
  }

  get outputLayer(): DenseLayer {
    return this.network.output;
  }

  /** Puts item rows into the row buffers' item halves; labels and weights as given. */
  private placeItems(items: ArrayLike<number>, from: number, count: number): void {
    const { gmfDimension: dg, mlpDimension: dm } = this.params;
    const b = this.buffers;
    for (let r = 0; r < count; r++) {
      const i = items[from + r]!;
      b.itemGmf.set(this.itemGmf.subarray(i * dg, i * dg + dg), r * dg);
      b.mlpInput.set(this.itemMlp.subarray(i * dm, i * dm + dm), r * 2 * dm + dm);
    }
  }

  private placeUser(gmf: Float32Array, mlp: Float32Array, count: number): void {
    const { gmfDimension: dg, mlpDimension: dm } = this.params;
    const b = this.buffers;
    for (let r = 0; r < count; r++) {
      b.userGmf.set(gmf, r * dg);
      b.mlpInput.set(mlp, r * 2 * dm);
    }
  }

  /** The new user's GMF and MLP embeddings, fitted to their list (deterministic for a list). */
  foldIn(history: History): { gmf: Float32Array; mlp: Float32Array } {
    const p = this.params;
    const { gmfDimension: dg, mlpDimension: dm } = p;
    const gmf = new Parameter(this.meanUserGmf.slice());
    const mlp = new Parameter(this.meanUserMlp.slice());
    const seen = new Set<number>();
    const positives: number[] = [];
    for (const item of history.items) {
      if (item >= 0 && item < this.nItems && this.warm[item] === 1 && !seen.has(item)) {
        seen.add(item);
        positives.push(item);
      }
    }
    if (positives.length === 0) return { gmf: gmf.value, mlp: mlp.value };
    const rng = createRng(p.foldInSeed);
    // A long list is represented by a seeded sample, each title weighted up to stand for the rest.
    const kept = Math.min(positives.length, p.foldInMaxPositives);
    for (let k = 0; k < kept; k++) {
      const j = k + randomInt(rng, positives.length - k);
      [positives[k], positives[j]] = [positives[j]!, positives[k]!];
    }
    const items = new Int32Array(kept + p.foldInNegatives);
    const b = this.buffers;
    const positiveWeight = positives.length / kept;
    const negativeWeight = (p.negatives * positives.length) / p.foldInNegatives;
    for (let r = 0; r < kept; r++) {
      items[r] = positives[r]!;
      b.labels[r] = 1;
      b.weights[r] = positiveWeight;
    }
    for (let n = 0; n < p.foldInNegatives; n++) {
      let item = this.warmItems[randomInt(rng, this.warmItems.length)]!;
      for (let attempt = 0; attempt < 8 && seen.has(item); attempt++) item = this.warmItems[randomInt(rng, this.warmItems.length)]!;
      items[kept + n] = item;
      b.labels[kept + n] = 0;
      b.weights[kept + n] = negativeWeight;
    }
    const rows = items.length;
    this.placeItems(items, 0, rows);
    const adam = new Adam({ learningRate: p.foldInLearningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    for (let step = 0; step < p.foldInSteps; step++) {
      this.placeUser(gmf.value, mlp.value, rows);
      const logits = this.network.forward(b.userGmf, b.itemGmf, b.mlpInput, rows);
      binaryCrossEntropy(logits, b.labels, b.weights, rows, b.dLogits);
      this.network.backward(b.dLogits, rows, b.dUserGmf, null, b.dMlpInput, dm);
      for (let j = 0; j < dg; j++) gmf.grad[j] = p.foldInL2 * gmf.value[j]!;
      for (let j = 0; j < dm; j++) mlp.grad[j] = p.foldInL2 * mlp.value[j]!;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < dg; j++) gmf.grad[j]! += b.dUserGmf[r * dg + j]!;
        for (let j = 0; j < dm; j++) mlp.grad[j]! += b.dMlpInput[r * 2 * dm + j]!;
      }
      adam.beginStep();
      adam.updateDense(gmf);
      adam.updateDense(mlp);
    }
    this.network.clearDenseGradients();
    return { gmf: gmf.value, mlp: mlp.value };
  }

  scoreFoldIn(history: History, out: Float32Array): void {
    const user = this.foldIn(history);
    out.fill(-Infinity);
    const items = this.warmItems;
    const chunk = this.rows;
    this.placeUser(user.gmf, user.mlp, Math.min(chunk, items.length));
    for (let from = 0; from < items.length; from += chunk) {
      const count = Math.min(chunk, items.length - from);
      this.placeItems(items, from, count);
      const logits = this.network.forward(this.buffers.userGmf, this.buffers.itemGmf, this.buffers.mlpInput, count);
      for (let r = 0; r < count; r++) out[items[from + r]!] = logits[r]!;
    }
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'item-gmf.bin'), this.itemGmf);
    writeArray(join(dir, 'item-mlp.bin'), this.itemMlp);
    writeArray(join(dir, 'warm.bin'), this.warm);
    writeArray(join(dir, 'mean-user-gmf.bin'), this.meanUserGmf);
    writeArray(join(dir, 'mean-user-mlp.bin'), this.meanUserMlp);
    this.mlpLayers.forEach((layer, l) => {
      writeArray(join(dir, `mlp-layer-${l + 1}-weights.bin`), layer.weights);
      writeArray(join(dir, `mlp-layer-${l + 1}-bias.bin`), layer.bias);
    });
    writeArray(join(dir, 'output-weights.bin'), this.outputLayer.weights);
    writeArray(join(dir, 'output-bias.bin'), this.outputLayer.bias);
    writeManifest(dir, {
      kind: this.kind,
      formatVersion: 1,
      params: this.params,
      nItems: this.nItems,
      mlpLayers: this.mlpLayers.map((layer) => [layer.inDim, layer.outDim]),
    });
  }
}

registerModelKind('ncf', (dir, manifest) => {
  const shapes = manifest.mlpLayers as [number, number][];
  if (!Array.isArray(shapes) || shapes.length === 0)
    throw new Error(`${dir}/manifest.json: ncf model without mlpLayers; the model was not written by this anirec`);
  const params = manifest.params as NcfParams;
  const read = (name: string) => readArray(join(dir, name), Float32Array);
  const layers = shapes.map(
    ([inDim, outDim], l) => new DenseLayer(inDim, outDim, read(`mlp-layer-${l + 1}-weights.bin`), read(`mlp-layer-${l + 1}-bias.bin`)),
  );
  const output = new DenseLayer(
    params.gmfDimension + shapes[shapes.length - 1]![1],
    1,
    read('output-weights.bin'),
    read('output-bias.bin'),
  );
  return new NcfRecommender(
    manifest.nItems as number,
    params,
    read('item-gmf.bin'),
    read('item-mlp.bin'),
    readArray(join(dir, 'warm.bin'), Uint8Array),
    read('mean-user-gmf.bin'),
    read('mean-user-mlp.bin'),
    layers,
    output,
  );
});
