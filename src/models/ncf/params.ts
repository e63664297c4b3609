/**
 * Every knob of NeuMF (He et al. 2017). Defaults come from the validation-user search recorded in
 * docs/evaluation.md ("NeuMF (issue 12)"); the search never saw the test users.
 */
export interface NcfParams {
  /** Width of the GMF branch's user and item embeddings (their element-wise product). */
  gmfDimension: number;
  /** Width of the MLP branch's user and item embeddings (concatenated: the MLP's input is twice this). */
  mlpDimension: number;
  /** Widths of the MLP branch's layers, each followed by ReLU (the paper's tower halves each layer). */
  mlpHidden: number[];
  /** Passes over every training entry. */
  epochs: number;
  /** Negatives per positive, drawn uniformly from the titles with interactions that the user did not list. */
  negatives: number;
  /** Positives per step; a step has batchSize × (1 + negatives) rows. */
  batchSize: number;
  learningRate: number;
  /**
   * L2 weight: on each row's user and item embeddings (so a title or user is regularised once per
   * row it appears in) and on the dense weights.
   */
  l2: number;
  /** σ of the embeddings' N(0, σ²) initialisation (the paper uses 0.01). */
  initStd: number;
  /** Adam steps that fit a new user's two embeddings to their list, item parameters frozen. */
  foldInSteps: number;
  foldInLearningRate: number;
  /**
   * L2 weight on the new user's embeddings in fold-in. Training's per-row L2 sums to `l2` for one
   * user, but trained users are also held back by stopping after `epochs`; a fold-in run to
   * convergence has no such brake, so it gets its own weight, chosen on validation users.
   */
  foldInL2: number;
  /** Negatives of a fold-in (one seeded draw per request), weighted to stand for negatives × list length. */
  foldInNegatives: number;
  /** Longer lists are represented by a seeded sample of this many titles, weighted up (bounds the cost per request). */
  foldInMaxPositives: number;
  /** Seed of the fold-in's draws: the same list always gets the same scores. */
  foldInSeed: number;
}

export const DEFAULT_NCF_PARAMS: NcfParams = {
  gmfDimension: 64,
  mlpDimension: 16,
  mlpHidden: [32, 16, 8],
  epochs: 10,
  negatives: 4,
  batchSize: 256,
  learningRate: 0.003,
  l2: 1e-5,
  initStd: 0.01,
  foldInSteps: 40,
  foldInLearningRate: 0.05,
  foldInL2: 0.1,
  foldInNegatives: 256,
  foldInMaxPositives: 256,
  foldInSeed: 1,
};

/** Merges `params` over the defaults and rejects values that cannot train, naming the knob. */
export function resolveNcfParams(params: Partial<NcfParams> = {}): NcfParams {
  const p: NcfParams = { ...DEFAULT_NCF_PARAMS, ...params };
  const fix = 'pass a valid value in the ncf part of the model parameters';
  const positiveInt = (name: keyof NcfParams): void => {
    const value = p[name];
    if (!(typeof value === 'number' && Number.isInteger(value) && value > 0))
      throw new RangeError(`ncf: ${name} must be a positive integer, got ${JSON.stringify(value)}; ${fix}`);
  };
  const positive = (name: keyof NcfParams): void => {
    const value = p[name];
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value)))
      throw new RangeError(`ncf: ${name} must be a finite number > 0, got ${JSON.stringify(value)}; ${fix}`);
  };
  for (const name of [
    'gmfDimension',
    'mlpDimension',
    'epochs',
    'negatives',
    'batchSize',
    'foldInSteps',
    'foldInNegatives',
    'foldInMaxPositives',
  ] as const)
    positiveInt(name);
  for (const name of ['learningRate', 'initStd', 'foldInLearningRate'] as const) positive(name);
  for (const name of ['l2', 'foldInL2'] as const) {
    const value = p[name];
    if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value)))
      throw new RangeError(`ncf: ${name} must be a finite number ≥ 0, got ${JSON.stringify(value)}; ${fix}`);
  }
  if (!Number.isInteger(p.foldInSeed))
    throw new RangeError(`ncf: foldInSeed must be an integer, got ${JSON.stringify(p.foldInSeed)}; ${fix}`);
  if (!Array.isArray(p.mlpHidden) || p.mlpHidden.length === 0 || p.mlpHidden.some((s) => !(Number.isInteger(s) && s > 0))) {
    throw new RangeError(
      `ncf: mlpHidden must be a non-empty list of positive integer widths (e.g. [32, 16, 8]), got ${JSON.stringify(p.mlpHidden)}; ${fix}`,
    );
  }
  return p;
}
