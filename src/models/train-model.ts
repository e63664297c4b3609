import type { Anime } from '../data/types.js';
import type { AlsParams } from './als/params.js';
import { trainAls } from './als/train.js';
import { makeBundle, manifestFor, type ModelBundle } from './bundle.js';
import type { ContentParams } from './content/params.js';
import { trainContentModel } from './content/train.js';
import type { EaseParams } from './ease/params.js';
import { trainEase } from './ease/train.js';
import { computeItemStats } from './hybrid/item-stats.js';
import { DEFAULT_ANIREC_PARAMS, type AnirecTrainParams } from './hybrid/params.js';
import { trainHybrid, type ComponentSpec } from './hybrid/train.js';
import type { ItemKnnParams } from './itemknn/params.js';
import { trainItemKnn } from './itemknn/train.js';
import type { PopularityParams } from './popularity/params.js';
import { trainPopularity } from './popularity/train.js';
import type { Recommender, TrainingData, TrainOptions } from './types.js';
import { TwoTowerRecommender } from './twotower/model.js';
import { continueTwoTower, trainTwoTower } from './twotower/train.js';
import { resolveTwoTowerParams, type TwoTowerParams } from './twotower/params.js';
import type { NcfParams } from './ncf/params.js';
import { trainNcf } from './ncf/train.js';

export const MODEL_NAMES = ['anirec', 'ease', 'als', 'itemknn', 'content', 'popularity', 'twotower', 'ncf'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Every model's parameters; each model reads its own part. Defaults come from docs/evaluation.md's search. */
export interface ModelParams {
  popularity: Partial<PopularityParams>;
  itemknn: Partial<ItemKnnParams>;
  ease: Partial<EaseParams>;
  als: Partial<AlsParams>;
  content: Partial<ContentParams>;
  twotower: Partial<TwoTowerParams>;
  ncf: Partial<NcfParams>;
  /** The hybrid (kind `anirec`): its ranker and how it is taught. */
  anirec: Partial<AnirecTrainParams>;
  /** Candidates each component proposes to the hybrid's ranker. */
  candidates: Record<'ease' | 'als' | 'itemknn' | 'twotower' | 'content' | 'popularity', number>;
  /** Titles nobody rated that the two-tower component proposes besides its top list (HybridComponent.unratedCandidates). */
  unratedCandidates: number;
}

export const DEFAULT_MODEL_PARAMS: ModelParams = {
  popularity: {},
  itemknn: {},
  ease: {},
  als: {},
  content: {},
  twotower: {},
  ncf: {},
  anirec: {},
  candidates: { ease: 100, als: 100, itemknn: 60, twotower: 50, content: 30, popularity: 20 },
  unratedCandidates: 0,
};

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

export interface TrainedModel {
  recommender: Recommender;
  params: unknown;
  report?: unknown;
}

/** The hybrid's components, in the order the ranker's features name them; 0 candidates leaves a component out. */
export function hybridComponents(catalogue: ReadonlyMap<number, Anime>, params: ModelParams): ComponentSpec[] {
  const { candidates } = params;
  const refitEpochs = resolveTwoTowerParams(params.twotower).refitEpochs;
  const all: ComponentSpec[] = [
    { name: 'ease', candidates: candidates.ease, train: (d, o) => trainEase(d, params.ease, o) },
    { name: 'als', candidates: candidates.als, train: (d, o) => trainAls(d, params.als, o) },
    { name: 'itemknn', candidates: candidates.itemknn, train: (d, o) => trainItemKnn(d, params.itemknn, o) },
    // Before content: the fallback order of a title nobody rated comes from the first component
    // that can score it (hybrid/model.ts), and the two-tower model ranks such titles best.
    {
      name: 'twotower',
      candidates: candidates.twotower,
      unratedCandidates: params.unratedCandidates,
      train: (d, o) => trainTwoTower(d, catalogue, params.twotower, o),
      ...(refitEpochs > 0
        ? {
            continueFrom: (earlier: Recommender, d: TrainingData, o: TrainOptions) => {
              if (!(earlier instanceof TwoTowerRecommender)) throw new TypeError('twotower: continueFrom needs a two-tower model');
              return continueTwoTower(earlier, d, catalogue, params.twotower, refitEpochs, o);
            },
          }
        : {}),
    },
    {
      name: 'content',
      candidates: candidates.content,
      // Reads only the catalogue: the ranker's fit is reused on every user (hybrid/train.ts).
      interactionFree: true,
      train: (d, o) => trainContentModel(d, catalogue, params.content, o),
    },
    { name: 'popularity', candidates: candidates.popularity, train: (d) => trainPopularity(d, params.popularity) },
  ];
  return all.filter((component) => component.candidates > 0);
}

/** Trains one model by name on `data` (whose item vocabulary covers the catalogue). */
export async function trainModel(
  name: ModelName,
  data: TrainingData,
  catalogue: ReadonlyMap<number, Anime>,
  params: ModelParams = DEFAULT_MODEL_PARAMS,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  switch (name) {
    case 'popularity':
      return { recommender: trainPopularity(data, params.popularity), params: params.popularity };
    case 'itemknn':
      return { recommender: trainItemKnn(data, params.itemknn, options), params: params.itemknn };
    case 'ease':
      return { recommender: trainEase(data, params.ease, options), params: params.ease };
    case 'als':
      return { recommender: trainAls(data, params.als, options), params: params.als };
    case 'content':
      return { recommender: await trainContentModel(data, catalogue, params.content, options), params: params.content };
    case 'twotower': {
      const recommender = trainTwoTower(data, catalogue, params.twotower, options);
      return { recommender, params: recommender.params, report: recommender.report };
    }
    case 'ncf': {
      const recommender = trainNcf(data, params.ncf, options);
      return { recommender, params: recommender.params, report: recommender.report };
    }
    case 'anirec': {
      const anirecParams = { ...DEFAULT_ANIREC_PARAMS, ...params.anirec };
      const { model, report } = await trainHybrid(
        data,
        hybridComponents(catalogue, params),
        computeItemStats(data, catalogue),
        anirecParams,
        options,
      );
      return { recommender: model, params: { ...params, anirec: anirecParams }, report };
    }
  }
}

/**
 * Trains `name` on a training set and returns a bundle ready to save (saveBundle) or serve
 * (RecommendationEngine.create): the one-call path for library users.
 */
export async function trainBundle(
  name: ModelName,
  data: TrainingData,
  catalogue: ReadonlyMap<number, Anime>,
  params: ModelParams = DEFAULT_MODEL_PARAMS,
  options: TrainOptions = {},
): Promise<ModelBundle> {
  const started = performance.now();
  const trained = await trainModel(name, data, catalogue, params, options);
  return makeBundle(manifestFor(name, trained, data, (performance.now() - started) / 1000), trained.recommender, data);
}
