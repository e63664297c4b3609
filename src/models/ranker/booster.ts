/**
 * The boosting loop: each round computes the objective's gradients, grows one tree on binned
 * features (tree-grower.ts), and adds it to the scores. Validation NDCG picks the number of
 * trees (early stopping), so the ranker never needs a hand-tuned round count.
 */
import { createRng, shuffleInPlace } from '../random.js';
import { binFeatures, MISSING_BIN, type BinnedFeatures } from './binning.js';
import { NdcgEvaluator } from './ndcg.js';
import { createObjective } from './objective.js';
import { resolveRankerParams, validateDataset, type RankerParams, type RankingDataset } from './params.js';
import { addTreeOutput, RankerModel } from './ranker-model.js';
import { TreeGrower, type GrownTree, type TreeArrays } from './tree-grower.js';

export interface TrainRankerOptions {
  /** Queries held out for early stopping; without them every round is kept. */
  validation?: RankingDataset;
  seed?: number;
  onRound?: (round: number, validationNdcg: number | null) => void;
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
  const nQueries = groupOffsets.length - 1;
  const names = data.featureNames ?? Array.from({ length: nFeatures }, (_, f) => `f${f}`);
  const rng = createRng(options.seed ?? 42);

  const binned = binFeatures(data.features, nRows, nFeatures, { maxBins: params.maxBins, seed: options.seed ?? 42 });
  const objective = createObjective(params.objective, labels, groupOffsets, params.ndcgAt);
  const initialScore = objective.initialScore();
  const scores = new Float64Array(nRows).fill(initialScore);
  const grad = new Float64Array(nRows);
  const hess = new Float64Array(nRows);
  const grower = new TreeGrower(binned, params);

  const validation = options.validation;
  const validationRows = validation ? validation.labels.length : 0;
  const validationScores = new Float64Array(validationRows).fill(initialScore);
  const evaluator = validation ? new NdcgEvaluator(validation.labels, validation.groupOffsets, params.ndcgAt) : null;

  const allQueries = Int32Array.from({ length: nQueries }, (_, q) => q);
  const allRows = Int32Array.from({ length: nRows }, (_, r) => r);
  const rowIndices = new Int32Array(nRows);
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
    objective.computeGradients(scores, grad, hess, queries);
    let nBagRows = 0;
    for (let i = 0; i < queries.length; i++) {
      for (let row = groupOffsets[queries[i]!]!, end = groupOffsets[queries[i]! + 1]!; row < end; row++) rowIndices[nBagRows++] = row;
    }
    shuffleInPlace(featureOrder, rng);
    const active = Int32Array.from(featureOrder.slice(0, nActive)).sort();

    const tree = grower.grow(rowIndices, nBagRows, grad, hess, active);
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
