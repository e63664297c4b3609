import type { Anime, AnimePatch, AnimeRelation, Interaction, ListStatus, TitleRelations } from '../data/types.js';

/** A user as the store knows them: an internal id plus where they came from. */
export interface StoredUser {
  userId: number;
  /** Dataset or service the user belongs to: "kaggle2016", "mal", "anilist", "local". */
  source: string;
  /** The user's id or name in that source. */
  externalId: string;
  interactionCount: number;
}

/** One list entry as stored, with the internal user id resolved. */
export interface StoredInteraction {
  userId: number;
  animeId: number;
  score: number | null;
  status: ListStatus | null;
  updatedAt: number | null;
}

/**
 * All interactions as parallel columns, ordered by (userId, animeId): the shape model training
 * wants, without one object per row. `scores` uses 0 for "listed, no score".
 */
export interface InteractionColumns {
  userIds: Int32Array;
  animeIds: Int32Array;
  scores: Int8Array;
  /** Index into LIST_STATUSES plus one; 0 when the status is unknown. */
  statuses: Uint8Array;
  length: number;
}

export interface ImportCounts {
  animeUpserted: number;
  interactionsInserted: number;
  interactionsUpdated: number;
  interactionsUnchanged: number;
  usersCreated: number;
  /** Entries of a person's own list for titles the catalogue does not have yet (see PendingInteraction). */
  pendingAdded: number;
  /** Pending entries that became interactions because this run added their titles. */
  pendingResolved: number;
}

/** Counts of a run that has written nothing yet. */
export function emptyImportCounts(): ImportCounts {
  return {
    animeUpserted: 0,
    interactionsInserted: 0,
    interactionsUpdated: 0,
    interactionsUnchanged: 0,
    usersCreated: 0,
    pendingAdded: 0,
    pendingResolved: 0,
  };
}

/**
 * A list entry for a title the catalogue does not know yet. A user's own list (a MAL export)
 * never creates catalogue titles, so such entries wait here and become interactions as soon as
 * a catalogue import or ingestion adds the title (in that import's transaction).
 */
export interface PendingInteraction {
  userId: number;
  animeId: number;
  score: number | null;
  status: ListStatus | null;
  updatedAt: number | null;
}

/** A change to one list entry: a field left out keeps its stored value. */
export interface InteractionPatch {
  score?: number | null;
  status?: ListStatus | null;
  updatedAt: number;
}

/** What `updateInteraction` wrote. */
export interface InteractionChange {
  created: boolean;
  entry: StoredInteraction;
}

/** What one `replaceRelations` call wrote. */
export interface RelationChanges {
  added: number;
  removed: number;
}

/**
 * What an import's scope writes through. Everything written becomes visible atomically when the
 * scope returns; a throw (or a crash, or Ctrl-C) leaves the store exactly as it was. The scope,
 * not the caller, ends the transaction, so a networked store can bind one connection to it.
 */
export interface ImportTransaction {
  upsertAnime(patches: readonly AnimePatch[]): Promise<void>;
  /** Users are namespaced by `source`, so "1" in two datasets are two different people. */
  upsertInteractions(source: string, rows: readonly Interaction[]): Promise<void>;
  /** Keeps list rows for titles the catalogue lacks as pending entries (upsert by user and title). */
  addPendingInteractions(source: string, rows: readonly Interaction[]): Promise<void>;
  /**
   * Sets each title's relations to the complete list a catalogue source gives now: relations the
   * list no longer has are removed, a title not in `lists` keeps what it had. Only catalogue
   * sources call this, never a person's list. Re-running with the same lists changes nothing.
   */
  replaceRelations(lists: readonly TitleRelations[]): Promise<RelationChanges>;
  /** Ids of anime known to the store, including those upserted earlier in this transaction. */
  knownAnimeIds(): Promise<ReadonlySet<number>>;
  /** What the run has written so far (the commit may still resolve pending entries). */
  counts(): ImportCounts;
}

/** What `withImport` gives back once the run has committed. */
export interface ImportResult<T> {
  value: T;
  /** Read after the commit, which may itself move pending list entries whose titles the run added. */
  counts: ImportCounts;
}

/**
 * One monitored prediction: what the production model said about a title before the user scored
 * it, next to the score the user gave. Keyed by (user, title, updatedAt) so a re-scored title is
 * monitored again but the same event never twice.
 */
export interface PredictionRecord {
  userId: number;
  animeId: number;
  /** The interaction's updatedAt (epoch ms) that was monitored. */
  updatedAt: number;
  /** UTC day of updatedAt, YYYY-MM-DD: the bucket the daily metrics use. */
  day: string;
  modelVersion: string;
  actualScore: number;
  /** Calibrated score prediction (1–10), null when the user had too few scores to calibrate. */
  predictedScore: number | null;
  /** 1-based rank of the title among everything the user had not listed yet. */
  rank: number;
  /** Titles it was ranked among. */
  candidates: number;
  hit: boolean;
}

/** A monitoring aggregate as both SQL backends select it (snake_case columns). */
export interface MonitoringSummaryRow {
  day: string;
  model_version: string;
  count: number;
  scored: number;
  mae: number | null;
  rmse: number | null;
  hit_rate: number;
  mean_rank: number;
}

