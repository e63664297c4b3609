import { AnirecError } from '../errors/errors.js';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '../eval/evaluate.js';
import { pairedBootstrapTest, pairedTTest, type PairedTestResult } from '../eval/significance.js';
import { splitUsers } from '../eval/split.js';
import { loadBundle, saveBundle } from '../models/bundle.js';
import { DEFAULT_MODEL_PARAMS, trainBundle, type ModelParams } from '../models/train-model.js';
import { loadTrainingSet } from '../models/training-set.js';
import { asRegistry, type ModelRegistry, type ModelVersion, type Registry } from '../registry/index.js';
import type { Store } from '../store/index.js';
import type { RetrainConfig } from './config.js';
import { remapRecommender } from './remap.js';

/**
 * Gated retraining. Protocol (docs/operations.md, "The promotion gate"):
 * 1. One seeded strong-generalisation split of the current data (src/eval/split.ts).
 * 2. The candidate is trained on the split's training users only.
 * 3. Production is used exactly as it serves (its artefact, not a retrained copy of its
 *    config), so the gate also catches a candidate hurt by bad new data, not only a bad config.
 * 4. Both are scored on the same held-out users (fold-in 80 % of each list, find the rest);
 *    per-user NDCG@20 ('liked' relevance) goes into a paired test.
 * 5. Rejected only when the candidate's mean is lower AND the two-sided p < α; otherwise promoted.
 * Production may have been trained on some held-out users, which favours production: the gate
 * errs on the side of keeping what serves. The artefact promoted is exactly the one measured.
 */

export const METRIC = 'ndcg@20';

