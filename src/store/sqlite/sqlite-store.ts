import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Anime, AnimeRelation } from '../../data/types.js';
import { ImportInProgressError, StoreBusyError } from '../errors.js';
import type {
  AnimeQuery,
  ImportResult,
  ImportTransaction,
  InteractionChange,
  InteractionColumns,
  InteractionPatch,
  PendingInteraction,
  MonitoringDay,
  PredictionRecord,
  Store,
  StoredInteraction,
  StoredUser,
  UserRanking,
} from '../store.js';
import { SqliteImportTransaction } from './import-transaction.js';
import { animeFromRow, statusFromCode, statusToCode, type AnimeRow } from './rows.js';
import * as monitoring from './monitoring.js';
import { readRelations } from './relations.js';
import { migrate } from './schema.js';

interface UserRow {
  user_id: number;
  source: string;
  external_id: string;
  interaction_count: number;
}

const USER_COLUMNS = `u.user_id, u.source, u.external_id,
  (SELECT count(*) FROM interactions i WHERE i.user_id = u.user_id) AS interaction_count`;

/** A typed array's bytes as stored (SQLite BLOB); platform byte order, little-endian everywhere anirec runs. */
function blobOf(array: Int32Array | Float32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * How long one statement may wait synchronously for another process's write lock. Kept short
 * because better-sqlite3 waits on the event loop; longer waits happen in `write`, asynchronously.
 */
const SYNC_BUSY_TIMEOUT_MS = 100;
/** How long a write (or an import's BEGIN) keeps retrying a locked store before giving up. */
export const DEFAULT_BUSY_WAIT_MS = 10_000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function userFromRow(row: UserRow): StoredUser {
  return { userId: row.user_id, source: row.source, externalId: row.external_id, interactionCount: row.interaction_count };
}

/** The embedded default store: one SQLite file, no server. `:memory:` works for tests. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  /**
   * Compiled statements by SQL text. Compiling costs about as much as running these small
   * queries, and the API runs a few per request.
   */
  private readonly statements = new Map<string, Database.Statement>();
  /**
   * Settles when the import open on this connection ends; null when none is. Every write outside
   * the import waits for it: on one SQLite connection a write made while an import's transaction
   * is open would otherwise become part of it and be rolled back with it.
   */
  private importDone: Promise<void> | null = null;

  private constructor(
    db: Database.Database,
    private readonly location: string,
    private readonly busyWaitMs: number,
  ) {
    this.db = db;
  }

  /**
   * The file another connection can open (the API reads its snapshot in a worker thread from
   * it), or null for an in-memory store, which only this connection sees.
   */
  get file(): string | null {
    const path = this.location;
    return path === '' || path === ':memory:' || path.startsWith('file::memory:') ? null : path;
  }

  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  static open(path: string, options: { readonly?: boolean; busyWaitMs?: number } = {}): SqliteStore {
    if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (error) {
      throw new Error(`Cannot open the anirec store at ${path}: ${(error as Error).message}`);
    }
    if (!options.readonly) {
      // WAL lets API readers keep reading while an import or feedback write is in progress.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -65536');
      db.pragma('temp_store = MEMORY');
      db.pragma(`busy_timeout = ${SYNC_BUSY_TIMEOUT_MS}`);
      migrate(db);
    }
    return new SqliteStore(db, path, options.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS);
  }

  async withImport<T>(fn: (tx: ImportTransaction) => Promise<T>): Promise<ImportResult<T>> {
    if (this.importDone !== null || this.db.inTransaction) throw new ImportInProgressError();
    let release!: () => void;
    this.importDone = new Promise<void>((resolve) => (release = resolve));
    const end = (): void => {
      this.importDone = null;
      release();
    };
    let tx: SqliteImportTransaction;
    try {
      await this.retryWhileBusy(() => this.db.exec('BEGIN IMMEDIATE'));
      tx = new SqliteImportTransaction(this.db, end);
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      end();
      throw error;
    }
    let value: T;
    try {
      value = await fn(tx);
      await tx.commit();
    } catch (error) {
      await tx.rollback();
      throw error;
    }
    return { value, counts: tx.counts() };
  }

  /**
   * Runs one synchronous write once no import is open on this connection, retrying while another
   * process holds the store's write lock. The write itself runs without an await inside, so no
   * other request's write can interleave with it.
   */
  private async write<T>(fn: () => T): Promise<T> {
    while (this.importDone !== null) await this.importDone;
    return this.retryWhileBusy(fn);
  }

  private async retryWhileBusy<T>(fn: () => T): Promise<T> {
    const started = Date.now();
    for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
      try {
        return fn();
      } catch (error) {
        if (!isBusy(error)) throw error;
        const waited = Date.now() - started;
        if (waited >= this.busyWaitMs) throw new StoreBusyError(this.location, waited);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async ping(): Promise<void> {
    this.prepared('SELECT 1').get();
  }

  async getAnime(animeId: number): Promise<Anime | null> {
    const row = this.prepared('SELECT * FROM anime WHERE anime_id = ?').get(animeId) as AnimeRow | undefined;
    return row ? animeFromRow(row) : null;
  }

  async listAnime(query: AnimeQuery = {}): Promise<Anime[]> {
    const limit = query.limit ?? -1;
    const offset = query.offset ?? 0;
    let rows: AnimeRow[];
    if (query.ids !== undefined) {
      const ids = JSON.stringify(query.ids);
      rows = this.prepared('SELECT * FROM anime WHERE anime_id IN (SELECT value FROM json_each(?)) ORDER BY anime_id LIMIT ? OFFSET ?').all(
        ids,
        limit,
        offset,
      ) as AnimeRow[];
    } else {
      rows = this.prepared('SELECT * FROM anime ORDER BY anime_id LIMIT ? OFFSET ?').all(limit, offset) as AnimeRow[];
    }
    return rows.map(animeFromRow);
  }

  async countAnime(): Promise<number> {
    return this.prepared('SELECT count(*) FROM anime').pluck().get() as number;
  }

  async animeRelations(): Promise<AnimeRelation[]> {
    return readRelations(this.db);
  }

  async findUser(source: string | null, externalId: string): Promise<StoredUser[]> {
    const rows = (
      source === null
        ? this.prepared(`SELECT ${USER_COLUMNS} FROM users u WHERE u.external_id = ? ORDER BY u.source`).all(externalId)
        : this.prepared(`SELECT ${USER_COLUMNS} FROM users u WHERE u.source = ? AND u.external_id = ?`).all(source, externalId)
    ) as UserRow[];
    return rows.map(userFromRow);
  }

  async getUser(userId: number): Promise<StoredUser | null> {
    const row = this.prepared(`SELECT ${USER_COLUMNS} FROM users u WHERE u.user_id = ?`).get(userId) as UserRow | undefined;
    return row ? userFromRow(row) : null;
  }

  async ensureUser(source: string, externalId: string): Promise<StoredUser> {
    await this.write(() => this.prepared('INSERT OR IGNORE INTO users (source, external_id) VALUES (?, ?)').run(source, externalId));
    const [user] = await this.findUser(source, externalId);
    if (user === undefined) throw new Error(`Could not create user ${source}:${externalId}`);
    return user;
  }

  async countUsers(): Promise<number> {
    return this.prepared('SELECT count(*) FROM users').pluck().get() as number;
  }

  async userInteractions(userId: number): Promise<StoredInteraction[]> {
    const rows = this.prepared('SELECT anime_id, score, status, updated_at FROM interactions WHERE user_id = ? ORDER BY anime_id')
      .raw()
      .all(userId) as [number, number | null, number | null, number | null][];
    return rows.map(([animeId, score, status, updatedAt]) => ({
      userId,
      animeId,
      score,
      status: statusFromCode(status),
      updatedAt,
    }));
  }

  async setInteraction(userId: number, row: Omit<StoredInteraction, 'userId'>): Promise<void> {
    await this.write(() => this.writeInteraction(userId, row));
  }

  private writeInteraction(userId: number, row: Omit<StoredInteraction, 'userId'>): void {
    this.prepared(
      `INSERT INTO interactions (user_id, anime_id, score, status, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id, anime_id) DO UPDATE SET score = excluded.score, status = excluded.status,
           updated_at = excluded.updated_at`,
    ).run(userId, row.animeId, row.score, statusToCode(row.status), row.updatedAt ?? Date.now());
  }

  async updateInteraction(userId: number, animeId: number, patch: InteractionPatch): Promise<InteractionChange> {
    const select = this.prepared('SELECT score, status FROM interactions WHERE user_id = ? AND anime_id = ?');
    // One SQLite transaction: the read and the write see the same row, whatever else runs.
    const apply = this.db.transaction((): InteractionChange => {
      const existing = select.get(userId, animeId) as { score: number | null; status: number | null } | undefined;
      const score = patch.score !== undefined ? patch.score : (existing?.score ?? null);
      const status =
        patch.status !== undefined ? patch.status : existing ? statusFromCode(existing.status) : score !== null ? 'completed' : null;
      const entry: StoredInteraction = { userId, animeId, score, status, updatedAt: patch.updatedAt };
      this.writeInteraction(userId, entry);
      return { created: existing === undefined, entry };
    });
    return this.write(() => apply.immediate());
  }

  async deleteInteraction(userId: number, animeId: number): Promise<boolean> {
    return this.write(() => this.prepared('DELETE FROM interactions WHERE user_id = ? AND anime_id = ?').run(userId, animeId).changes > 0);
  }

  async pendingInteractions(userId: number): Promise<PendingInteraction[]> {
    const rows = this.prepared('SELECT anime_id, score, status, updated_at FROM pending_interactions WHERE user_id = ? ORDER BY anime_id')
      .raw()
      .all(userId) as [number, number | null, number | null, number | null][];
    return rows.map(([animeId, score, status, updatedAt]) => ({ userId, animeId, score, status: statusFromCode(status), updatedAt }));
  }

  async countInteractions(): Promise<number> {
    return this.prepared('SELECT count(*) FROM interactions').pluck().get() as number;
  }

  async allInteractions(): Promise<InteractionColumns> {
    const total = await this.countInteractions();
    const columns: InteractionColumns = {
      userIds: new Int32Array(total),
      animeIds: new Int32Array(total),
      scores: new Int8Array(total),
      statuses: new Uint8Array(total),
      length: 0,
    };
    const rows = this.prepared('SELECT user_id, anime_id, score, status FROM interactions ORDER BY user_id, anime_id')
      .raw()
      .iterate() as IterableIterator<[number, number, number | null, number | null]>;
    let n = 0;
    for (const [userId, animeId, score, status] of rows) {
      if (n === total) break; // a concurrent writer added rows after the count; they wait for the next read
      columns.userIds[n] = userId;
      columns.animeIds[n] = animeId;
      columns.scores[n] = score ?? 0;
      columns.statuses[n] = status ?? 0;
      n++;
    }
    columns.length = n;
    return columns;
  }

  async getMeta(key: string): Promise<string | null> {
    return (this.prepared('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.write(() =>
      this.prepared('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value),
    );
  }

  async putUserRankings(modelKey: string, rows: readonly UserRanking[]): Promise<void> {
    const insert = this.prepared(
      'INSERT OR REPLACE INTO user_rankings (model_key, user_id, list_key, anime_ids, scores, computed_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const now = new Date().toISOString();
    const putAll = this.db.transaction(() => {
      for (const row of rows) insert.run(modelKey, row.userId, row.listKey, blobOf(row.animeIds), blobOf(row.scores), now);
    });
    await this.write(() => putAll.immediate());
  }

  async getUserRanking(modelKey: string, userId: number): Promise<UserRanking | null> {
    const row = this.prepared('SELECT list_key, anime_ids, scores FROM user_rankings WHERE model_key = ? AND user_id = ?').get(
      modelKey,
      userId,
    ) as { list_key: string; anime_ids: Buffer; scores: Buffer } | undefined;
    if (row === undefined) return null;
    // Copied out of the Buffers: their byteOffset need not be 4-aligned for a typed-array view.
    const animeIds = new Int32Array(row.anime_ids.byteLength / 4);
    Buffer.from(animeIds.buffer).set(row.anime_ids);
    const scores = new Float32Array(row.scores.byteLength / 4);
    Buffer.from(scores.buffer).set(row.scores);
    return { userId, listKey: row.list_key, animeIds, scores };
  }

  async countUserRankings(modelKey: string): Promise<number> {
    return this.prepared('SELECT count(*) FROM user_rankings WHERE model_key = ?').pluck().get(modelKey) as number;
  }

  async pruneUserRankings(keepModelKeys: readonly string[]): Promise<number> {
    return this.write(
      () =>
        this.prepared('DELETE FROM user_rankings WHERE model_key NOT IN (SELECT value FROM json_each(?))').run(
          JSON.stringify(keepModelKeys),
        ).changes,
    );
  }

  async unmonitoredScoredInteractions(since: number): Promise<StoredInteraction[]> {
    return monitoring.unmonitoredScoredInteractions(this.db, since);
  }

  async addPredictions(rows: readonly PredictionRecord[]): Promise<number> {
    return this.write(() => monitoring.addPredictions(this.db, rows));
  }

  async summarizePredictions(days: readonly string[]): Promise<Array<Omit<MonitoringDay, 'drift' | 'driftReason' | 'computedAt'>>> {
    return monitoring.summarizePredictions(this.db, days);
  }

  async saveMonitoringDays(rows: readonly MonitoringDay[]): Promise<void> {
    await this.write(() => monitoring.saveMonitoringDays(this.db, rows));
  }

  async monitoringDays(sinceDay: string | null): Promise<MonitoringDay[]> {
    return monitoring.monitoringDays(this.db, sinceDay);
  }

  async close(): Promise<void> {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }
}
