import { trainRanker, type RankerModel, type RankerParams, type RankingDataset } from '../ranker/index.js';
import { createRng, shuffleInPlace } from '../random.js';
import { itemCounts, subsetUsers, withoutItems } from '../training-data.js';
import type { History, Recommender, TrainingData, TrainOptions } from '../types.js';
import { buildFeatures } from './features.js';
import { CandidateGenerator, unratedItems, type HybridComponent } from './candidates.js';
import { featureNames } from './features.js';
import { AnirecHybrid } from './model.js';
import { DEFAULT_ANIREC_PARAMS, type AnirecTrainParams } from './params.js';
import { asUnrated, meanTrainingScore, type ItemStats } from './item-stats.js';

/** How to train one base recommender of the hybrid. */
export interface ComponentSpec {
  name: string;
  candidates: number;
  /** See HybridComponent.unratedCandidates. */
  unratedCandidates?: number;
  /**
   * True for a model that reads nothing of the interactions but the item vocabulary (content:
   * titles' metadata and synopses). Its fit on every user would be identical to its fit for the
   * ranker, so the final step reuses that one instead of training it again.
   */
  interactionFree?: boolean;
  /**
   * How the final step fits this model on every user when it can continue the ranker's fit
   * (`earlier`, trained on most of them) instead of starting over; absent, it trains from scratch.
   */
  continueFrom?(earlier: Recommender, data: TrainingData, options: TrainOptions): Promise<Recommender> | Recommender;
  /** `options` carries the hybrid's seed and a progress callback already scaled to this component's share. */
  train(data: TrainingData, options: TrainOptions): Promise<Recommender> | Recommender;
}

interface FoldInUser {
  history: History;
  targets: Map<number, number>;
}

/** Splits one user's CSR row into a seeded fold-in history and held-out targets (item → score). */
function splitUserRow(data: TrainingData, user: number, fraction: number, rng: () => number): FoldInUser {
  const start = data.indptr[user]!;
  const end = data.indptr[user + 1]!;
  const positions = Array.from({ length: end - start }, (_, i) => start + i);
  shuffleInPlace(positions, rng);
  const nHistory = Math.max(1, Math.round(positions.length * fraction));
  const historyPositions = positions.slice(0, nHistory).sort((a, b) => a - b);
  const targets = new Map<number, number>();
  for (const p of positions.slice(nHistory)) targets.set(data.indices[p]!, data.scores[p]!);
  return {
    history: {
      items: Int32Array.from(historyPositions, (p) => data.indices[p]!),
      scores: Float32Array.from(historyPositions, (p) => data.scores[p]!),
    },
    targets,
  };
}

/**
 * Builds the ranker's training queries: for each held-back user, the base models' candidates
 * with their features, labelled by whether (and how much) the user really listed them.
 * Queries whose candidates contain no target are dropped: they carry no ranking signal.
 */
function buildRankingSet(
  generator: CandidateGenerator,
  users: readonly FoldInUser[],
  stats: ItemStats,
  params: AnirecTrainParams,
): RankingDataset {
  const featureChunks: Float32Array[] = [];
  const labelChunks: Float32Array[] = [];
  const offsets = [0];
  for (const user of users) {
    const { views, candidates } = generator.generate(user.history);
    const labels = new Float32Array(candidates.length);
    let positives = 0;
    for (let c = 0; c < candidates.length; c++) {
      const score = user.targets.get(candidates[c]!);
      if (score === undefined) continue;
      labels[c] = score >= params.likedThreshold ? params.likedGain : params.listedGain;
      positives++;
    }
    if (positives === 0 || positives === candidates.length) continue;
    featureChunks.push(buildFeatures(user.history, candidates, views, stats));
    labelChunks.push(labels);
    offsets.push(offsets[offsets.length - 1]! + candidates.length);
  }
  const nRows = offsets[offsets.length - 1]!;
  const names = featureNames(generator.names);
  const nFeatures = names.length;
  const features = new Float32Array(nRows * nFeatures);
  const labels = new Float32Array(nRows);
  let row = 0;
  featureChunks.forEach((chunk, q) => {
    features.set(chunk, row * nFeatures);
    labels.set(labelChunks[q]!, row);
    row += labelChunks[q]!.length;
  });
  return { features, nFeatures, labels, groupOffsets: Int32Array.from(offsets), featureNames: names };
}

