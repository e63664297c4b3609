/**
 * Every knob of the two-tower model. Defaults come from the validation-user search recorded in
 * docs/evaluation.md ("Feature-aware models"); the search never saw the test users.
 */
import { meanScore } from '../sparse.js';

export interface TwoTowerParams {
  /** Width d of the user and item embeddings whose dot product is the score. */
  dimension: number;
  /** Hidden layer widths of the item (candidate) tower, input → ... → d. */
  itemHidden: number[];
  /** Hidden layer widths of the user (query) tower. */
  userHidden: number[];
  /** Passes over the training users; each pass draws `targetsPerUser` targets per user. */
  epochs: number;
  /**
   * In the hybrid only: the final fit on every user continues the network of the ranker's fit
   * (step 1, on most users) for this many passes instead of training a new one for `epochs`.
   * 0 trains from scratch. 2 was chosen on validation users (docs/benchmarks.md, "Fitting the
   * hybrid's base models once"): as good as a new fit, and most of a final fit's time saved.
   */
  refitEpochs: number;
  /** Held-out targets drawn per user per epoch (fewer if the list is shorter). */
  targetsPerUser: number;
  /** (user bag, target) pairs per step; the batch's targets are each other's negatives. */
  batchSize: number;
  learningRate: number;
  /** L2 weight on dense weights and on the embedding rows a step uses. */
  l2: number;
  /**
   * Extra negatives per step drawn uniformly from the titles with interactions. Never the cold
   * ones: a cold title as a negative only teaches "titles with these features are not chosen",
   * the opposite of what a title nobody has rated yet needs.
   */
  negatives: number;
  /** Softmax temperature τ over cosine similarities (both towers' outputs are unit vectors). */
  temperature: number;
  /** Subtract log Q(item) from in-batch logits (Yi et al. 2019). */
  logQCorrection: boolean;
  /** Per-title ID embedding added to the item tower's output for titles with interactions. */
  itemIds: boolean;
  /**
   * Chance of dropping a title's ID embedding in a training step (DropoutNet, Volkovs et al.
   * 2017): the features alone must then place it, which is all a title nobody rated has.
   */
  idDropout: number;
  /** Pool ID embeddings of the user's titles (an item table) into the user tower's input. */
  historyIds: boolean;
  /** Weight of a title listed without a score in the user's bag (scored titles: 1 + (s − mean)/4, floored). */
  listedWeight: number;
  /** Floor of a scored title's bag weight (a title far below the user's mean still says something). */
  minWeight: number;
  /** Entries scored at or below this are never training targets (they were not liked). */
  dislikeThreshold: number;
  /** Item-tower inputs: genres/themes/studios/source/format/season/year/episodes. */
  metadataFeatures: boolean;
  /** Item-tower inputs: the USE-lite synopsis vector (PCA-reduced) and a "no vector" flag. */
  synopsisFeatures: boolean;
  /** Item-tower inputs: log catalogue members and MAL score, each with a missing flag. */
  popularityFeatures: boolean;
  /** Principal components kept of the 512-d synopsis vectors. */
  synopsisDims: number;
  /** Studios with their own input (most titles first); the rest share one "other studio" input. */
  topStudios: number;
  /** Embedding cache file; undefined → the bundled cache. */
  embeddingCachePath?: string;
}

export const DEFAULT_TWOTOWER_PARAMS: TwoTowerParams = {
  dimension: 64,
  itemHidden: [128],
  userHidden: [128],
  epochs: 8,
  refitEpochs: 2,
  targetsPerUser: 8,
  batchSize: 256,
  learningRate: 0.003,
  l2: 1e-5,
  negatives: 256,
  temperature: 0.07,
  logQCorrection: true,
  itemIds: true,
  idDropout: 0.5,
  historyIds: true,
  listedWeight: 0.5,
  minWeight: 0.25,
  dislikeThreshold: 4,
  metadataFeatures: true,
  synopsisFeatures: true,
  popularityFeatures: true,
  synopsisDims: 64,
  topStudios: 60,
};

/** Merges `params` over the defaults and rejects values that cannot train. */
export function resolveTwoTowerParams(params: Partial<TwoTowerParams> = {}): TwoTowerParams {
  const p: TwoTowerParams = { ...DEFAULT_TWOTOWER_PARAMS, ...params };
  const positiveInt = (name: keyof TwoTowerParams, value: number): void => {
    if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`twotower: ${name} must be a positive integer, got ${value}`);
  };
  positiveInt('dimension', p.dimension);
  positiveInt('epochs', p.epochs);
  positiveInt('targetsPerUser', p.targetsPerUser);
  positiveInt('batchSize', p.batchSize);
  positiveInt('synopsisDims', p.synopsisDims);
  for (const [name, sizes] of [
    ['itemHidden', p.itemHidden],
    ['userHidden', p.userHidden],
  ] as const) {
    if (!Array.isArray(sizes) || sizes.some((s) => !(Number.isInteger(s) && s > 0))) {
      throw new RangeError(`twotower: ${name} must be a list of positive integer widths, got ${JSON.stringify(sizes)}`);
    }
  }
  if (!(Number.isInteger(p.refitEpochs) && p.refitEpochs >= 0))
    throw new RangeError(`twotower: refitEpochs must be an integer ≥ 0, got ${p.refitEpochs}`);
  if (!(Number.isInteger(p.negatives) && p.negatives >= 0))
    throw new RangeError(`twotower: negatives must be an integer ≥ 0, got ${p.negatives}`);
  if (!(Number.isInteger(p.topStudios) && p.topStudios >= 0))
    throw new RangeError(`twotower: topStudios must be an integer ≥ 0, got ${p.topStudios}`);
  if (!(p.learningRate > 0)) throw new RangeError(`twotower: learningRate must be > 0, got ${p.learningRate}`);
  if (!(p.temperature > 0)) throw new RangeError(`twotower: temperature must be > 0, got ${p.temperature}`);
  if (!(p.l2 >= 0)) throw new RangeError(`twotower: l2 must be ≥ 0, got ${p.l2}`);
  if (!(p.idDropout >= 0 && p.idDropout <= 1)) throw new RangeError(`twotower: idDropout must be in [0, 1], got ${p.idDropout}`);
  if (!(p.listedWeight > 0 && p.minWeight > 0))
    throw new RangeError('twotower: listedWeight and minWeight must be > 0 (bag weights are positive)');
  return p;
}

/** A history title's weight in the user's bag: relative to the user's mean score, always positive. */
export function bagWeight(score: number, userMean: number, p: Pick<TwoTowerParams, 'listedWeight' | 'minWeight'>): number {
  if (!(score > 0)) return p.listedWeight;
  return Math.max(p.minWeight, 1 + (score - userMean) / 4);
}

/** The user tower's plain features: list length (log), mean score, share listed without a score. */
export const USER_FEATURES = 3;

export function userFeatures(scores: Float32Array, from: number, to: number, out: Float32Array, offset: number): void {
  const n = to - from;
  let scored = 0;
  for (let e = from; e < to; e++) if (scores[e]! > 0) scored++;
  out[offset] = Math.log1p(n) / 5;
  out[offset + 1] = scored > 0 ? (meanScore(scores, from, to) - 7) / 2 : 0;
  out[offset + 2] = n > 0 ? (n - scored) / n : 0;
}
