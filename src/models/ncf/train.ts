import { Adam, Parameter } from '../neural/adam.js';
import { binaryCrossEntropy } from '../neural/binary-cross-entropy.js';
import { TouchedRows } from '../neural/bag.js';
import { createRng, gaussian, mixSeed, randomInt, shuffleInPlace } from '../random.js';
import type { TrainingData, TrainOptions } from '../types.js';
import { NcfRecommender } from './model.js';
import { NeuMfNetwork } from './network.js';
import { resolveNcfParams, type NcfParams } from './params.js';

/** What training measured; kept in memory only (not saved). */
export interface NcfReport {
  /** Mean training loss (BCE + L2) per epoch. */
  losses: number[];
  secondsPerEpoch: number[];
  /** (user, title) rows per epoch: positives × (1 + negatives). */
  rowsPerEpoch: number;
  warmItems: number;
}

/** Everything a run sets up before its first step (the epoch benchmark reuses it). */
export interface NcfSetup {
  params: NcfParams;
  data: TrainingData;
  network: NeuMfNetwork;
  userGmf: Parameter;
  userMlp: Parameter;
  itemGmf: Parameter;
  itemMlp: Parameter;
  adam: Adam;
  /** User of each entry. */
  entryUser: Int32Array;
  /** Titles with interactions, ascending: the negative pool (and the only titles NeuMF can score). */
  warmItems: Int32Array;
  seed: number;
  step: StepBuffers;
}

interface StepBuffers {
  users: Int32Array;
  items: Int32Array;
  labels: Float32Array;
  userGmf: Float32Array;
  itemGmf: Float32Array;
  mlpInput: Float32Array;
  dLogits: Float32Array;
  dUserGmf: Float32Array;
  dItemGmf: Float32Array;
  dMlpInput: Float32Array;
  touchedUsers: TouchedRows;
  touchedItems: TouchedRows;
}

function table(rows: number, dim: number, std: number, rng: () => number): Parameter {
  return new Parameter(Float32Array.from({ length: rows * dim }, () => std * gaussian(rng)));
}