export interface RetrainOptions extends RetrainConfig {
  params?: ModelParams;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface GateResult {
  decision: 'promoted' | 'rejected';
  reason: string;
  candidate: string;
  /** Production when the gate ran (null: nothing to compare with, the candidate serves first). */
  production: string | null;
  metric: string;
  alpha: number;
  test: PairedTestResult | null;
  testUsers: number;
  split: string;
  dataHash: string;
  trainingSeconds: number;
}

export class RetrainCancelledError extends AnirecError {
  constructor(stage: string) {
    super('cancelled', `Retraining was cancelled ${stage}; production is unchanged.`);
    this.name = 'RetrainCancelledError';
  }
}

function check(signal: AbortSignal | undefined, stage: string): void {
  if (signal?.aborted) throw new RetrainCancelledError(stage);
}

/** Number of held-out users: the configured count/fraction, capped, and never more than half the eligible users. */
export function testUserCount(config: Pick<RetrainConfig, 'testUsers' | 'maxTestUsers'>, nUsers: number, eligible: number): number {
  const wanted = config.testUsers < 1 ? Math.round(config.testUsers * nUsers) : config.testUsers;
  return Math.max(0, Math.min(wanted, config.maxTestUsers, Math.floor(eligible / 2)));
}

/** The gate itself, on two aligned per-user arrays. Exported so its rule is testable on its own. */
export function gateDecision(test: PairedTestResult, alpha: number): { promote: boolean; reason: string } {
  const diff = `${METRIC} candidate ${test.meanA.toFixed(4)} vs production ${test.meanB.toFixed(4)} (Δ ${test.meanDifference >= 0 ? '+' : ''}${test.meanDifference.toFixed(4)}, ${Math.round(test.confidence * 100)}% CI [${test.low.toFixed(4)}, ${test.high.toFixed(4)}], p = ${test.pValue.toPrecision(3)}, ${test.test}, n = ${test.n})`;
  if (test.n === 0 || Number.isNaN(test.pValue))
    return { promote: false, reason: `no held-out user could be scored by both models, so the candidate cannot be judged: ${diff}` };
  if (test.meanDifference < 0 && test.pValue < alpha)
    return { promote: false, reason: `candidate is significantly worse at α = ${alpha}: ${diff}` };
  return { promote: true, reason: `candidate is not significantly worse at α = ${alpha}: ${diff}` };
}

export async function runRetrain(store: Store, given: Registry | ModelRegistry, options: RetrainOptions): Promise<GateResult> {
  const log = options.log ?? (() => {});
  const registry = asRegistry(given);
  const signal = options.signal;
  check(signal, 'before it started');
  const set = await loadTrainingSet(store);
  if (set.data.indices.length === 0)
    throw new Error('There are no interactions to train on. Run `anirec import` or `anirec ingest` first.');
  let eligible = 0;
  for (let u = 0; u < set.data.nUsers; u++) if (set.data.indptr[u + 1]! - set.data.indptr[u]! >= 5) eligible++;
  const nTest = testUserCount(options, set.data.nUsers, eligible);
  if (nTest < 2) {
    throw new Error(
      `Only ${eligible} users have ≥ 5 list entries, too few to hold out users for the promotion gate (need 4). Import more users, then retry.`,
    );
  }
  const split = splitUsers(set.data, { seed: options.seed, validationUsers: 0, testUsers: nTest });
  log(split.description.text);

  const production: ModelVersion | null = await registry.production();
  log(`training candidate ${options.model} on ${split.trainData.nUsers} users (production: ${production?.id ?? 'none'})`);
  const trained = await trainBundle(options.model, split.trainData, set.catalogue, options.params ?? DEFAULT_MODEL_PARAMS, {
    seed: options.seed,
    // Training is CPU-bound; progress callbacks are where a cancellation can cut in.
    onProgress: () => check(signal, 'during training'),
  });
  const { trainingSeconds } = trained.manifest;
  check(signal, 'after training, before evaluation');

  let test: PairedTestResult | null = null;
  let verdict: { promote: boolean; reason: string };
  if (production) {
    const prodBundle = await loadBundle(await registry.materialize(production));
    const result = evaluate(
      [
        { name: 'candidate', recommender: trained.recommender },
        { name: 'production', recommender: remapRecommender(prodBundle, split.trainData.itemIds) },
      ],
      split.test,
      { trainData: split.trainData, ks: [20], relevance: 'liked', ci: { seed: options.seed, samples: 200 } },
    );
    const section = result.sections[0]!;
    const [cand, prod] = [section.models[0]!.metrics[METRIC]!.perUser, section.models[1]!.metrics[METRIC]!.perUser];
    test =
      options.test === 't'
        ? pairedTTest(cand, prod, { confidence: 1 - options.alpha })
        : pairedBootstrapTest(cand, prod, { seed: options.seed, confidence: 1 - options.alpha });
    verdict = gateDecision(test, options.alpha);
  } else {
    verdict = { promote: true, reason: 'no production model yet: the first trained model serves' };
  }
  log(verdict.reason);
  check(signal, 'before registration');

  mkdirSync(registry.stagingRoot, { recursive: true });
  const staging = join(registry.stagingRoot, `.retrain-${options.model}-${process.pid}-${Date.now()}`);
  let candidate: ModelVersion;
  try {
    await saveBundle(trained, staging);
    // Registered as a candidate (never promote: true here), so production changes only below,
    // after the gate's numbers are on record.
    candidate = await registry.register(staging, {
      move: true,
      reason: 'retraining candidate',
      source: `anirec retrain --model ${options.model}`,
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const gate: GateResult = {
    decision: verdict.promote ? 'promoted' : 'rejected',
    reason: verdict.reason,
    candidate: candidate.id,
    production: production?.id ?? null,
    metric: METRIC,
    alpha: options.alpha,
    test,
    testUsers: split.test.length,
    split: split.description.text,
    dataHash: split.description.dataHash,
    trainingSeconds,
  };
  await registry.recordMetrics(candidate.id, { gate });
  if (candidate.status === 'production') return gate; // the registry's first model is production already
  if (!verdict.promote) {
    await registry.archive(candidate.id, `rejected by the retraining gate: ${verdict.reason}`);
    await pruneOldVersions(registry, options.keepVersions, log);
    return gate;
  }
  if (signal?.aborted) {
    await registry.archive(candidate.id, 'retraining cancelled before promotion');
    throw new RetrainCancelledError('before promotion');
  }
  await registry.promote(candidate.id, `retraining gate: ${verdict.reason}`);
  await pruneOldVersions(registry, options.keepVersions, log);
  return gate;
}

/**
 * A scheduled retrain adds a version every run, each as large as the model; without pruning the
 * registry (a disk, or the shared database) grows until it fills. The decision is already on
 * record when this runs, so a failed prune is logged rather than failing the run.
 */
async function pruneOldVersions(registry: Registry, keep: number, log: (line: string) => void): Promise<void> {
  if (keep === 0) return;
  try {
    const pruned = await registry.prune({ keep });
    if (pruned.length > 0)
      log(`pruned ${pruned.length} archived version(s) beyond the newest ${keep}: ${pruned.map((v) => v.id).join(', ')}`);
  } catch (error) {
    log(`could not prune old versions (the run's decision stands): ${(error as Error).message}`);
  }
}
