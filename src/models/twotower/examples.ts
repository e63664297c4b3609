import type { Bags } from '../neural/bag.js';
import { randomInt, shuffleInPlace } from '../random.js';
import type { TrainingData } from '../types.js';
import type { ItemInputs } from './item-inputs.js';
import { meanScore } from '../sparse.js';
import { bagWeight, USER_FEATURES, userFeatures, type TwoTowerParams } from './params.js';

/**
 * Training pairs of the two-tower: a user's list with one title held out (the bag) and that
 * title (the target). The bag's pooled item inputs come from per-user sums minus the target's
 * row, so a pair costs O(inputs) instead of O(list × inputs).
 */

/** One training step's worth of pairs, laid out for the towers. */
export interface Batch {
  rows: number;
  /** rows × userInputDim: pooled item inputs | (history-ID slot, filled by the network) | user features. */
  userInputs: Float32Array;
  /** Each row's bag: the user's other titles, weights summing to 1. */
  bags: Bags;
  /** Titles whose item-tower outputs are the softmax's candidates (each once). */
  candidates: Int32Array;
  count: number;
  /** Column of each row's target among the candidates. */
  positive: Int32Array;
  /** log Q per candidate, or null without the correction. */
  logQ: Float32Array | null;
  /** Per candidate: 1 when its ID embedding is used this step (warm and not dropped). */
  keepId: Uint8Array;
}

export interface PairSource {
  data: TrainingData;
  inputs: ItemInputs;
  params: TwoTowerParams;
  /** Width of the user tower's input. */
  userInputDim: number;
  /** Column where the history-ID slot starts (= inputs.dim). */
  historyOffset: number;
  /** Per entry: its bag weight. */
  entryWeights: Float32Array;
  /** Per user: Σ weights, and Σ weight·item-input row (nUsers × inputs.dim). */
  weightSums: Float64Array;
  inputSums: Float32Array;
  /** 1 for titles with training interactions (their ID embedding is trained). */
  warm: Uint8Array;
  /** The warm titles, ascending: the pool uniform negatives are drawn from. */
  warmItems: Int32Array;
  /** log(expected appearances among a step's candidates) per title, for the logQ correction. */
  logQ: Float32Array;
}

export function isTarget(score: number, p: TwoTowerParams): boolean {
  return !(score > 0) || score > p.dislikeThreshold;
}

export function preparePairs(data: TrainingData, inputs: ItemInputs, p: TwoTowerParams): PairSource {
  const d = inputs.dim;
  const entryWeights = new Float32Array(data.indices.length);
  const weightSums = new Float64Array(data.nUsers);
  const inputSums = new Float32Array(data.nUsers * d);
  const targetCounts = new Float64Array(data.nItems);
  const warm = new Uint8Array(data.nItems);
  let targets = 0;
  for (let u = 0; u < data.nUsers; u++) {
    const start = data.indptr[u]!;
    const end = data.indptr[u + 1]!;
    const mean = meanScore(data.scores, start, end);
    const sums = new Float64Array(d);
    for (let e = start; e < end; e++) {
      const item = data.indices[e]!;
      const w = bagWeight(data.scores[e]!, mean, p);
      entryWeights[e] = w;
      weightSums[u]! += w;
      const row = item * d;
      for (let j = 0; j < d; j++) {
        const x = inputs.rows[row + j]!;
        if (x !== 0) sums[j]! += w * x;
      }
      warm[item] = 1;
      if (end - start >= 2 && isTarget(data.scores[e]!, p)) {
        targetCounts[item]!++;
        targets++;
      }
    }
    inputSums.set(sums, u * d);
  }
  const warmItems: number[] = [];
  for (let i = 0; i < data.nItems; i++) if (warm[i] === 1) warmItems.push(i);
  // A title is a step's candidate as some row's target (batchSize draws from the target
  // distribution) or as a uniform negative (`negatives` draws over the warm titles).
  const logQ = new Float32Array(data.nItems);
  for (let i = 0; i < data.nItems; i++) {
    const expected = (p.batchSize * targetCounts[i]!) / Math.max(1, targets) + (warm[i] === 1 ? p.negatives / warmItems.length : 0);
    logQ[i] = Math.log(Math.max(expected, 1e-12));
  }
  const historyDim = p.historyIds ? p.dimension : 0;
  return {
    data,
    inputs,
    params: p,
    userInputDim: d + historyDim + USER_FEATURES,
    historyOffset: d,
    entryWeights,
    weightSums,
    inputSums,
    warm,
    warmItems: Int32Array.from(warmItems),
    logQ,
  };
}

