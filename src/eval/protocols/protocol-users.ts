import { createRng, mixSeed, shuffleInPlace } from '../../models/random.js';
import { subsetUsers, withoutItems } from '../../models/training-data.js';
import type { TrainingData } from '../../models/types.js';
import { foldInSize, splitUsers, type SplitDescription, type SplitEvalUser } from '../split.js';

/**
 * Held-out users for the cold-title and short-history protocols. The users themselves are those of
 * `anirec eval` (the same seeded strong-generalisation draw, test users first), so a cold-title
 * number and a default-protocol number are about the same people; only what each user is shown
 * and asked to find differs.
 */

export interface HeldOutRows {
  split: SplitDescription;
  /** Rows of the data, ascending. */
  test: Int32Array;
  validation: Int32Array;
  /** Every row that is not a test user (training users and validation users), ascending. */
  nonTest: Int32Array;
}

/**
 * Test users exactly as `anirec eval --seed` draws them, validation users drawn after them (as
 * `anirec tune` does). Models train on every non-test row: the validation users only tune the
 * blend baseline, which reads no interaction data, so their rows can train the models as they do
 * in the default protocol.
 */
export function heldOutRows(data: TrainingData, options: { seed: number; testUsers: number; validationUsers: number }): HeldOutRows {
  let split;
  try {
    split = splitUsers(data, { seed: options.seed, testUsers: options.testUsers, validationUsers: options.validationUsers });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new RangeError(`${error.message}; ask for fewer test users (--test-users) or validation users (--validation-users)`);
  }
  const test = Int32Array.from(split.test, (u) => u.user);
  const validation = Int32Array.from(split.validation, (u) => u.user);
  const isTest = new Uint8Array(data.nUsers);
  for (const u of test) isTest[u] = 1;
  const nonTest: number[] = [];
  for (let u = 0; u < data.nUsers; u++) if (isTest[u] === 0) nonTest.push(u);
  return { split: split.description, test, validation, nonTest: Int32Array.from(nonTest) };
}

function sortedPair(items: number[], scores: number[]): { items: Int32Array; scores: Float32Array } {
  const order = items.map((_, i) => i).sort((a, b) => items[a]! - items[b]!);
  return { items: Int32Array.from(order, (i) => items[i]!), scores: Float32Array.from(order, (i) => scores[i]!) };
}

export interface ColdUsers {
  users: SplitEvalUser[];
  /** Users whose whole list is cold titles (nothing warm to fold in), left out. */
  withoutWarmHistory: number;
}

/**
 * For each row: a seeded `foldInFraction` of the user's warm entries is the fold-in history and
 * everything else is a target: the other warm entries and every cold entry. Cold titles never
 * appear in a history, because nobody's interactions with them are known, the user's included.
 */
export function coldEvalUsers(data: TrainingData, rows: Int32Array, cold: Uint8Array, seed: number, foldInFraction = 0.8): ColdUsers {
  const users: SplitEvalUser[] = [];
  let withoutWarmHistory = 0;
  for (const user of rows) {
    const warm: number[] = [];
    const coldEntries: number[] = [];
    for (let e = data.indptr[user]!; e < data.indptr[user + 1]!; e++) (cold[data.indices[e]!] === 1 ? coldEntries : warm).push(e);
    if (warm.length === 0) {
      withoutWarmHistory++;
      continue;
    }
    // Keyed by (seed, row) so a user's split does not depend on who else was held out.
    shuffleInPlace(warm, createRng(mixSeed(seed, 0xc01d5, user)));
    const nHistory = warm.length >= 2 ? foldInSize(warm.length, foldInFraction) : warm.length;
    const history = sortedPair(
      warm.slice(0, nHistory).map((e) => data.indices[e]!),
      warm.slice(0, nHistory).map((e) => data.scores[e]!),
    );
    const rest = [...warm.slice(nHistory), ...coldEntries];
    const targets = sortedPair(
      rest.map((e) => data.indices[e]!),
      rest.map((e) => data.scores[e]!),
    );
    users.push({ user, history, targets: targets.items, targetScores: targets.scores });
  }
  return { users, withoutWarmHistory };
}

/**
 * Users with more than `minEntries - 1` entries, each shown exactly `length` seeded titles of
 * their list; the rest are targets. The seeded order is the same for every length, so the 3
 * titles shown are among the 5, and those among the 10: a longer history only adds titles.
 */
export function shortHistoryUsers(data: TrainingData, rows: Int32Array, length: number, minEntries: number, seed: number): SplitEvalUser[] {
  if (!Number.isInteger(length) || length < 1)
    throw new RangeError(`short history: a history length must be an integer ≥ 1, got ${length}`);
  if (minEntries <= length)
    throw new RangeError(`short history: users need more than ${length} entries to leave a target, got minEntries ${minEntries}`);
  const users: SplitEvalUser[] = [];
  for (const user of rows) {
    const start = data.indptr[user]!;
    const n = data.indptr[user + 1]! - start;
    if (n < minEntries) continue;
    const order = Int32Array.from({ length: n }, (_, i) => start + i);
    shuffleInPlace(order, createRng(mixSeed(seed, 0x5407, user)));
    const shown = Array.from(order.subarray(0, length));
    const rest = Array.from(order.subarray(length));
    const history = sortedPair(
      shown.map((e) => data.indices[e]!),
      shown.map((e) => data.scores[e]!),
    );
    const targets = sortedPair(
      rest.map((e) => data.indices[e]!),
      rest.map((e) => data.scores[e]!),
    );
    users.push({ user, history, targets: targets.items, targetScores: targets.scores });
  }
  return users;
}

export interface ColdProtocolData {
  /** Every non-test row with every interaction on a cold title removed; same vocabulary. */
  trainData: TrainingData;
  validation: ColdUsers;
  test: ColdUsers;
}

/** What a cold-title protocol trains on and scores, for one cold selection (mask = 1 for a cold item). */
export function coldProtocolData(data: TrainingData, rows: HeldOutRows, coldMask: Uint8Array, seed: number): ColdProtocolData {
  return {
    trainData: withoutItems(subsetUsers(data, Array.from(rows.nonTest)), coldMask),
    validation: coldEvalUsers(data, rows.validation, coldMask, seed),
    test: coldEvalUsers(data, rows.test, coldMask, seed),
  };
}
