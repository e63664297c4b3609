import type { History, TrainingData } from '../models/types.js';
import { createRng, mixSeed, shuffleInPlace } from '../models/random.js';

import { dataHash } from '../models/training-data.js';

// The data fingerprint lives with the training data; re-exported for the evaluation reports.
export { dataHash };

/**
 * Strong-generalisation split (Liang et al. 2018, "Variational Autoencoders for Collaborative
 * Filtering"): whole users are held out, so every evaluated user is new to the model, exactly
 * like a visitor who pastes their list into anirec.
 */

/** A held-out user: what the model is shown, and what it should find. */
export interface EvalUser {
  history: History;
  /** Held-out item indices, ascending. */
  targets: Int32Array;
  /** Parallel to `targets`: score 1–10, or 0 when listed without a score. */
  targetScores: Float32Array;
}

/** An EvalUser produced by splitUsers, remembering which row of the source data it came from. */
export interface SplitEvalUser extends EvalUser {
  user: number;
}

export interface SplitOptions {
  seed: number;
  /** A count (integer ≥ 1) or a fraction of all users (0 ≤ x < 1). */
  validationUsers: number;
  /** A count (integer ≥ 1) or a fraction of all users (0 ≤ x < 1). */
  testUsers: number;
  /** Share of a held-out user's list shown to the model; the rest are targets. Default 0.8. */
  foldInFraction?: number;
  /** Users with fewer list entries are never held out (they stay in training). Default 5. */
  minItemsPerEvalUser?: number;
}

export interface SplitDescription {
  protocol: 'strong-generalisation';
  seed: number;
  foldInFraction: number;
  minItemsPerEvalUser: number;
  /** Hash of the data that was split, and of the training part, so results can name both. */
  dataHash: string;
  trainDataHash: string;
  nUsers: number;
  nItems: number;
  /** Users with at least minItemsPerEvalUser entries, the pool held-out users are drawn from. */
  eligibleUsers: number;
  trainUsers: number;
  validationUsers: number;
  testUsers: number;
  interactions: {
    train: number;
    validationHistory: number;
    validationTargets: number;
    testHistory: number;
    testTargets: number;
  };
  /** One line for logs and reports. */
  text: string;
}

export interface UserSplit {
  /** Training users only, rows in their original order, same item vocabulary as the input. */
  trainData: TrainingData;
  /** Row of the input each trainData row came from. */
  trainUsers: Int32Array;
  validation: SplitEvalUser[];
  test: SplitEvalUser[];
  description: SplitDescription;
}

function resolveCount(value: number, nUsers: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`splitUsers: ${what} must be ≥ 0, got ${value}`);
  if (value < 1) return Math.round(value * nUsers);
  if (!Number.isInteger(value)) throw new RangeError(`splitUsers: ${what} must be an integer count or a fraction below 1, got ${value}`);
  return value;
}

/** How many of n entries go to the fold-in history: ⌈f·n⌉, so at most ⌊(1−f)·n⌋ are held out as in Liang et al., but always ≥ 1 on each side. */
export function foldInSize(n: number, foldInFraction: number): number {
  // The epsilon keeps 0.8·5 = 4.000000000000001-style float noise from adding an item.
  const raw = Math.ceil(n * foldInFraction - 1e-9);
  return Math.min(n - 1, Math.max(1, raw));
}

function splitRow(data: TrainingData, user: number, seed: number, foldInFraction: number): SplitEvalUser {
  const start = data.indptr[user]!;
  const n = data.indptr[user + 1]! - start;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Per-user stream keyed by (seed, row): a user's fold-in split does not depend on which other
  // users were held out or in what order they were processed.
  shuffleInPlace(order, createRng(mixSeed(seed, 0x0f01d, user)));
  const nHistory = foldInSize(n, foldInFraction);
  const inHistory = new Uint8Array(n);
  for (let i = 0; i < nHistory; i++) inHistory[order[i]!] = 1;
  const historyItems = new Int32Array(nHistory);
  const historyScores = new Float32Array(nHistory);
  const targets = new Int32Array(n - nHistory);
  const targetScores = new Float32Array(n - nHistory);
  let h = 0;
  let t = 0;
  // Walking the row in CSR order keeps both parts sorted ascending by item.
  for (let i = 0; i < n; i++) {
    const item = data.indices[start + i]!;
    const score = data.scores[start + i]!;
    if (inHistory[i] === 1) {
      historyItems[h] = item;
      historyScores[h++] = score;
    } else {
      targets[t] = item;
      targetScores[t++] = score;
    }
  }
  return { user, history: { items: historyItems, scores: historyScores }, targets, targetScores };
}

