/**
 * A small LambdaMART (gradient-boosted trees optimising NDCG) written for anirec's hybrid: a
 * few hundred thousand candidate rows and ~40 features, trained in seconds in plain
 * TypeScript. Histogram-based, leaf-wise growth, as LightGBM does it.
 */
export { trainRanker, type TrainRankerOptions } from './train.js';
export { DEFAULT_RANKER_PARAMS, resolveRankerParams, type RankerObjective, type RankerParams, type RankingDataset } from './params.js';
export { RankerModel, type FeatureImportance, type RankerJson } from './model.js';
export { meanNdcg } from './ndcg.js';
