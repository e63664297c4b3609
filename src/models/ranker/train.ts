/**
 * The boosting loop: each round computes the objective's gradients, grows one tree on binned
 * features (tree-grower.ts), and adds it to the scores. Validation NDCG picks the number of
 * trees (early stopping), so the ranker never needs a hand-tuned round count.
 */
import { resolveThreads } from '../dense-inverse-pool.js';
import { createRng, shuffleInPlace } from '../random.js';
import { boundarySampleRows, DEFAULT_BIN_SAMPLE_ROWS, MISSING_BIN, type BinnedFeatures } from './binning.js';
import { LambdaRankObjective } from './lambdarank.js';
import { NdcgEvaluator } from './ndcg.js';
import { createObjective } from './objective.js';
import { resolveRankerParams, validateDataset, type RankerParams, type RankingDataset } from './params.js';
import { addTreeOutput, RankerModel } from './model.js';
import { maxLiveHistograms, RankerThreads } from './threads.js';
import { TreeGrower, type GrownTree, type TreeArrays } from './tree-grower.js';

/** Below this many feature values a worker's start-up costs more than it saves, unless threads are asked for. */
const MIN_PARALLEL_CELLS = 1_000_000;

export interface TrainRankerOptions {
  /** Queries held out for early stopping; without them every round is kept. */
  validation?: RankingDataset;
  seed?: number;
  onRound?: (round: number, validationNdcg: number | null) => void;
  /**
   * Threads for the binning, the histograms, the partitions and the LambdaMART gradients
   * (threads.ts): the caller's request, else `env.threads` (ANIREC_THREADS), else every core
   * the process may use (small sets: one). The trees do not depend on it.
   */
  threads?: number;
}

/** Adds a tree's output to rows using the training bins (exactly the split the grower chose). */
function addBinnedTreeOutput(tree: GrownTree, binned: BinnedFeatures, rows: Int32Array, out: Float64Array): void {
  const { feature, splitBin, defaultLeft, left, right, value } = tree;
  const { bins, nFeatures } = binned;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let node = 0;
    for (let f = feature[0]!; f >= 0; f = feature[node]!) {
      const b = bins[row * nFeatures + f]!;
      node = b === MISSING_BIN ? (defaultLeft[node] ? left[node]! : right[node]!) : b <= splitBin[node]! ? left[node]! : right[node]!;
    }
    out[row]! += value[node]!;
  }
}

function stripBins(tree: GrownTree): TreeArrays {
  const { feature, threshold, defaultLeft, left, right, value, gain } = tree;
  return { feature, threshold, defaultLeft, left, right, value, gain };
}

export function trainRanker(data: RankingDataset, partial: Partial<RankerParams> = {}, options: TrainRankerOptions = {}): RankerModel {
  const params = resolveRankerParams(partial);
  validateDataset(data, 'training set');
  if (options.validation) validateDataset(options.validation, 'validation set');
  const { nFeatures, labels, groupOffsets } = data;
  const nRows = labels.length;
  const rng = createRng(options.seed ?? 42);

  const objective = createObjective(params.objective, labels, groupOffsets, params.ndcgAt);
  const lambda = objective instanceof LambdaRankObjective ? objective.tables : null;
  const T = options.threads === undefined && nRows * nFeatures < MIN_PARALLEL_CELLS ? 1 : resolveThreads(options.threads);
  const maxHistograms = maxLiveHistograms(params.maxLeaves, nRows, params.minDataInLeaf);
  const threads = new RankerThreads({ nRows, nFeatures, maxBins: params.maxBins, maxHistograms, lambda }, T);
  try {
    const binned = threads.binFeatures(data.features, boundarySampleRows(nRows, DEFAULT_BIN_SAMPLE_ROWS, options.seed ?? 42));
    return boost(data, params, options, rng, binned, objective, threads);
  } finally {
    threads.close();
  }
}

function boost(
  data: RankingDataset,
  params: RankerParams,
  options: TrainRankerOptions,
  rng: () => number,
  binned: BinnedFeatures,
  objective: ReturnType<typeof createObjective>,
  threads: RankerThreads,
): RankerModel {
  const { nFeatures, labels, groupOffsets } = data;
  const nRows = labels.length;
  const nQueries = groupOffsets.length - 1;
  const names = data.featureNames ?? Array.from({ length: nFeatures }, (_, f) => `f${f}`);
  const initialScore = objective.initialScore();
  const { scores, grad, hess, rows: rowIndices } = threads;
  scores.fill(initialScore);
  const grower = new TreeGrower(binned, params, threads);

  const validation = options.validation;
  const validationRows = validation ? validation.labels.length : 0;
  const validationScores = new Float64Array(validationRows).fill(initialScore);
  const evaluator = validation ? new NdcgEvaluator(validation.labels, validation.groupOffsets, params.ndcgAt) : null;

  const allQueries = Int32Array.from({ length: nQueries }, (_, q) => q);
  const allRows = Int32Array.from({ length: nRows }, (_, r) => r);
  const featureOrder = Array.from({ length: nFeatures }, (_, f) => f);
  const nActive = Math.max(1, Math.round(params.featureFraction * nFeatures));
  const nBagged = Math.max(1, Math.round(params.baggingFraction * nQueries));

  const trees: TreeArrays[] = [];
  let bestNdcg = -Infinity;
  let bestRound = 0;
  for (let round = 1; round <= params.rounds; round++) {
    let queries = allQueries;
    if (nBagged < nQueries) {
      const shuffled = Array.from(allQueries);
      shuffleInPlace(shuffled, rng);
      queries = Int32Array.from(shuffled.slice(0, nBagged)).sort();
    }
    if (objective instanceof LambdaRankObjective) {
      threads.queries.set(queries);
      threads.gradients(queries.length);
    } else {
      objective.computeGradients(scores, grad, hess, queries);
    }
    let nBagRows = 0;
    for (let i = 0; i < queries.length; i++) {
      for (let row = groupOffsets[queries[i]!]!, end = groupOffsets[queries[i]! + 1]!; row < end; row++) rowIndices[nBagRows++] = row;
    }
    shuffleInPlace(featureOrder, rng);
    const active = Int32Array.from(featureOrder.slice(0, nActive)).sort();

    const tree = grower.grow(nBagRows, active);
    if (nBagRows === nRows) grower.addLeafValues(scores);
    else addBinnedTreeOutput(tree, binned, allRows, scores);
    trees.push(stripBins(tree));

    let validationNdcg: number | null = null;
    if (validation && evaluator) {
      addTreeOutput(tree, validation.features, nFeatures, validationRows, validationScores);
      validationNdcg = evaluator.evaluate(validationScores);
      if (validationNdcg > bestNdcg + 1e-9) {
        bestNdcg = validationNdcg;
        bestRound = round;
      } else if (params.earlyStoppingRounds > 0 && round - bestRound >= params.earlyStoppingRounds) {
        options.onRound?.(round, validationNdcg);
        break;
      }
    } else {
      bestRound = round;
    }
    options.onRound?.(round, validationNdcg);
    // A tree with a single leaf means no split helps any more: more rounds would repeat it.
    if (tree.nLeaves <= 1) break;
  }
  return new RankerModel(trees.slice(0, Math.max(1, bestRound)), nFeatures, names, initialScore, Math.max(1, bestRound), params);
}
