import type { Anime, AnimeRelation } from '../data/types.js';
import { trainScorePredictor } from '../models/score-predictor.js';
import { DEFAULT_MODEL_PARAMS, trainModel, type ModelName, type ModelParams } from '../models/train-model.js';
import type { ItemSimilarity, Recommender, TrainingData } from '../models/types.js';
import { evaluate, type EvalModel, type EvaluationResult, type Relevance } from './evaluate.js';
import { franchiseDiscoveries, franchiseLookup, summarizeFranchiseDiscoveries, type FranchiseRow } from './franchise-discoveries.js';
import { pairedBootstrapTest, type PairedTestResult } from './significance.js';
import { splitUsers, type UserSplit } from './split.js';

export interface CompareOptions {
  models: readonly ModelName[];
  seed: number;
  /** Held-out test users (count ≥ 1 or fraction < 1). */
  testUsers: number;
  ks?: readonly number[];
  relevance?: readonly Relevance[];
  params?: ModelParams;
  /** The model whose per-user NDCG is compared (paired bootstrap) with every other one. */
  reference?: ModelName;
  /** The store's title relations, so the franchise table groups as the service does. */
  relations?: readonly AnimeRelation[];
  onProgress?: (message: string) => void;
}

export interface Comparison {
  split: UserSplit['description'];
  result: EvaluationResult;
  /** reference vs each other model on per-user ndcg@maxK ('liked' relevance). */
  significance: Array<{ against: string; metric: string; test: PairedTestResult }>;
  trainSeconds: Record<string, number>;
  /** Each model's list as scored (franchise=all) against as served (group), at the largest k. */
  franchise: FranchiseRow[];
}

/**
 * The `anirec eval` protocol: one seeded strong-generalisation split, every model trained on the
 * same training users, every model scored on the same held-out users (fold-in of 80% of each
 * list, the other 20% to find). Hyper-parameters are NOT chosen here: they come from the search
 * on validation users (docs/evaluation.md), so the test users stay unseen.
 */
export async function compareModels(
  data: TrainingData,
  catalogue: ReadonlyMap<number, Anime>,
  options: CompareOptions,
): Promise<Comparison> {
  const log = options.onProgress ?? (() => {});
  const ks = options.ks ?? [10, 20];
  const split = splitUsers(data, { seed: options.seed, validationUsers: 0, testUsers: options.testUsers });
  log(split.description.text);
  const models: EvalModel[] = [];
  const trainSeconds: Record<string, number> = {};
  for (const name of options.models) {
    log(`training ${name}`);
    const started = performance.now();
    const trained = await trainModel(name, split.trainData, catalogue, options.params ?? DEFAULT_MODEL_PARAMS, {
      seed: options.seed,
      onProgress: (fraction, message) => log(`  ${name}: ${Math.round(fraction * 100)}% ${message}`),
    });
    trainSeconds[name] = (performance.now() - started) / 1000;
    log(`trained ${name} in ${trainSeconds[name]!.toFixed(1)} s`);
    models.push({ name, recommender: trained.recommender });
  }
  attachScorePredictors(models, split.trainData);
  log(`scoring ${split.test.length} held-out users`);
  const result = evaluate(models, split.test, {
    trainData: split.trainData,
    ks,
    relevance: options.relevance ?? ['liked', 'listed'],
    ci: { seed: options.seed },
  });
  const metric = `ndcg@${Math.max(...ks)}`;
  const liked = result.sections.find((s) => s.relevance === 'liked') ?? result.sections[0]!;
  const reference = liked.models.find((m) => m.name === (options.reference ?? 'anirec'));
  const significance: Comparison['significance'] = [];
  if (reference) {
    for (const other of liked.models) {
      if (other === reference) continue;
      significance.push({
        against: other.name,
        metric,
        test: pairedBootstrapTest(reference.metrics[metric]!.perUser, other.metrics[metric]!.perUser, { seed: options.seed }),
      });
    }
  }
  log('measuring franchise-aware lists');
  const lookup = franchiseLookup(split.trainData.itemIds, catalogue, options.relations);
  const k = Math.max(...ks);
  const franchise = models.map(({ name, recommender }) =>
    summarizeFranchiseDiscoveries(name, franchiseDiscoveries(recommender, split.test, lookup, { k }), k, options.seed),
  );
  return { split: split.description, result, significance, trainSeconds, franchise };
}

/**
 * Score prediction for MAE/RMSE. The ranking models do not predict 1–10 scores, so two explicit
 * predictors are attached: popularity carries the baseline (global mean + item and user biases),
 * and the neighbourhood models (item-kNN, and anirec through its item-kNN component) add the
 * user's residuals on similar titles. The report names each row after the model it rides on.
 */
function attachScorePredictors(models: EvalModel[], trainData: TrainingData): void {
  for (const model of models) {
    const { recommender } = model;
    let neighbours: ItemSimilarity | null = null;
    if (recommender.kind === 'itemknn') neighbours = similarityOf(recommender);
    else if (recommender.kind === 'anirec') {
      const itemknn = recommender.components?.().get('itemknn');
      neighbours = itemknn === undefined ? null : similarityOf(itemknn);
    } else if (recommender.kind !== 'popularity') continue;
    const predictor = trainScorePredictor(trainData, {}, neighbours);
    model.predictScore = (history, items) => predictor.predict(history, items);
  }
}

function similarityOf(model: Recommender): ItemSimilarity | null {
  const similarItems = model.similarItems?.bind(model);
  return similarItems === undefined ? null : { similarItems };
}
