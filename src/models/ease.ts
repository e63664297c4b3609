import { AnirecError } from '../errors/errors.js';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { readArray, registerModelKind, writeArray, writeManifest } from './artifacts.js';
import { SpdWorkspace, spdWorkspaceBytes } from './dense-inverse.js';
import { resolveThreads } from './dense-inverse-pool.js';
import { accumulateGram } from './ease-gram.js';
import { entryWeight, userMeanScores, type EntryWeighting } from './sparse.js';
import { itemCounts } from './training-data.js';
import type { History, Recommender, TrainingData, TrainOptions } from './types.js';

export interface EaseParams {
  /** L2 regularisation λ added to the Gram diagonal (Steck 2019 finds hundreds work for ML/Netflix sizes). */
  lambda: number;
  /**
   * Optional cap: only the most-listed items enter the n×n inverse (O(n³) time, O(n²) memory).
   * Unset (the default), every item with ≥ minCount users does.
   */
  maxItems?: number;
  /** Items listed by fewer training users are left out even if under maxItems. */
  minCount: number;
  /**
   * 'binary': every listed title is a 1 (the classic EASE).
   * 'score': 1 for listed-without-score, scaled up for titles the user scored above their mean and
   * down for those below, so disliked titles pull less.
   */
  weighting: EntryWeighting;
}

/** The best point of `anirec tune --model ease` on validation users (docs/evaluation.md, "Hyper-parameter search"). */
export const DEFAULT_EASE_PARAMS: EaseParams = { lambda: 100, minCount: 3, weighting: 'score' };

/**
 * EASE (Steck 2019): an item-item weight matrix B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹,
 * the closed-form least-squares solution to reconstructing X from X with a zero diagonal.
 * One of the strongest collaborative baselines in the literature, and the one anirec must beat.
 */
export class EaseRecommender implements Recommender {
  readonly kind = 'ease';

  constructor(
    readonly nItems: number,
    /** Dense item index (0..n-1 in B) → vocabulary index. */
    readonly selected: Int32Array,
    /** n×n weights, row-major: B[a, b] is how much listing a suggests b. */
    readonly weights: Float32Array,
    readonly params: EaseParams,
  ) {}

  private denseOf: Int32Array | null = null;

  private dense(): Int32Array {
    if (this.denseOf === null) {
      this.denseOf = new Int32Array(this.nItems).fill(-1);
      this.selected.forEach((item, d) => (this.denseOf![item] = d));
    }
    return this.denseOf;
  }

  /** Reused accumulator for scoreFoldIn (scoring is synchronous, so one per model is enough). */
  private acc: Float32Array | null = null;

  scoreFoldIn(history: History, out: Float32Array): void {
    const n = this.selected.length;
    const dense = this.dense();
    const acc = (this.acc ??= new Float32Array(n)).fill(0);
    let sum = 0;
    let scored = 0;
    for (let h = 0; h < history.items.length; h++) {
      if (history.scores[h]! > 0) {
        sum += history.scores[h]!;
        scored++;
      }
    }
    const mean = scored > 0 ? sum / scored : 0;
    // The rows of B for the listed items, with their weights, in history order.
    const rows: number[] = [];
    const rowWeights: number[] = [];
    for (let h = 0; h < history.items.length; h++) {
      const d = dense[history.items[h]!]!;
      if (d < 0) continue;
      rows.push(d * n);
      rowWeights.push(entryWeight(history.scores[h]!, mean, this.params.weighting));
    }
    // acc += w·row, four rows per pass over acc. Each element still gets the rows' terms in
    // history order, rounded to float32 after every add (Math.fround, as the Float32Array store
    // did), so the scores are bit-for-bit those of one row at a time, with a quarter of the
    // loads and stores of acc.
    const W = this.weights;
    let r = 0;
    for (; r + 3 < rows.length; r += 4) {
      const o0 = rows[r]!;
      const o1 = rows[r + 1]!;
      const o2 = rows[r + 2]!;
      const o3 = rows[r + 3]!;
      const w0 = rowWeights[r]!;
      const w1 = rowWeights[r + 1]!;
      const w2 = rowWeights[r + 2]!;
      const w3 = rowWeights[r + 3]!;
      for (let j = 0; j < n; j++) {
        let a = Math.fround(acc[j]! + w0 * W[o0 + j]!);
        a = Math.fround(a + w1 * W[o1 + j]!);
        a = Math.fround(a + w2 * W[o2 + j]!);
        acc[j] = a + w3 * W[o3 + j]!;
      }
    }
    for (; r < rows.length; r++) {
      const o = rows[r]!;
      const w = rowWeights[r]!;
      for (let j = 0; j < n; j++) acc[j]! += w * W[o + j]!;
    }
    out.fill(-Infinity);
    for (let d = 0; d < n; d++) out[this.selected[d]!] = acc[d]!;
  }