/** What step 1 and the query building of `trainHybrid` produce: the ranker's training material. */
export interface RankerTrainingSets {
  fitting: RankingDataset;
  /** The held-back users' queries kept for the ranker's early stopping. */
  validation: RankingDataset;
  baseUsers: number;
  rankerUsers: number;
  simulatedColdTitles: number;
  /** The base models step 1 trained (interaction-free ones are reused by step 3). */
  stageOne: HybridComponent[];
}

type ComponentTrainer = (on: TrainingData, from: number, to: number, earlier?: readonly HybridComponent[]) => Promise<HybridComponent[]>;

/**
 * Trains every spec in order, giving each its share [from, to) of the hybrid's progress. With
 * `earlier` (the same specs fitted on other users of the same item vocabulary), interaction-free
 * components are taken from it instead of being trained again.
 */
function componentTrainer(specs: readonly ComponentSpec[], options: TrainOptions): ComponentTrainer {
  const report = (fraction: number, message: string): void => options.onProgress?.(fraction, message);
  return async (on, from, to, earlier) => {
    const out: HybridComponent[] = [];
    for (const [i, spec] of specs.entries()) {
      const reusable = earlier?.[i];
      if (spec.interactionFree === true && reusable !== undefined && reusable.model.nItems === on.nItems) {
        out.push(reusable);
        continue;
      }
      // One expression for every point, so a component's end is exactly the next one's start.
      const at = (fraction: number): number => from + ((to - from) * (i + Math.min(1, Math.max(0, fraction)))) / specs.length;
      const componentOptions: TrainOptions = { seed: options.seed, onProgress: (fraction, message) => report(at(fraction), message) };
      const model =
        reusable !== undefined && spec.continueFrom !== undefined
          ? await spec.continueFrom(reusable.model, on, componentOptions)
          : await spec.train(on, componentOptions);
      out.push({ name: spec.name, candidates: spec.candidates, unratedCandidates: spec.unratedCandidates ?? 0, model });
    }
    return out;
  };
}

/**
 * Steps 1 and 2 of `trainHybrid` up to the ranker's fit: holds a seeded group of training users
 * back, trains the base models on the others (with the simulated cold titles), and turns the
 * held-back users into ranking queries. Exposed so the ranker can be measured on exactly the
 * material it is trained on (bench/ranker.ts). Progress runs from 0 to 0.55.
 */
export async function buildRankerTrainingSets(
  data: TrainingData,
  specs: readonly ComponentSpec[],
  stats: ItemStats,
  params: AnirecTrainParams = DEFAULT_ANIREC_PARAMS,
  options: TrainOptions = {},
  rng: () => number = createRng(options.seed ?? 42),
  trainAll: ComponentTrainer = componentTrainer(specs, options),
): Promise<RankerTrainingSets> {
  const report = (fraction: number, message: string): void => options.onProgress?.(fraction, message);
  const eligible: number[] = [];
  for (let u = 0; u < data.nUsers; u++) {
    if (data.indptr[u + 1]! - data.indptr[u]! >= params.minItemsPerRankerUser) eligible.push(u);
  }
  shuffleInPlace(eligible, rng);
  const heldBack = eligible.slice(0, Math.min(params.rankerUsers, Math.floor(eligible.length / 3)));
  const heldBackSet = new Set(heldBack);
  const baseUsers = Array.from({ length: data.nUsers }, (_, u) => u).filter((u) => !heldBackSet.has(u));

  report(0, `training ${specs.length} base models on ${baseUsers.length} users (${heldBack.length} held back for the ranker)`);
  const { data: baseData, cold, nCold } = simulateColdTitles(subsetUsers(data, baseUsers), params.simulatedColdShare, rng);
  const stageOneStats = nCold > 0 ? asUnrated(stats, cold, meanTrainingScore(data)) : stats;
  const stageOne = await trainAll(baseData, 0, 0.4);

  report(0.4, 'building ranker training queries');
  const foldIns = heldBack.map((u) => splitUserRow(data, u, params.foldInFraction, rng));
  const nValidation = Math.round(foldIns.length * params.rankerValidationShare);
  const stageOneGenerator = new CandidateGenerator(stageOne, unratedItems(stageOneStats.logCount));
  const validation = buildRankingSet(stageOneGenerator, foldIns.slice(0, nValidation), stageOneStats, params);
  const fitting = buildRankingSet(stageOneGenerator, foldIns.slice(nValidation), stageOneStats, params);
  return { fitting, validation, baseUsers: baseUsers.length, rankerUsers: heldBack.length, simulatedColdTitles: nCold, stageOne };
}