export function setUpNcf(data: TrainingData, params: Partial<NcfParams>, seed: number): NcfSetup {
  const p = resolveNcfParams(params);
  if (data.indices.length === 0) throw new Error('ncf: the training data has no interactions; import ratings first');
  const rng = createRng(mixSeed(seed, 0x4e4d46));
  const maxRows = p.batchSize * (1 + p.negatives);
  const network = new NeuMfNetwork(p.gmfDimension, p.mlpDimension, p.mlpHidden, maxRows).initialise(rng);
  const entryUser = new Int32Array(data.indices.length);
  for (let u = 0; u < data.nUsers; u++) entryUser.fill(u, data.indptr[u]!, data.indptr[u + 1]!);
  const warm = new Uint8Array(data.nItems);
  for (let e = 0; e < data.indices.length; e++) warm[data.indices[e]!] = 1;
  const warmItems: number[] = [];
  for (let i = 0; i < data.nItems; i++) if (warm[i] === 1) warmItems.push(i);
  const dg = p.gmfDimension;
  const dm = p.mlpDimension;
  return {
    params: p,
    data,
    network,
    userGmf: table(data.nUsers, dg, p.initStd, rng),
    userMlp: table(data.nUsers, dm, p.initStd, rng),
    itemGmf: table(data.nItems, dg, p.initStd, rng),
    itemMlp: table(data.nItems, dm, p.initStd, rng),
    adam: new Adam({ learningRate: p.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
    entryUser,
    warmItems: Int32Array.from(warmItems),
    seed,
    step: {
      users: new Int32Array(maxRows),
      items: new Int32Array(maxRows),
      labels: new Float32Array(maxRows),
      userGmf: new Float32Array(maxRows * dg),
      itemGmf: new Float32Array(maxRows * dg),
      mlpInput: new Float32Array(maxRows * 2 * dm),
      dLogits: new Float32Array(maxRows),
      dUserGmf: new Float32Array(maxRows * dg),
      dItemGmf: new Float32Array(maxRows * dg),
      dMlpInput: new Float32Array(maxRows * 2 * dm),
      touchedUsers: new TouchedRows(data.nUsers),
      touchedItems: new TouchedRows(data.nItems),
    },
  };
}

/** Whether `item` is on user u's list (indices are sorted within a row). */
function listed(data: TrainingData, u: number, item: number): boolean {
  let lo = data.indptr[u]!;
  let hi = data.indptr[u + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = data.indices[mid]!;
    if (x === item) return true;
    if (x < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** A uniform warm title not on u's list (after a few redraws, whatever was drawn: a list covering most titles is rare). */
function sampleNegative(setup: NcfSetup, u: number, rng: () => number): number {
  const pool = setup.warmItems;
  let item = pool[randomInt(rng, pool.length)]!;
  for (let attempt = 0; attempt < 8 && listed(setup.data, u, item); attempt++) item = pool[randomInt(rng, pool.length)]!;
  return item;
}

/** One Adam step on positives entries[from, to) and their sampled negatives; returns the loss. */
function trainStep(setup: NcfSetup, entries: Int32Array, from: number, to: number, rng: () => number): number {
  const { params: p, data, network, step: s, entryUser } = setup;
  const dg = p.gmfDimension;
  const dm = p.mlpDimension;
  let rows = 0;
  for (let k = from; k < to; k++) {
    const e = entries[k]!;
    const u = entryUser[e]!;
    s.users[rows] = u;
    s.items[rows] = data.indices[e]!;
    s.labels[rows++] = 1;
    for (let n = 0; n < p.negatives; n++) {
      s.users[rows] = u;
      s.items[rows] = sampleNegative(setup, u, rng);
      s.labels[rows++] = 0;
    }
  }
  const ug = setup.userGmf.value;
  const um = setup.userMlp.value;
  const ig = setup.itemGmf.value;
  const im = setup.itemMlp.value;
  for (let r = 0; r < rows; r++) {
    const u = s.users[r]!;
    const i = s.items[r]!;
    s.userGmf.set(ug.subarray(u * dg, u * dg + dg), r * dg);
    s.itemGmf.set(ig.subarray(i * dg, i * dg + dg), r * dg);
    s.mlpInput.set(um.subarray(u * dm, u * dm + dm), r * 2 * dm);
    s.mlpInput.set(im.subarray(i * dm, i * dm + dm), r * 2 * dm + dm);
  }
  const logits = network.forward(s.userGmf, s.itemGmf, s.mlpInput, rows);
  let loss = binaryCrossEntropy(logits, s.labels, null, rows, s.dLogits);
  network.backward(s.dLogits, rows, s.dUserGmf, s.dItemGmf, s.dMlpInput);
  // Every row regularises its own user's and title's embeddings with weight 1/rows (the loss is a mean).
  const lambda = p.l2 / rows;
  const gug = setup.userGmf.grad;
  const gum = setup.userMlp.grad;
  const gig = setup.itemGmf.grad;
  const gim = setup.itemMlp.grad;
  let squares = 0;
  for (let r = 0; r < rows; r++) {
    const u = s.users[r]!;
    const i = s.items[r]!;
    s.touchedUsers.add(u);
    s.touchedItems.add(i);
    for (let j = 0; j < dg; j++) {
      const a = ug[u * dg + j]!;
      const b = ig[i * dg + j]!;
      squares += a * a + b * b;
      gug[u * dg + j]! += s.dUserGmf[r * dg + j]! + lambda * a;
      gig[i * dg + j]! += s.dItemGmf[r * dg + j]! + lambda * b;
    }
    const o = r * 2 * dm;
    for (let j = 0; j < dm; j++) {
      const a = um[u * dm + j]!;
      const b = im[i * dm + j]!;
      squares += a * a + b * b;
      gum[u * dm + j]! += s.dMlpInput[o + j]! + lambda * a;
      gim[i * dm + j]! += s.dMlpInput[o + dm + j]! + lambda * b;
    }
  }
  loss += 0.5 * lambda * squares + network.l2(p.l2);
  const adam = setup.adam;
  adam.beginStep();
  const users = s.touchedUsers.rows();
  const items = s.touchedItems.rows();
  adam.updateRows(setup.userGmf, dg, users);
  adam.updateRows(setup.userMlp, dm, users);
  adam.updateRows(setup.itemGmf, dg, items);
  adam.updateRows(setup.itemMlp, dm, items);
  network.update(adam);
  s.touchedUsers.clear();
  s.touchedItems.clear();
  return loss;
}

/** One pass over every entry in a seeded order; returns the mean step loss. */
export function runEpoch(setup: NcfSetup, epoch: number): number {
  const rng = createRng(mixSeed(setup.seed, 0xe90c, epoch));
  const n = setup.data.indices.length;
  const order = shuffleInPlace(
    Int32Array.from({ length: n }, (_, k) => k),
    rng,
  );
  const b = setup.params.batchSize;
  let total = 0;
  let steps = 0;
  for (let from = 0; from < n; from += b) {
    total += trainStep(setup, order, from, Math.min(n, from + b), rng);
    steps++;
  }
  return steps > 0 ? total / steps : 0;
}

function meanRow(values: Float32Array, rows: number, dim: number): Float32Array {
  const mean = new Float32Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) mean[j]! += values[r * dim + j]! / rows;
  return mean;
}

/** The serving model: item tables, dense layers, which titles are warm, and the mean user (fold-in's start). */
export function servingModel(setup: NcfSetup): NcfRecommender {
  const { params: p, data, network } = setup;
  const warm = new Uint8Array(data.nItems);
  for (const i of setup.warmItems) warm[i] = 1;
  return new NcfRecommender(
    data.nItems,
    p,
    setup.itemGmf.value.slice(),
    setup.itemMlp.value.slice(),
    warm,
    meanRow(setup.userGmf.value, data.nUsers, p.gmfDimension),
    meanRow(setup.userMlp.value, data.nUsers, p.mlpDimension),
    network.mlp.layers,
    network.output,
  );
}

/**
 * Trains NeuMF (He et al. 2017) on implicit feedback: every listed title is a positive, each
 * with `negatives` uniform draws among the other titles that have interactions, binary
 * cross-entropy (the paper's pointwise log loss), Adam (lazy on embedding rows), no pre-training
 * of the branches (the paper's NeuMF without pre-training).
 */
export function trainNcf(data: TrainingData, params: Partial<NcfParams> = {}, options: TrainOptions = {}): NcfRecommender {
  const setup = setUpNcf(data, params, options.seed ?? 42);
  const p = setup.params;
  const report: NcfReport = {
    losses: [],
    secondsPerEpoch: [],
    rowsPerEpoch: data.indices.length * (1 + p.negatives),
    warmItems: setup.warmItems.length,
  };
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    const started = performance.now();
    const loss = runEpoch(setup, epoch);
    const seconds = (performance.now() - started) / 1000;
    report.losses.push(loss);
    report.secondsPerEpoch.push(seconds);
    options.onProgress?.((epoch + 1) / p.epochs, `ncf epoch ${epoch + 1}/${p.epochs}: loss ${loss.toFixed(4)} (${seconds.toFixed(1)} s)`);
  }
  const model = servingModel(setup);
  model.report = report;
  return model;
}