/** An epoch's pairs as entry indices (the target entry; its user is found from indptr), shuffled. */
export function epochPairs(source: PairSource, rng: () => number): { users: Int32Array; entries: Int32Array } {
  const { data, params: p } = source;
  const users: number[] = [];
  const entries: number[] = [];
  const eligible: number[] = [];
  for (let u = 0; u < data.nUsers; u++) {
    const start = data.indptr[u]!;
    const end = data.indptr[u + 1]!;
    if (end - start < 2) continue;
    eligible.length = 0;
    for (let e = start; e < end; e++) if (isTarget(data.scores[e]!, p)) eligible.push(e);
    const take = Math.min(p.targetsPerUser, eligible.length);
    // Partial Fisher–Yates: the first `take` entries are a uniform sample without replacement.
    for (let k = 0; k < take; k++) {
      const j = k + randomInt(rng, eligible.length - k);
      const chosen = eligible[j]!;
      eligible[j] = eligible[k]!;
      eligible[k] = chosen;
      users.push(u);
      entries.push(chosen);
    }
  }
  const order = shuffleInPlace(Int32Array.from(users.keys()), rng);
  return { users: Int32Array.from(order, (k) => users[k]!), entries: Int32Array.from(order, (k) => entries[k]!) };
}

/** Reusable buffers for assembling batches of at most `maxRows` pairs. */
export class BatchBuilder {
  readonly batch: Batch;
  private readonly column = new Map<number, number>();

  constructor(
    private readonly source: PairSource,
    maxRows: number,
  ) {
    const { data, userInputDim, params: p } = source;
    let longest = 0;
    for (let u = 0; u < data.nUsers; u++) longest = Math.max(longest, data.indptr[u + 1]! - data.indptr[u]!);
    const maxCandidates = maxRows + p.negatives;
    this.batch = {
      rows: 0,
      userInputs: new Float32Array(maxRows * userInputDim),
      bags: { ptr: new Int32Array(maxRows + 1), items: new Int32Array(maxRows * longest), weights: new Float32Array(maxRows * longest) },
      candidates: new Int32Array(maxCandidates),
      count: 0,
      positive: new Int32Array(maxRows),
      logQ: p.logQCorrection ? new Float32Array(maxCandidates) : null,
      keepId: new Uint8Array(maxCandidates),
    };
  }

  /** Fills the batch with pairs [from, to) of an epoch; negatives and ID dropout drawn from `rng`. */
  build(pairs: { users: Int32Array; entries: Int32Array }, from: number, to: number, rng: () => number): Batch {
    const { data, inputs, params: p, userInputDim, entryWeights, weightSums, inputSums, warm, warmItems, logQ } = this.source;
    const batch = this.batch;
    const d = inputs.dim;
    const rows = to - from;
    batch.rows = rows;
    batch.userInputs.fill(0, 0, rows * userInputDim);
    this.column.clear();
    let count = 0;
    let at = 0;
    batch.bags.ptr[0] = 0;
    for (let r = 0; r < rows; r++) {
      const u = pairs.users[from + r]!;
      const target = pairs.entries[from + r]!;
      const item = data.indices[target]!;
      const start = data.indptr[u]!;
      const end = data.indptr[u + 1]!;
      const wt = entryWeights[target]!;
      const rest = weightSums[u]! - wt;
      const o = r * userInputDim;
      const so = u * d;
      const to_ = item * d;
      for (let j = 0; j < d; j++) batch.userInputs[o + j] = (inputSums[so + j]! - wt * inputs.rows[to_ + j]!) / rest;
      for (let e = start; e < end; e++) {
        if (e === target) continue;
        batch.bags.items[at] = data.indices[e]!;
        batch.bags.weights[at++] = entryWeights[e]! / rest;
      }
      batch.bags.ptr[r + 1] = at;
      // User features of the bag (the list without the target), as fold-in computes them.
      const scores = data.scores.slice(start, end);
      scores.copyWithin(target - start, target - start + 1);
      userFeatures(scores, 0, end - start - 1, batch.userInputs, o + userInputDim - USER_FEATURES);
      let c = this.column.get(item);
      if (c === undefined) {
        c = count++;
        this.column.set(item, c);
        batch.candidates[c] = item;
      }
      batch.positive[r] = c;
    }
    for (let k = 0; k < p.negatives; k++) {
      const item = warmItems[randomInt(rng, warmItems.length)]!;
      if (this.column.has(item)) continue;
      this.column.set(item, count);
      batch.candidates[count++] = item;
    }
    batch.count = count;
    for (let c = 0; c < count; c++) {
      const item = batch.candidates[c]!;
      if (batch.logQ !== null) batch.logQ[c] = logQ[item]!;
      batch.keepId[c] = p.itemIds && warm[item] === 1 && rng() >= p.idDropout ? 1 : 0;
    }
    return batch;
  }
}