/**
 * Trains the hybrid in three steps:
 * 1. base models on all training users except a held-back group;
 * 2. the ranker on the held-back users, each folded in from 80% of their list and asked to find
 *    the other 20% — exactly the situation of a new user at serving time, so the ranker learns
 *    how far to trust each base model on unseen users;
 * 3. base models again on every training user, so serving uses all the data (except those that
 *    read no interactions, which step 1 already fitted identically).
 */
export async function trainHybrid(
  data: TrainingData,
  specs: readonly ComponentSpec[],
  stats: ItemStats,
  params: AnirecTrainParams = DEFAULT_ANIREC_PARAMS,
  options: TrainOptions = {},
): Promise<{ model: AnirecHybrid; report: HybridTrainReport }> {
  const rng = createRng(options.seed ?? 42);
  const report = (fraction: number, message: string): void => options.onProgress?.(fraction, message);
  const trainAll = componentTrainer(specs, options);
  const sets = await buildRankerTrainingSets(data, specs, stats, params, options, rng, trainAll);
  const { fitting, validation } = sets;

  report(0.55, `training the ranker on ${fitting.groupOffsets.length - 1} queries, ${fitting.labels.length} candidates`);
  const ranker = trainRanker(fitting, { ...params.ranker }, { validation, seed: options.seed ?? 42 });

  report(0.7, 'retraining base models on all users');
  const final = await trainAll(data, 0.7, 1, sets.stageOne);
  report(1, 'done');
  return {
    model: new AnirecHybrid(new CandidateGenerator(final, unratedItems(stats.logCount)), stats, ranker),
    report: {
      baseUsers: sets.baseUsers,
      rankerUsers: sets.rankerUsers,
      simulatedColdTitles: sets.simulatedColdTitles,
      rankerQueries: fitting.groupOffsets.length - 1,
      rankerRows: fitting.labels.length,
      validationQueries: validation.groupOffsets.length - 1,
      bestRound: ranker.bestRound,
      featureImportance: ranker.featureImportance(),
    },
  };
}

export interface HybridTrainReport {
  baseUsers: number;
  rankerUsers: number;
  /** Rated titles the ranker's base models saw as unrated (see simulatedColdShare). */
  simulatedColdTitles: number;
  rankerQueries: number;
  rankerRows: number;
  validationQueries: number;
  bestRound: number;
  featureImportance: ReturnType<RankerModel['featureImportance']>;
}

/** A seeded `share` of the titles rated in `data` with their interactions removed (cold[i] = 1). */
function simulateColdTitles(data: TrainingData, share: number, rng: () => number): { data: TrainingData; cold: Uint8Array; nCold: number } {
  const cold = new Uint8Array(data.nItems);
  if (!(share > 0)) return { data, cold, nCold: 0 };
  const counts = itemCounts(data);
  const rated: number[] = [];
  for (let i = 0; i < data.nItems; i++) if (counts[i]! > 0) rated.push(i);
  shuffleInPlace(rated, rng);
  const nCold = Math.round(rated.length * Math.min(share, 1));
  for (const item of rated.slice(0, nCold)) cold[item] = 1;
  return { data: withoutItems(data, cold), cold, nCold };
}
