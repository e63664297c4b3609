/**
 * A trained gradient-boosted ranker: a sum of regression trees evaluated on raw float features.
 * Saved as JSON (a few hundred small trees), so a model file can be read and diffed by people.
 */
import { CompiledForest } from './compiled-forest.js';
import type { RankerParams } from './params.js';
import type { TreeArrays } from './tree-grower.js';

export interface FeatureImportance {
  feature: string;
  /** Total loss reduction of the splits on this feature, as a share of all splits' gain. */
  gainShare: number;
  splits: number;
}

export interface RankerJson {
  format: 'anirec-gbdt';
  version: 1;
  nFeatures: number;
  featureNames: string[];
  initialScore: number;
  bestRound: number;
  params: RankerParams;
  /** Thresholds may be ±Infinity (a split that only separates missing values), which JSON cannot hold: written as strings. */
  trees: Array<{ [K in keyof TreeArrays]: K extends 'threshold' ? Array<number | string> : number[] }>;
}

export class RankerModel {
  /** The trees laid out for scoring, built on first use. */
  private compiled: CompiledForest | null = null;

  constructor(
    readonly trees: readonly TreeArrays[],
    readonly nFeatures: number,
    readonly featureNames: readonly string[],
    readonly initialScore: number,
    /** The boosting round (1-based) that scored best on validation; the model keeps trees up to it. */
    readonly bestRound: number,
    readonly params: RankerParams,
  ) {}

  /** Scores row-major features (nRows × nFeatures); NaN means missing and follows each split's default. */
  predict(features: Float32Array, nRows: number): Float64Array {
    if (features.length !== nRows * this.nFeatures) {
      throw new RangeError(`ranker: got ${features.length} feature values for ${nRows} rows × ${this.nFeatures} features`);
    }
    const out = new Float64Array(nRows).fill(this.initialScore);
    (this.compiled ??= CompiledForest.compile(this.trees, this.nFeatures)).addTo(features, nRows, out);
    return out;
  }

  featureImportance(): FeatureImportance[] {
    const gain = new Float64Array(this.nFeatures);
    const splits = new Int32Array(this.nFeatures);
    for (const tree of this.trees) {
      for (let node = 0; node < tree.feature.length; node++) {
        const f = tree.feature[node]!;
        if (f < 0) continue;
        gain[f]! += tree.gain[node]!;
        splits[f]!++;
      }
    }
    const total = gain.reduce((a, b) => a + b, 0) || 1;
    return Array.from(gain, (g, f) => ({ feature: this.featureNames[f] ?? `f${f}`, gainShare: g / total, splits: splits[f]! })).sort(
      (a, b) => b.gainShare - a.gainShare,
    );
  }

  toJSON(): RankerJson {
    return {
      format: 'anirec-gbdt',
      version: 1,
      nFeatures: this.nFeatures,
      featureNames: [...this.featureNames],
      initialScore: this.initialScore,
      bestRound: this.bestRound,
      params: this.params,
      trees: this.trees.map((tree) => ({
        feature: Array.from(tree.feature),
        threshold: Array.from(tree.threshold, (t) => (Number.isFinite(t) ? t : String(t))),
        defaultLeft: Array.from(tree.defaultLeft),
        left: Array.from(tree.left),
        right: Array.from(tree.right),
        value: Array.from(tree.value),
        gain: Array.from(tree.gain),
      })),
    };
  }

  static fromJSON(json: unknown): RankerModel {
    const data = json as Partial<RankerJson>;
    if (data?.format !== 'anirec-gbdt' || data.version !== 1 || !Array.isArray(data.trees) || typeof data.nFeatures !== 'number') {
      throw new Error('ranker.json is not an anirec gradient-boosted ranker (format anirec-gbdt, version 1); retrain the model');
    }
    const trees = data.trees.map((tree, t): TreeArrays => {
      const n = tree.feature.length;
      const arrays: TreeArrays = {
        feature: Int32Array.from(tree.feature),
        threshold: Float32Array.from(tree.threshold, (t) => Number(t)),
        defaultLeft: Uint8Array.from(tree.defaultLeft),
        left: Int32Array.from(tree.left),
        right: Int32Array.from(tree.right),
        value: Float64Array.from(tree.value),
        gain: Float64Array.from(tree.gain),
      };
      for (let node = 0; node < n; node++) {
        const f = arrays.feature[node]!;
        if (f < 0) continue;
        const ok =
          f < data.nFeatures! &&
          arrays.left[node]! > node &&
          arrays.left[node]! < n &&
          arrays.right[node]! > node &&
          arrays.right[node]! < n;
        if (!ok) throw new Error(`ranker.json: tree ${t} node ${node} is malformed; the file is damaged, retrain the model`);
      }
      return arrays;
    });
    return new RankerModel(
      trees,
      data.nFeatures,
      data.featureNames ?? [],
      data.initialScore ?? 0,
      data.bestRound ?? trees.length,
      data.params!,
    );
  }
}

/**
 * Adds one tree's output for every row, walking the tree as grown (training scores its validation
 * rows tree by tree with this; predict uses the equivalent CompiledForest). Children always have
 * larger indices, so walks end.
 */
export function addTreeOutput(tree: TreeArrays, features: Float32Array, nFeatures: number, nRows: number, out: Float64Array): void {
  const { feature, threshold, defaultLeft, left, right, value } = tree;
  for (let row = 0, base = 0; row < nRows; row++, base += nFeatures) {
    let node = 0;
    for (let f = feature[0]!; f >= 0; f = feature[node]!) {
      const v = features[base + f]!;
      node = v !== v ? (defaultLeft[node] ? left[node]! : right[node]!) : v <= threshold[node]! ? left[node]! : right[node]!;
    }
    out[row]! += value[node]!;
  }
}
