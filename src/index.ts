/**
 * anirec as a library: everything the CLI and the server are built from, one import away.
 *
 *   import { openStore, importFiles, loadTrainingSet, trainBundle, RecommendationEngine } from 'anirec';
 *
 * Data → store → models → recommend → server, in the order the layers depend on each other.
 */

// Data: the formats anirec reads, and the AniList client.
export { AnirecError, ERROR_CODES, httpStatusOf, exitCodeOf, type ErrorCode, type AnirecErrorOptions } from './errors/errors.js';
export { openDataFile, listFormats, detectFormat, DataFileError, FORMAT_IDS, LIST_STATUSES } from './data/index.js';
export type { OpenedDataFile, Anime, Interaction, ListStatus, FormatId } from './data/index.js';
export { fetchUserList, type AniListClientOptions } from './data/anilist/index.js';

// Store: opened by URL (sqlite:PATH, the embedded default), and transactional imports.
export {
  openStore,
  describeStore,
  SqliteStore,
  PostgresStore,
  importFiles,
  ImportAbortedError,
  ImportInProgressError,
  StoreBusyError,
  StoreNotFoundError,
  StoreUrlError,
} from './store/index.js';
export type {
  Store,
  StoredUser,
  StoredInteraction,
  UserRanking,
  ImportFileSpec,
  ImportOptions,
  ImportSummary,
  ImportTransaction,
  ImportResult,
} from './store/index.js';

// Models: training, saving and loading.
export {
  MODEL_NAMES,
  DEFAULT_MODEL_PARAMS,
  trainModel,
  trainBundle,
  isModelName,
  type ModelName,
  type ModelParams,
} from './models/train-model.js';
export { loadTrainingSet, type TrainingSet } from './models/training-set.js';
export { loadBundle, saveBundle, makeBundle, manifestFor, type ModelBundle, type BundleManifest } from './models/bundle.js';
export type { History, Recommender, TrainingData } from './models/types.js';

// Recommending: every mode over a loaded model, and offline rankings for known users.
export { RecommendationEngine, type RecommendOptions, type RecommendationList, type RecommendedItem } from './recommend/engine.js';
export type { RecommendationFilters } from './recommend/filters.js';
export type { Preferences } from './recommend/preferences.js';
export type { HistoryEntry, TasteProfile } from './recommend/taste-profile.js';
export { precomputeRankings, type PrecomputeResult } from './recommend/precompute.js';

// Evaluation: held-out splits, metrics and model comparison.
export { splitUsers, dataHash } from './eval/split.js';
export { evaluate, type EvaluationResult } from './eval/evaluate.js';
export { compareModels } from './eval/compare-models.js';

// Registry and server.
export { ModelRegistry, FileRegistry, PostgresRegistry, openRegistry, type Registry } from './registry/index.js';
export { buildServer, type BuildServerOptions } from './server/app.js';
export { BUNDLED_DATA, BUNDLED_CATALOGUES } from './data/bundled.js';
export { resolvePaths, loadConfig, applyConfig, type AnirecConfig, type AnirecPaths } from './config.js';
export { env, type AnirecEnv } from './env/env.js';
