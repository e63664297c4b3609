import type { Recommender, TrainingData } from '../models/types.js';
import { evaluate, type Relevance } from './evaluate.js';
import { createRng, mixSeed } from '../models/random.js';
import type { EvalUser } from './split.js';

/**
 * Seeded grid / random search. It only ever sees the training data and the validation users:
 * the test users are not part of its input, so tuning cannot leak into the reported numbers.
 */

export type ParamValue = number | string | boolean;

/** A continuous or integer range for random search. */
export interface ParamRange {
  min: number;
  max: number;
  /** Sample uniformly in log space (for regularisation strengths, learning rates). */
  log?: boolean;
  integer?: boolean;
}

/** Each parameter: a list of candidate values (grid or random) or a range (random only). */
export type ParamSpace = Record<string, readonly ParamValue[] | ParamRange>;

export type Params = Record<string, ParamValue>;

export interface SearchData {
  trainData: TrainingData;
  validation: readonly EvalUser[];
}

export interface SearchOptions<P extends Params> {
  space: ParamSpace;
  strategy: 'grid' | 'random';
  /** Random search: how many trials. Grid: an optional cap (throws when the grid is larger). */
  trials?: number;
  seed: number;
  /** Trains a model on the training split; may ignore `trainData` if it closed over the same data. */
  train: (params: P, trainData: TrainingData) => Recommender | Promise<Recommender>;
  /** The metric to maximise, e.g. 'ndcg@20' (default). */
  metric?: string;
  /** Default 'liked'. */
  relevance?: Relevance;
  likedThreshold?: number;
  ks?: readonly number[];
  onTrial?: (trial: Trial<P>, index: number, total: number) => void;
}

export interface Trial<P extends Params> {
  params: P;
  /** The optimised metric's mean over validation users. */
  value: number;
  /** Every ranking metric's validation mean. */
  metrics: Record<string, number>;
  trainSeconds: number;
  evalSeconds: number;
}

export interface SearchResult<P extends Params> {
  metric: string;
  relevance: Relevance;
  strategy: 'grid' | 'random';
  seed: number;
  validationUsers: number;
  trials: Trial<P>[];
  best: Trial<P>;
}

function isRange(spec: readonly ParamValue[] | ParamRange): spec is ParamRange {
  return !Array.isArray(spec);
}

/** Every combination of the listed values, in a fixed order (first key varies slowest). */
export function gridPoints(space: ParamSpace): Params[] {
  let points: Params[] = [{}];
  for (const [name, spec] of Object.entries(space)) {
    if (isRange(spec)) throw new Error(`grid search: parameter "${name}" is a range; list its values instead`);
    if (spec.length === 0) throw new Error(`grid search: parameter "${name}" has no values`);
    points = points.flatMap((p) => spec.map((v) => ({ ...p, [name]: v })));
  }
  return points;
}

/** `count` seeded random points; lists are sampled uniformly, ranges uniformly or log-uniformly. */
export function randomPoints(space: ParamSpace, count: number, seed: number): Params[] {
  const rng = createRng(mixSeed(seed, 0x4a5a));
  const points: Params[] = [];
  for (let t = 0; t < count; t++) {
    const p: Params = {};
    for (const [name, spec] of Object.entries(space)) {
      if (!isRange(spec)) {
        if (spec.length === 0) throw new Error(`random search: parameter "${name}" has no values`);
        p[name] = spec[Math.floor(rng() * spec.length)]!;
        continue;
      }
      if (!(spec.max >= spec.min)) throw new RangeError(`random search: "${name}" has max < min`);
      if (spec.log && !(spec.min > 0)) throw new RangeError(`random search: log range "${name}" needs min > 0`);
      const u = rng();
      let v = spec.log
        ? Math.exp(Math.log(spec.min) + u * (Math.log(spec.max) - Math.log(spec.min)))
        : spec.min + u * (spec.max - spec.min);
      if (spec.integer) v = Math.min(Math.floor(spec.max), Math.max(Math.ceil(spec.min), Math.round(v)));
      p[name] = v;
    }
    points.push(p);
  }
  return points;
}

/** Trains each candidate on `data.trainData`, scores it on `data.validation`, and returns all trials and the best. */
export async function searchHyperparams<P extends Params>(data: SearchData, options: SearchOptions<P>): Promise<SearchResult<P>> {
  const metric = options.metric ?? 'ndcg@20';
  const relevance = options.relevance ?? 'liked';
  const ks = options.ks ?? [10, 20];
  if (!ks.some((k) => metric.endsWith(`@${k}`)))
    throw new Error(`hyperparameter search: metric ${metric} is not computed for ks ${ks.join(',')}`);
  if (data.validation.length === 0) throw new Error('hyperparameter search: no validation users');
  let points: Params[];
  if (options.strategy === 'grid') {
    points = gridPoints(options.space);
    if (options.trials !== undefined && points.length > options.trials) {
      throw new Error(`grid search: ${points.length} points exceed the cap of ${options.trials} trials`);
    }
  } else {
    if (options.trials === undefined || !Number.isInteger(options.trials) || options.trials <= 0)
      throw new RangeError('random search: trials must be a positive integer');
    points = randomPoints(options.space, options.trials, options.seed);
  }
  const trials: Trial<P>[] = [];
  for (const point of points) {
    const params = point as P;
    const t0 = performance.now();
    const recommender = await options.train(params, data.trainData);
    const t1 = performance.now();
    const result = evaluate([{ name: 'candidate', recommender }], data.validation, {
      trainData: data.trainData,
      ks,
      relevance,
      likedThreshold: options.likedThreshold ?? 7,
      // Only means are compared between trials, so skip the bootstrap and use the cheap interval.
      ci: { method: 'normal' },
    });
    const metrics: Record<string, number> = {};
    for (const [name, m] of Object.entries(result.sections[0]!.models[0]!.metrics)) metrics[name] = m.mean;
    const value = metrics[metric];
    if (value === undefined) throw new Error(`hyperparameter search: unknown metric ${metric}`);
    const trial: Trial<P> = { params, value, metrics, trainSeconds: (t1 - t0) / 1000, evalSeconds: (performance.now() - t1) / 1000 };
    trials.push(trial);
    options.onTrial?.(trial, trials.length - 1, points.length);
  }
  // Ties keep the earlier trial, so the result does not depend on anything but the seed.
  let best = trials[0]!;
  for (const t of trials) if (t.value > best.value || (Number.isNaN(best.value) && !Number.isNaN(t.value))) best = t;
  return { metric, relevance, strategy: options.strategy, seed: options.seed, validationUsers: data.validation.length, trials, best };
}