/** Rows `users` (ascending) of `data` as a new TrainingData with the same item vocabulary. */
function selectRows(data: TrainingData, users: Int32Array): TrainingData {
  const indptr = new Int32Array(users.length + 1);
  for (let r = 0; r < users.length; r++) {
    const u = users[r]!;
    indptr[r + 1] = indptr[r]! + data.indptr[u + 1]! - data.indptr[u]!;
  }
  const nnz = indptr[users.length]!;
  const indices = new Int32Array(nnz);
  const scores = new Float32Array(nnz);
  for (let r = 0; r < users.length; r++) {
    const u = users[r]!;
    const from = data.indptr[u]!;
    const to = data.indptr[u + 1]!;
    indices.set(data.indices.subarray(from, to), indptr[r]!);
    scores.set(data.scores.subarray(from, to), indptr[r]!);
  }
  return { nUsers: users.length, nItems: data.nItems, itemIds: data.itemIds, indptr, indices, scores };
}

/**
 * Splits users into train / validation / test (deterministic for a seed), then splits each
 * held-out user's list into fold-in history and targets. Held-out users are drawn only from
 * users with ≥ minItemsPerEvalUser entries; everyone else stays in training.
 */
export function splitUsers(data: TrainingData, options: SplitOptions): UserSplit {
  const foldInFraction = options.foldInFraction ?? 0.8;
  const minItems = options.minItemsPerEvalUser ?? 5;
  if (!(foldInFraction > 0 && foldInFraction < 1))
    throw new RangeError(`splitUsers: foldInFraction must be in (0, 1), got ${foldInFraction}`);
  // Two entries is the least that leaves something on both sides of the fold-in split.
  if (!Number.isInteger(minItems) || minItems < 2)
    throw new RangeError(`splitUsers: minItemsPerEvalUser must be an integer ≥ 2, got ${minItems}`);
  const nValidation = resolveCount(options.validationUsers, data.nUsers, 'validationUsers');
  const nTest = resolveCount(options.testUsers, data.nUsers, 'testUsers');

  const eligible: number[] = [];
  for (let u = 0; u < data.nUsers; u++) if (data.indptr[u + 1]! - data.indptr[u]! >= minItems) eligible.push(u);
  if (nValidation + nTest > eligible.length) {
    throw new RangeError(
      `splitUsers: asked for ${nValidation} validation + ${nTest} test users but only ${eligible.length} users have ≥ ${minItems} entries`,
    );
  }
  const pool = shuffleInPlace(Int32Array.from(eligible), createRng(mixSeed(options.seed, 0x05e75)));
  // Test users are drawn first, so the test set for a seed does not depend on how many
  // validation users are asked for: a hyper-parameter search (validation > 0) and `anirec eval`
  // (validation 0) with the same seed hold out the same test users, and the search never sees them.
  // Sorted so held-out users come out in row order: stable output, cache-friendly evaluation.
  const testRows = pool.slice(0, nTest).sort();
  const validationRows = pool.slice(nTest, nTest + nValidation).sort();

  const role = new Uint8Array(data.nUsers); // 0 train, 1 validation, 2 test
  for (const u of validationRows) role[u] = 1;
  for (const u of testRows) role[u] = 2;
  const trainUsers = new Int32Array(data.nUsers - nValidation - nTest);
  for (let u = 0, r = 0; u < data.nUsers; u++) if (role[u] === 0) trainUsers[r++] = u;

  const trainData = selectRows(data, trainUsers);
  const validation = Array.from(validationRows, (u) => splitRow(data, u, options.seed, foldInFraction));
  const test = Array.from(testRows, (u) => splitRow(data, u, options.seed, foldInFraction));

  const count = (users: EvalUser[], part: 'history' | 'targets'): number =>
    users.reduce((sum, e) => sum + (part === 'history' ? e.history.items.length : e.targets.length), 0);
  const hash = dataHash(data);
  const description: SplitDescription = {
    protocol: 'strong-generalisation',
    seed: options.seed,
    foldInFraction,
    minItemsPerEvalUser: minItems,
    dataHash: hash,
    trainDataHash: dataHash(trainData),
    nUsers: data.nUsers,
    nItems: data.nItems,
    eligibleUsers: eligible.length,
    trainUsers: trainUsers.length,
    validationUsers: nValidation,
    testUsers: nTest,
    interactions: {
      train: trainData.indices.length,
      validationHistory: count(validation, 'history'),
      validationTargets: count(validation, 'targets'),
      testHistory: count(test, 'history'),
      testTargets: count(test, 'targets'),
    },
    text:
      `strong generalisation, seed ${options.seed}, data ${hash}: ${trainUsers.length} train / ` +
      `${nValidation} validation / ${nTest} test users of ${data.nUsers} (${data.nItems} items); ` +
      `held-out users have ≥ ${minItems} entries, ${Math.round(foldInFraction * 100)}% fold-in`,
  };
  return { trainData, trainUsers, validation, test, description };
}