/** A selected aggregate as the store's camelCase fields (drift is added by the caller). */
export function monitoringSummaryFromRow(r: MonitoringSummaryRow): Omit<MonitoringDay, 'drift' | 'driftReason' | 'computedAt'> {
  return {
    day: r.day,
    modelVersion: r.model_version,
    count: r.count,
    scored: r.scored,
    mae: r.mae,
    rmse: r.rmse,
    hitRate: r.hit_rate,
    meanRank: r.mean_rank,
  };
}

/** Per-day monitoring aggregate for one model version. */
export interface MonitoringDay {
  day: string;
  modelVersion: string;
  count: number;
  /** Predictions with a calibrated score (the MAE/RMSE denominator). */
  scored: number;
  mae: number | null;
  rmse: number | null;
  hitRate: number;
  meanRank: number;
  drift: boolean;
  driftReason: string | null;
  computedAt: string;
}

export interface AnimeQuery {
  ids?: readonly number[];
  limit?: number;
  offset?: number;
}

/** A known user's ranking computed ahead of requests for one model (best first). */
export interface UserRanking {
  userId: number;
  /** Identifies the list it was computed from; the API uses it only while the list is unchanged. */
  listKey: string;
  animeIds: Int32Array;
  scores: Float32Array;
}

/**
 * The storage boundary. The embedded SQLite implementation is the default; the PostgreSQL one
 * (postgres/) implements the same interface for several API replicas sharing one state. Methods are async so
 * that a networked store fits without changing callers. Callers open one with `openStore(url)`
 * (open-store.ts), and an implementation is complete when it passes the contract suite in
 * test/store/contract.ts.
 *
 * Writes made outside an import never become part of an open import's transaction: they wait
 * for it to end (or use their own connection), so rolling an import back never takes a write
 * that was already acknowledged with it.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  /**
   * Resolves when the store answers a trivial query, rejects when it does not (a networked
   * store's database is down or unreachable). Readiness probes call it; it writes nothing.
   */
  ping(): Promise<void>;

  /**
   * Runs `fn` as one import: commits when it returns, rolls back when it throws (the error is
   * rethrown). Throws ImportInProgressError, before `fn` runs, while another import is open on
   * this store. Fetch anything slow (network) before calling this, so the import holds the store's
   * write lock only while it writes.
   */
  withImport<T>(fn: (tx: ImportTransaction) => Promise<T>): Promise<ImportResult<T>>;

  getAnime(animeId: number): Promise<Anime | null>;
  listAnime(query?: AnimeQuery): Promise<Anime[]>;
  countAnime(): Promise<number>;
  /**
   * Every stored relation whose two ends are both in the catalogue, ordered by (animeId,
   * relatedId, relation). Directions are as the source gave them: a sequel and its prequel link
   * appear once each when the source lists both.
   */
  animeRelations(): Promise<AnimeRelation[]>;

  findUser(source: string | null, externalId: string): Promise<StoredUser[]>;
  getUser(userId: number): Promise<StoredUser | null>;
  /** Creates the user if needed; used by feedback and list uploads. */
  ensureUser(source: string, externalId: string): Promise<StoredUser>;
  countUsers(): Promise<number>;

  userInteractions(userId: number): Promise<StoredInteraction[]>;
  setInteraction(userId: number, row: Omit<StoredInteraction, 'userId'>): Promise<void>;
  /**
   * Applies a partial change to one entry atomically (no read-modify-write across awaits): a
   * field the patch leaves out keeps its stored value, and a new entry with a score but no
   * status is "completed".
   */
  updateInteraction(userId: number, animeId: number, patch: InteractionPatch): Promise<InteractionChange>;
  /** The user's entries for titles the catalogue does not have yet. */
  pendingInteractions(userId: number): Promise<PendingInteraction[]>;
  deleteInteraction(userId: number, animeId: number): Promise<boolean>;
  countInteractions(): Promise<number>;
  /** Every interaction, column-wise, for training. */
  allInteractions(): Promise<InteractionColumns>;

  /** Small key/value metadata: data snapshot hashes, ingestion cursors, schema version. */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  /**
   * Scored interactions with updatedAt > `since` that have no prediction record for that
   * updatedAt yet (so a late-arriving row inside the window is still monitored once).
   */
  unmonitoredScoredInteractions(since: number): Promise<StoredInteraction[]>;
  /** Inserts prediction records; existing (user, title, updatedAt) keys are kept. Returns rows added. */
  addPredictions(rows: readonly PredictionRecord[]): Promise<number>;
  /** Aggregates the prediction records of these days, one row per (day, model version); drift unset. */
  summarizePredictions(days: readonly string[]): Promise<Array<Omit<MonitoringDay, 'drift' | 'driftReason' | 'computedAt'>>>;
  saveMonitoringDays(rows: readonly MonitoringDay[]): Promise<void>;
  /** Daily rows with day ≥ `sinceDay` (all when null), oldest first. */
  monitoringDays(sinceDay: string | null): Promise<MonitoringDay[]>;

  /** Writes (or replaces) rankings for a model, identified by `modelKey`. */
  putUserRankings(modelKey: string, rows: readonly UserRanking[]): Promise<void>;
  getUserRanking(modelKey: string, userId: number): Promise<UserRanking | null>;
  countUserRankings(modelKey: string): Promise<number>;
  /** Deletes the rankings of every model except these; returns the rows deleted. */
  pruneUserRankings(keepModelKeys: readonly string[]): Promise<number>;

  close(): Promise<void>;
}