  async save(dir: string): Promise<void> {
    writeArray(join(dir, 'selected.bin'), this.selected);
    writeArray(join(dir, 'weights.bin'), this.weights);
    writeManifest(dir, { kind: this.kind, formatVersion: 1, params: this.params, nItems: this.nItems });
  }
}

/** The titles EASE scores: listed by at least minCount users (the most-listed maxItems of them, if set). */
export function easeSelection(data: TrainingData, p: EaseParams): Int32Array {
  const counts = itemCounts(data);
  return Int32Array.from(
    Array.from(counts.keys())
      .filter((i) => counts[i]! >= p.minCount)
      .sort((a, b) => counts[b]! - counts[a]! || a - b)
      .slice(0, p.maxItems ?? undefined)
      .sort((a, b) => a - b),
  );
}

/**
 * XᵀX + λI over the selected titles from the sparse rows, built straight into the inverse's
 * memory (no second n×n copy). Only the upper triangle is accumulated: the inverse reads nothing
 * else.
 */
export function buildEaseGram(data: TrainingData, selected: Int32Array, p: EaseParams, threads?: number): SpdWorkspace {
  const n = selected.length;
  const dense = new Int32Array(data.nItems).fill(-1);
  selected.forEach((item, d) => (dense[item] = d));
  const means = userMeanScores(data);
  // The users' rows cut down to the selected titles, as dense indices with their weights.
  const indptr = new Int32Array(data.nUsers + 1);
  let kept = 0;
  for (let e = 0; e < data.indices.length; e++) if (dense[data.indices[e]!]! >= 0) kept++;
  const items = new Int32Array(kept);
  const weights = new Float64Array(kept);
  let m = 0;
  for (let u = 0; u < data.nUsers; u++) {
    for (let e = data.indptr[u]!; e < data.indptr[u + 1]!; e++) {
      const d = dense[data.indices[e]!]!;
      if (d < 0) continue;
      items[m] = d;
      weights[m++] = entryWeight(data.scores[e]!, means[u]!, p.weighting);
    }
    indptr[u + 1] = m;
  }
  const workspace = new SpdWorkspace(n);
  const N = workspace.stride;
  const gram = workspace.matrix;
  accumulateGram({ indptr, items, weights }, gram, N, resolveThreads(threads));
  // Row items are ascending (CSR rows are sorted), so every pair landed in the upper triangle.
  for (let a = 0; a < n; a++) gram[a * N + a]! += p.lambda;
  return workspace;
}

export function trainEase(data: TrainingData, params: Partial<EaseParams> = {}, options: TrainOptions = {}): EaseRecommender {
  const p = { ...DEFAULT_EASE_PARAMS, ...params };
  const selected = easeSelection(data, p);
  const n = selected.length;
  // The Gram/inverse (float64) and the weights (float32) are both n×n and alive together.
  const needed = spdWorkspaceBytes(n) + n * n * 4;
  if (needed > totalmem()) {
    throw new AnirecError(
      'invalid_config',
      `EASE over ${n} titles needs ${needed} bytes (${(needed / 1024 ** 3).toFixed(1)} GiB) for its n×n inverse and weights, more than this machine's ${totalmem()} bytes; set maxItems or raise minCount`,
    );
  }
  const workspace = buildEaseGram(data, selected, p);
  const N = workspace.stride;
  options.onProgress?.(0.1, `EASE: inverting a ${n}×${n} Gram matrix`);
  workspace.invert({ onProgress: (k) => options.onProgress?.(0.1 + (0.85 * k) / n, `EASE: row ${k}/${n}`) });
  const inverse = workspace.matrix;
  const diagonal = Float64Array.from({ length: n }, (_, b) => inverse[b * N + b]!);
  const weights = new Float32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      // B[a, b] = −P[a, b] / P[b, b], zero diagonal.
      weights[a * n + b] = a === b ? 0 : -inverse[a * N + b]! / diagonal[b]!;
    }
  }
  options.onProgress?.(1, 'EASE: done');
  return new EaseRecommender(data.nItems, selected, weights, p);
}

registerModelKind('ease', (dir, manifest) => {
  const params = manifest.params as EaseParams;
  return new EaseRecommender(
    manifest.nItems as number,
    readArray(join(dir, 'selected.bin'), Int32Array),
    readArray(join(dir, 'weights.bin'), Float32Array),
    params,
  );
});
