/** Training data, hyper-parameters and their validation for the gradient-boosted ranker. */

/**
 * Queries of candidates to rank. Rows of one query are contiguous: query q owns rows
 * [groupOffsets[q], groupOffsets[q + 1]). NaN in a feature means "missing".
 */
export interface RankingDataset {
  /** Row-major nRows × nFeatures. */
  features: Float32Array;
  nFeatures: number;
  /** Graded relevance ≥ 0 (e.g. 0, 1, 2); the gain of a row is 2^label − 1. */
  labels: Float32Array;
  groupOffsets: Int32Array;
  featureNames?: string[];
}

export type RankerObjective = 'lambdarank' | 'binary';

export interface RankerParams {
  /** 'lambdarank' optimises NDCG directly; 'binary' (pointwise logistic on label > 0) is a baseline. */
  objective: RankerObjective;
  rounds: number;
  learningRate: number;
  /** Trees grow best-first (leaf-wise) up to this many leaves. */
  maxLeaves: number;
  maxDepth: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  lambdaL2: number;
  /** A split must improve the regularised loss by more than this. */
  minGainToSplit: number;
  /** Share of features each tree may split on. */
  featureFraction: number;
  /** Share of queries each tree is fitted on (whole queries, so lambdas stay meaningful); 1 disables bagging. */
  baggingFraction: number;
  /** Value bins per feature (at most 255: bins are uint8 and bin 0 is reserved for missing values). */
  maxBins: number;
  /** NDCG truncation: for ΔNDCG (LightGBM's lambdarank_truncation_level) and the early-stopping metric. */
  ndcgAt: number;
  /** Stop when validation NDCG@ndcgAt has not improved for this many rounds (0 disables). */
  earlyStoppingRounds: number;
}

export const DEFAULT_RANKER_PARAMS: Readonly<RankerParams> = Object.freeze({
  objective: 'lambdarank',
  rounds: 300,
  learningRate: 0.05,
  maxLeaves: 31,
  maxDepth: 8,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  lambdaL2: 1.0,
  minGainToSplit: 0,
  featureFraction: 0.9,
  baggingFraction: 1,
  maxBins: 64,
  ndcgAt: 20,
  earlyStoppingRounds: 30,
});

function requireInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`ranker: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function requireNumber(name: string, value: number, min: number, max: number, minExclusive = false): void {
  const tooLow = minExclusive ? value <= min : value < min;
  if (!Number.isFinite(value) || tooLow || value > max) {
    throw new RangeError(`ranker: ${name} must be in ${minExclusive ? '(' : '['}${min}, ${max}], got ${value}`);
  }
}

/** Fills in defaults and rejects values that would silently train nonsense. */
export function resolveRankerParams(partial: Partial<RankerParams> = {}): RankerParams {
  const params: RankerParams = { ...DEFAULT_RANKER_PARAMS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (params as unknown as Record<string, unknown>)[key] = value;
  }
  if (params.objective !== 'lambdarank' && params.objective !== 'binary') {
    throw new RangeError(`ranker: unknown objective ${String(params.objective)}`);
  }
  requireInteger('rounds', params.rounds, 1);
  requireNumber('learningRate', params.learningRate, 0, Number.MAX_VALUE, true);
  requireInteger('maxLeaves', params.maxLeaves, 2, 1 << 16);
  requireInteger('maxDepth', params.maxDepth, 1, 64);
  requireInteger('minDataInLeaf', params.minDataInLeaf, 1);
  requireNumber('minSumHessianInLeaf', params.minSumHessianInLeaf, 0, Number.MAX_VALUE);
  requireNumber('lambdaL2', params.lambdaL2, 0, Number.MAX_VALUE);
  requireNumber('minGainToSplit', params.minGainToSplit, 0, Number.MAX_VALUE);
  requireNumber('featureFraction', params.featureFraction, 0, 1, true);
  requireNumber('baggingFraction', params.baggingFraction, 0, 1, true);
  requireInteger('maxBins', params.maxBins, 2, 255);
  requireInteger('ndcgAt', params.ndcgAt, 1);
  requireInteger('earlyStoppingRounds', params.earlyStoppingRounds, 0);
  return params;
}

/** Throws on inconsistent shapes, so a bad dataset fails loudly instead of training on garbage. */
export function validateDataset(data: RankingDataset, role: string): void {
  const nRows = data.labels.length;
  if (!Number.isInteger(data.nFeatures) || data.nFeatures < 1) {
    throw new RangeError(`ranker: ${role} nFeatures must be a positive integer, got ${data.nFeatures}`);
  }
  if (data.features.length !== nRows * data.nFeatures) {
    throw new RangeError(`ranker: ${role} has ${data.features.length} feature values, expected ${nRows} rows × ${data.nFeatures}`);
  }
  const offsets = data.groupOffsets;
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== nRows) {
    throw new RangeError(`ranker: ${role} groupOffsets must start at 0 and end at the row count ${nRows}`);
  }
  for (let q = 1; q < offsets.length; q++) {
    if (offsets[q]! < offsets[q - 1]!) throw new RangeError(`ranker: ${role} groupOffsets must not decrease (query ${q - 1})`);
  }
  for (let i = 0; i < nRows; i++) {
    const label = data.labels[i]!;
    if (!(label >= 0) || !Number.isFinite(label)) {
      throw new RangeError(`ranker: ${role} label of row ${i} must be a finite number ≥ 0, got ${label}`);
    }
  }
  if (data.featureNames !== undefined && data.featureNames.length !== data.nFeatures) {
    throw new RangeError(`ranker: ${role} has ${data.featureNames.length} feature names for ${data.nFeatures} features`);
  }
}
