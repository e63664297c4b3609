import type { Anime } from '../../data/types.js';
import { Adam } from '../neural/adam.js';
import { DenseLayer } from '../neural/dense.js';
import { createRng, mixSeed } from '../random.js';
import type { TrainingData, TrainOptions } from '../types.js';
import { BatchBuilder, epochPairs, preparePairs, type PairSource } from './examples.js';
import { buildItemInputs } from './item-inputs.js';
import { TwoTowerRecommender } from './model.js';
import { TwoTowerNetwork } from './network.js';
import { resolveTwoTowerParams, USER_FEATURES, type TwoTowerParams } from './params.js';

export interface TwoTowerReport {
  /** Mean training loss (softmax + L2) per epoch. */
  losses: number[];
  secondsPerEpoch: number[];
  pairsPerEpoch: number[];
  itemInputs: number;
  synopsisVectors: number;
  synopsisVarianceKept: number;
  warmItems: number;
}

/** Everything a training run sets up before its first step (the epoch benchmark reuses it). */
export interface TwoTowerSetup {
  params: TwoTowerParams;
  source: PairSource;
  network: TwoTowerNetwork;
  builder: BatchBuilder;
  adam: Adam;
  seed: number;
}

export function setUpTwoTower(
  data: TrainingData,
  catalogue: ReadonlyMap<number, Anime>,
  params: Partial<TwoTowerParams>,
  seed: number,
): TwoTowerSetup {
  const p = resolveTwoTowerParams(params);
  if (data.indices.length === 0) throw new Error('twotower: the training data has no interactions; import ratings first');
  const inputs = buildItemInputs(data.itemIds, catalogue, p, mixSeed(seed, 0x9ca));
  const source = preparePairs(data, inputs, p);
  const network = new TwoTowerNetwork(source, p.batchSize, createRng(mixSeed(seed, 0x1417)));
  return {
    params: p,
    source,
    network,
    builder: new BatchBuilder(source, p.batchSize),
    adam: new Adam({ learningRate: p.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
    seed,
  };
}

/** One pass: returns the mean loss and the number of pairs. */
export function runEpoch(setup: TwoTowerSetup, epoch: number): { loss: number; pairs: number } {
  const { params: p, source, network, builder, adam, seed } = setup;
  const rng = createRng(mixSeed(seed, 0xe90c, epoch));
  const pairs = epochPairs(source, rng);
  const n = pairs.users.length;
  let total = 0;
  let steps = 0;
  for (let from = 0; from < n; from += p.batchSize) {
    const batch = builder.build(pairs, from, Math.min(n, from + p.batchSize), rng);
    total += network.trainStep(batch, adam);
    steps++;
  }
  return { loss: steps > 0 ? total / steps : 0, pairs: n };
}

/**
 * Trains the two-tower retrieval model (Yi et al. 2019; Covington et al. 2016) with in-batch
 * plus uniformly sampled negatives, the logQ correction, Adam, and DropoutNet-style ID dropout,
 * then precomputes every title's embedding and user-tower row for serving.
 */
export function trainTwoTower(
  data: TrainingData,
  catalogue: ReadonlyMap<number, Anime>,
  params: Partial<TwoTowerParams> = {},
  options: TrainOptions = {},
): TwoTowerRecommender {
  const setup = setUpTwoTower(data, catalogue, params, options.seed ?? 42);
  return trainEpochs(setup, 0, setup.params.epochs, options);
}

/**
 * Continues `earlier`'s training on `data` for `epochs` more passes: its weights and Adam state
 * carry over (same item vocabulary and inputs), and the epochs draw their own shuffles after
 * earlier's. The hybrid's final fit on every user uses it: the towers have no per-user
 * parameters, so earlier's network is already a model of every user and only needs the users
 * and interactions it did not see.
 */
export function continueTwoTower(
  earlier: TwoTowerRecommender,
  data: TrainingData,
  catalogue: ReadonlyMap<number, Anime>,
  params: Partial<TwoTowerParams>,
  epochs: number,
  options: TrainOptions = {},
): TwoTowerRecommender {
  const state = earlier.training;
  if (state === undefined) throw new Error('twotower: continueTwoTower needs a model trained in this process (its network is not saved)');
  const setup = setUpTwoTower(data, catalogue, params, state.seed);
  setup.network.copyStateFrom(state.network);
  setup.adam.resumeAt(state.adam.steps);
  return trainEpochs(setup, state.epochs, epochs, options);
}

/** Runs epochs first … first + count − 1 of `setup`, reporting progress over them, and returns the serving model. */
function trainEpochs(setup: TwoTowerSetup, first: number, count: number, options: TrainOptions): TwoTowerRecommender {
  const { source } = setup;
  const report: TwoTowerReport = {
    losses: [],
    secondsPerEpoch: [],
    pairsPerEpoch: [],
    itemInputs: source.inputs.dim,
    synopsisVectors: source.inputs.synopsisVectors,
    synopsisVarianceKept: source.inputs.synopsisVarianceKept,
    warmItems: source.warm.reduce((s, x) => s + x, 0),
  };
  for (let e = 0; e < count; e++) {
    const started = performance.now();
    const { loss, pairs } = runEpoch(setup, first + e);
    const seconds = (performance.now() - started) / 1000;
    report.losses.push(loss);
    report.secondsPerEpoch.push(seconds);
    report.pairsPerEpoch.push(pairs);
    options.onProgress?.(
      (e + 1) / count,
      `twotower epoch ${first + e + 1}/${first + count}: loss ${loss.toFixed(4)} (${seconds.toFixed(1)} s)`,
    );
  }
  const model = servingModel(setup);
  model.report = report;
  model.training = { network: setup.network, adam: setup.adam, epochs: first + count, seed: setup.seed };
  return model;
}

/** Item embeddings for every title (ID part for warm ones), and the user tower's first layer folded into per-title rows. */
export function servingModel(setup: TwoTowerSetup): TwoTowerRecommender {
  const { params: p, source, network } = setup;
  const { nItems } = source.data;
  const d = p.dimension;
  const chunk = p.batchSize + p.negatives;
  const itemEmbeddings = new Float32Array(nItems * d);
  const items = new Int32Array(chunk);
  const keep = new Uint8Array(chunk);
  const out = new Float32Array(chunk * d);
  const norms = new Float32Array(chunk);
  for (let from = 0; from < nItems; from += chunk) {
    const count = Math.min(chunk, nItems - from);
    for (let c = 0; c < count; c++) {
      items[c] = from + c;
      keep[c] = source.warm[from + c]!;
    }
    network.itemForward(items, count, keep, out, norms);
    itemEmbeddings.set(out.subarray(0, count * d), from * d);
  }
  const first = network.userMlp.layers[0]!;
  const width = first.outDim;
  const inputDim = source.inputs.dim;
  const userItemRows = new Float32Array(nItems * width);
  const w = first.weights;
  const history = network.historyIds?.value ?? null;
  for (let i = 0; i < nItems; i++) {
    const o = i * width;
    for (let k = 0; k < inputDim; k++) {
      const x = source.inputs.rows[i * inputDim + k]!;
      if (x === 0) continue;
      for (let j = 0; j < width; j++) userItemRows[o + j]! += x * w[k * width + j]!;
    }
    if (history === null) continue;
    for (let k = 0; k < d; k++) {
      const x = history[i * d + k]!;
      if (x === 0) continue;
      const row = (source.historyOffset + k) * width;
      for (let j = 0; j < width; j++) userItemRows[o + j]! += x * w[row + j]!;
    }
  }
  const featureStart = (source.userInputDim - USER_FEATURES) * width;
  const userFeatureWeights = w.slice(featureStart, featureStart + USER_FEATURES * width);
  const upper = network.userMlp.layers
    .slice(1)
    .map((layer) => new DenseLayer(layer.inDim, layer.outDim, layer.weights.slice(), layer.bias.slice()));
  return new TwoTowerRecommender(nItems, d, p, itemEmbeddings, userItemRows, userFeatureWeights, first.bias.slice(), upper);
}
