import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from '../artifacts.js';
import { DenseLayer } from '../neural/dense.js';
import type { History, Recommender } from '../types.js';
import { meanScore } from '../sparse.js';
import { WasmAlsScorer } from '../wasm/als-scorer.js';
import { bagWeight, USER_FEATURES, userFeatures, type TwoTowerParams } from './params.js';
import type { Adam } from '../neural/adam.js';
import type { TwoTowerNetwork } from './network.js';

/**
 * A trained two-tower model as it serves: every title's item-tower embedding (warm and cold),
 * and the user tower with its first layer split in two. Because that layer is linear over the
 * pooled bag, Σ w·(x_j·W) is precomputed per title (`userItemRows`: its item inputs and its
 * history ID embedding through the first layer), so a fold-in sums one row per listed title,
 * adds the user features' part, runs the remaining layers and takes dot products with every
 * title. New users and titles nobody rated need nothing else.
 */
export class TwoTowerRecommender implements Recommender {
  readonly kind = 'twotower';
  /** Set by training only; not persisted. */
  report?: unknown;
  /** The network and optimiser it was trained with, in memory only, so training can continue (continueTwoTower). */
  training?: { network: TwoTowerNetwork; adam: Adam; epochs: number; seed: number };
  private readonly hidden: Float32Array;
  private readonly features = new Float32Array(USER_FEATURES);
  /**
   * The dot products with every title through the SIMD kernel iALS uses (same float64 sums in the
   * same order, so the same scores as the scalar loop); created on first use, null where the
   * kernel cannot run. Scoring every title is the largest part of this model's fold-in.
   */
  private scorer: WasmAlsScorer | null | undefined = undefined;
  private scorerInput: Float64Array | null = null;

  constructor(
    readonly nItems: number,
    readonly dimension: number,
    readonly params: TwoTowerParams,
    /** nItems × dimension unit vectors. */
    readonly itemEmbeddings: Float32Array,
    /** nItems × width: each title's contribution to the user tower's first layer. */
    readonly userItemRows: Float32Array,
    /** USER_FEATURES × width, and the first layer's bias (width). */
    readonly userFeatureWeights: Float32Array,
    readonly userBias: Float32Array,
    /** The user tower's layers after the first (ReLU before each). */
    readonly upperLayers: DenseLayer[],
  ) {
    this.hidden = new Float32Array(userBias.length);
    if (itemEmbeddings.length !== nItems * dimension || userItemRows.length !== nItems * userBias.length) {
      throw new RangeError(
        `twotower: embedding arrays do not match ${nItems} items × ${dimension} (the model files are damaged or mixed up)`,
      );
    }
  }

  get width(): number {
    return this.userBias.length;
  }

  /** The user's unit embedding for a history (length dimension). */
  userEmbedding(history: History): Float32Array {
    const w = this.width;
    const z = this.hidden;
    z.set(this.userBias);
    const mean = meanScore(history.scores);
    let total = 0;
    for (let h = 0; h < history.items.length; h++) {
      const item = history.items[h]!;
      if (item >= 0 && item < this.nItems) total += bagWeight(history.scores[h]!, mean, this.params);
    }
    for (let h = 0; h < history.items.length && total > 0; h++) {
      const item = history.items[h]!;
      if (!(item >= 0 && item < this.nItems)) continue;
      const weight = bagWeight(history.scores[h]!, mean, this.params) / total;
      const o = item * w;
      for (let j = 0; j < w; j++) z[j]! += weight * this.userItemRows[o + j]!;
    }
    userFeatures(history.scores, 0, history.scores.length, this.features, 0);
    for (let f = 0; f < USER_FEATURES; f++) {
      const x = this.features[f]!;
      for (let j = 0; j < w; j++) z[j]! += x * this.userFeatureWeights[f * w + j]!;
    }
    let current = z;
    for (const layer of this.upperLayers) {
      for (let j = 0; j < current.length; j++) if (current[j]! < 0) current[j] = 0;
      const next = new Float32Array(layer.outDim);
      layer.forward(current, 1, next);
      current = next;
    }
    let norm = 0;
    for (let j = 0; j < current.length; j++) norm += current[j]! * current[j]!;
    norm = Math.max(Math.sqrt(norm), 1e-6);
    return Float32Array.from(current, (x) => x / norm);
  }

  scoreFoldIn(history: History, out: Float32Array): void {
    const u = this.userEmbedding(history);
    const d = this.dimension;
    const v = this.itemEmbeddings;
    if (this.scorer === undefined) {
      this.scorer = WasmAlsScorer.create(
        v,
        d,
        Int32Array.from({ length: this.nItems }, (_, i) => i),
      );
      this.scorerInput = new Float64Array(d);
    }
    if (this.scorer !== null) {
      this.scorerInput!.set(u);
      this.scorer.scoreInto(this.scorerInput!, out);
      return;
    }
    for (let i = 0; i < this.nItems; i++) {
      const o = i * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += u[j]! * v[o + j]!;
      out[i] = s;
    }
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'item-embeddings.bin'), this.itemEmbeddings);
    writeArray(join(dir, 'user-item-rows.bin'), this.userItemRows);
    writeArray(join(dir, 'user-feature-weights.bin'), this.userFeatureWeights);
    writeArray(join(dir, 'user-bias.bin'), this.userBias);
    this.upperLayers.forEach((layer, l) => {
      writeArray(join(dir, `user-layer-${l + 1}-weights.bin`), layer.weights);
      writeArray(join(dir, `user-layer-${l + 1}-bias.bin`), layer.bias);
    });
    writeManifest(dir, {
      kind: this.kind,
      formatVersion: 1,
      params: this.params,
      nItems: this.nItems,
      dimension: this.dimension,
      width: this.width,
      upperLayers: this.upperLayers.map((layer) => [layer.inDim, layer.outDim]),
    });
  }
}

registerModelKind('twotower', (dir, manifest) => {
  const shapes = manifest.upperLayers as [number, number][];
  if (!Array.isArray(shapes))
    throw new Error(`${dir}/manifest.json: twotower model without upperLayers; the model was not written by this anirec`);
  const layers = shapes.map(
    ([inDim, outDim], l) =>
      new DenseLayer(
        inDim,
        outDim,
        readArray(join(dir, `user-layer-${l + 1}-weights.bin`), Float32Array),
        readArray(join(dir, `user-layer-${l + 1}-bias.bin`), Float32Array),
      ),
  );
  return new TwoTowerRecommender(
    manifest.nItems as number,
    manifest.dimension as number,
    manifest.params as TwoTowerParams,
    readArray(join(dir, 'item-embeddings.bin'), Float32Array),
    readArray(join(dir, 'user-item-rows.bin'), Float32Array),
    readArray(join(dir, 'user-feature-weights.bin'), Float32Array),
    readArray(join(dir, 'user-bias.bin'), Float32Array),
    layers,
  );
});
