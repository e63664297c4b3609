import { to as copyTo } from 'pg-copy-streams';
import type pg from 'pg';
import type { Anime, AnimeRelation } from '../../data/types.js';
import { ImportInProgressError, StoreNotFoundError, StoreUnavailableError, StoreUrlError } from '../errors.js';
import type {
  AnimeQuery,
  ImportResult,
  ImportTransaction,
  InteractionChange,
  InteractionColumns,
  InteractionPatch,
  MonitoringDay,
  PendingInteraction,
  PredictionRecord,
  Store,
  StoredInteraction,
  StoredUser,
  UserRanking,
} from '../store.js';
import { asStoreError, connectionProblem, createPool, poolSettings } from './connection.js';
import { InteractionColumnsReader } from './copy-columns.js';
import { PostgresImportTransaction } from './import-transaction.js';
import * as monitoring from './monitoring.js';
import { readRelations } from './relations.js';
import { animeFromRow, statusFromCode, statusToCode, type AnimePgRow } from './rows.js';
import { hasSchema, IMPORT_LOCK, LOCK_NAMESPACE, migrate } from './schema.js';
import { putUserRankings, readRanking } from './rankings.js';

interface UserRow {
  user_id: number;
  source: string;
  external_id: string;
  interaction_count: number;
}

interface EntryRow {
  anime_id: number;
  score: number | null;
  status: number | null;
  updated_at: number | null;
}

const USER_COLUMNS = `u.user_id, u.source, u.external_id,
  (SELECT count(*) FROM interactions i WHERE i.user_id = u.user_id)::int AS interaction_count`;

function userFromRow(row: UserRow): StoredUser {
  return { userId: row.user_id, source: row.source, externalId: row.external_id, interactionCount: row.interaction_count };
}

export interface PostgresOpenOptions {
  /** The URL as messages show it (password redacted). */
  location: string;
  /** Refuse a database without anirec's tables instead of creating them. */
  mustExist?: boolean;
}

/**
 * The store for several API replicas sharing one state: a PostgreSQL database reached through a
 * connection pool. Every write outside an import is one statement (so it is atomic on its own and
 * needs no lock across awaits); an import is one transaction on one pooled connection.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private closed = false;
  /** The last error a pooled connection reported on its own (a server restart); kept for debugging, never thrown. */
  lastIdleError: Error | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  /** Connects, checks or creates the schema (migrations under an advisory lock), and returns the store. */
  static async open(url: string, options: PostgresOpenOptions): Promise<PostgresStore> {
    const { location } = options;
    const settings = poolSettings(url, location);
    const store: PostgresStore = new PostgresStore(
      createPool(settings, (error) => (store.lastIdleError = error)),
      location,
    );
    try {
      let client: pg.PoolClient;
      try {
        client = await store.pool.connect();
      } catch (error) {
        throw openError(error, location, options.mustExist ?? false);
      }
      const onError = (error: Error): void => void (store.lastIdleError = error);
      client.on('error', onError);
      try {
        if (options.mustExist && !(await hasSchema(client))) {
          throw new StoreNotFoundError(
            location,
            'The database has no anirec tables yet; `anirec import --store URL` creates them (with no files it loads the bundled sample).',
          );
        }
        await migrate(client);
      } finally {
        client.off('error', onError);
        client.release(true);
      }
    } catch (error) {
      await store.pool.end().catch(() => {});
      throw asStoreError(error);
    }
    return store;
  }

  /**
   * One statement on any pooled connection. After a database restart the pool may still hold
   * connections the server has closed, and the first statement on each fails; a statement that
   * is safe to run twice (every read, and the writes that set a value) is retried once on a fresh
   * connection, so a restart costs no failed request where it need not.
   */
  private async query<R extends pg.QueryResultRow>(
    text: string,
    values?: unknown[],
    idempotent = /^\s*SELECT\b/i.test(text),
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      if (!idempotent || connectionProblem(error) === null || this.closed) throw asStoreError(error);
    }
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw asStoreError(error);
    }
  }

  /**
   * A pooled connection for several statements. While checked out, its `error` events (the server
   * killed it) are ours to handle: unhandled they would crash the process; the failing query
   * rejects anyway. `release(true)` discards a connection that failed instead of pooling it.
   */
  private async checkout(): Promise<{ client: pg.PoolClient; release: (broken: boolean) => void }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw asStoreError(error);
    }
    const onError = (error: Error): void => void (this.lastIdleError = error);
    client.on('error', onError);
    return {
      client,
      release: (broken) => {
        client.off('error', onError);
        client.release(broken);
      },
    };
  }

  /** Runs `use` on one pooled connection; a connection that failed is discarded, not handed back. */
  private async withClient<T>(use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const { client, release } = await this.checkout();
    let broken = false;
    try {
      return await use(client);
    } catch (error) {
      broken = connectionProblem(error) !== null;
      throw asStoreError(error);
    } finally {
      release(broken);
    }
  }

  /** `use` inside BEGIN … COMMIT on one connection; rolled back when it throws. */
  private transaction<T>(use: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    return this.withClient(async (client) => {
      await client.query(begin);
      try {
        const value = await use(client);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async withImport<T>(fn: (tx: ImportTransaction) => Promise<T>): Promise<ImportResult<T>> {
    const { client, release } = await this.checkout();
    let reusable = true;
    try {
      await client.query('BEGIN');
      // A transaction-level lock: held by this transaction on whichever replica, released by its
      // COMMIT or ROLLBACK (or by the server when the connection dies), never left on a pooled connection.
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS locked', [
        LOCK_NAMESPACE,
        IMPORT_LOCK,
      ]);
      if (rows[0]?.locked !== true) {
        await client.query('ROLLBACK');
        throw new ImportInProgressError();
      }
    } catch (error) {
      if (!(error instanceof ImportInProgressError)) {
        await client.query('ROLLBACK').catch(() => (reusable = false));
        reusable &&= connectionProblem(error) === null;
      }
      release(!reusable);
      throw asStoreError(error);
    }
    const tx = new PostgresImportTransaction(client);
    try {
      const value = await fn(tx);
      await tx.commit();
      return { value, counts: tx.counts() };
    } catch (error) {
      reusable = await tx.rollback();
      throw asStoreError(error);
    } finally {
      release(!reusable);
    }
  }

  async getAnime(animeId: number): Promise<Anime | null> {
    const { rows } = await this.query<AnimePgRow>('SELECT * FROM anime WHERE anime_id = $1', [animeId]);
    return rows[0] ? animeFromRow(rows[0]) : null;
  }

  async listAnime(query: AnimeQuery = {}): Promise<Anime[]> {
    const limit = query.limit ?? null;
    const offset = query.offset ?? 0;
    const { rows } =
      query.ids !== undefined
        ? await this.query<AnimePgRow>('SELECT * FROM anime WHERE anime_id = ANY($1::int[]) ORDER BY anime_id LIMIT $2 OFFSET $3', [
            query.ids,
            limit,
            offset,
          ])
        : await this.query<AnimePgRow>('SELECT * FROM anime ORDER BY anime_id LIMIT $1 OFFSET $2', [limit, offset]);
    return rows.map(animeFromRow);
  }

  async countAnime(): Promise<number> {
    return this.count('SELECT count(*)::int AS n FROM anime');
  }

  private async count(sql: string, values?: unknown[]): Promise<number> {
    const { rows } = await this.query<{ n: number }>(sql, values);
    return rows[0]!.n;
  }

  async animeRelations(): Promise<AnimeRelation[]> {
    try {
      return await readRelations(this.pool);
    } catch (error) {
      throw asStoreError(error);
    }
  }

  async findUser(source: string | null, externalId: string): Promise<StoredUser[]> {
    const { rows } =
      source === null
        ? await this.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.external_id = $1 ORDER BY u.source COLLATE "C"`, [
            externalId,
          ])
        : await this.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.source = $1 AND u.external_id = $2`, [source, externalId]);
    return rows.map(userFromRow);
  }

  async getUser(userId: number): Promise<StoredUser | null> {
    const { rows } = await this.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.user_id = $1`, [userId]);
    return rows[0] ? userFromRow(rows[0]) : null;
  }

  async ensureUser(source: string, externalId: string): Promise<StoredUser> {
    // One statement creates or finds the user. When another replica inserted the same user after
    // this statement's snapshot was taken, ON CONFLICT skips the insert and the SELECT cannot see
    // that row yet: then a second read (a new snapshot) finds it. Nothing is ever inserted twice.
    const { rows } = await this.query<UserRow>(
      `WITH created AS (
         INSERT INTO users (source, external_id) VALUES ($1, $2) ON CONFLICT (source, external_id) DO NOTHING
         RETURNING user_id, source, external_id
       )
       SELECT user_id, source, external_id, 0 AS interaction_count FROM created
       UNION ALL
       SELECT ${USER_COLUMNS} FROM users u WHERE u.source = $1 AND u.external_id = $2`,
      [source, externalId],
      true,
    );
    const user = rows[0] ? userFromRow(rows[0]) : (await this.findUser(source, externalId))[0];
    if (user === undefined) throw new Error(`Could not create user ${source}:${externalId}`);
    return user;
  }

  async countUsers(): Promise<number> {
    return this.count('SELECT count(*)::int AS n FROM users');
  }

  async userInteractions(userId: number): Promise<StoredInteraction[]> {
    const { rows } = await this.query<EntryRow>(
      'SELECT anime_id, score, status, updated_at FROM interactions WHERE user_id = $1 ORDER BY anime_id',
      [userId],
    );
    return rows.map((r) => ({ userId, animeId: r.anime_id, score: r.score, status: statusFromCode(r.status), updatedAt: r.updated_at }));
  }

  async setInteraction(userId: number, row: Omit<StoredInteraction, 'userId'>): Promise<void> {
    await this.query(
      `INSERT INTO interactions (user_id, anime_id, score, status, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, anime_id) DO UPDATE SET score = excluded.score, status = excluded.status, updated_at = excluded.updated_at`,
      [userId, row.animeId, row.score, statusToCode(row.status), row.updatedAt ?? Date.now()],
      true,
    );
  }

  async updateInteraction(userId: number, animeId: number, patch: InteractionPatch): Promise<InteractionChange> {
    // One upsert, so two replicas patching different fields of one entry both land: ON CONFLICT
    // locks the row and applies each patch to the latest version. $4 is the status of a new
    // entry (a score without a status means completed); $6/$7 say which fields the patch sets.
    const hasScore = patch.score !== undefined;
    const hasStatus = patch.status !== undefined;
    const score = patch.score ?? null;
    const newStatus = hasStatus ? statusToCode(patch.status ?? null) : score !== null ? statusToCode('completed') : null;
    const { rows } = await this.query<EntryRow & { created: boolean }>(
      `INSERT INTO interactions AS i (user_id, anime_id, score, status, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, anime_id) DO UPDATE SET
         score = CASE WHEN $6::boolean THEN excluded.score ELSE i.score END,
         status = CASE WHEN $7::boolean THEN excluded.status ELSE i.status END,
         updated_at = excluded.updated_at
       RETURNING i.anime_id, i.score, i.status, i.updated_at, (i.xmax = 0) AS created`,
      [userId, animeId, score, newStatus, patch.updatedAt, hasScore, hasStatus],
    );
    const r = rows[0]!;
    return { created: r.created, entry: { userId, animeId, score: r.score, status: statusFromCode(r.status), updatedAt: r.updated_at } };
  }

  async deleteInteraction(userId: number, animeId: number): Promise<boolean> {
    const result = await this.query('DELETE FROM interactions WHERE user_id = $1 AND anime_id = $2', [userId, animeId]);
    return (result.rowCount ?? 0) > 0;
  }

  async pendingInteractions(userId: number): Promise<PendingInteraction[]> {
    const { rows } = await this.query<EntryRow>(
      'SELECT anime_id, score, status, updated_at FROM pending_interactions WHERE user_id = $1 ORDER BY anime_id',
      [userId],
    );
    return rows.map((r) => ({ userId, animeId: r.anime_id, score: r.score, status: statusFromCode(r.status), updatedAt: r.updated_at }));
  }

  async countInteractions(): Promise<number> {
    return this.count('SELECT count(*) AS n FROM interactions');
  }

  async allInteractions(): Promise<InteractionColumns> {
    // The count and the rows come from one snapshot, so the arrays are sized exactly even while
    // feedback keeps arriving on other replicas.
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ n: number }>('SELECT count(*) AS n FROM interactions');
      const total = rows[0]!.n;
      const columns: InteractionColumns = {
        userIds: new Int32Array(total),
        animeIds: new Int32Array(total),
        scores: new Int8Array(total),
        statuses: new Uint8Array(total),
        length: 0,
      };
      const reader = new InteractionColumnsReader(columns);
      const stream = client.query(
        copyTo('COPY (SELECT user_id, anime_id, score, status FROM interactions ORDER BY user_id, anime_id) TO STDOUT (FORMAT binary)'),
      );
      for await (const chunk of stream) reader.push(chunk as Buffer);
      reader.finish();
      return columns;
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async getMeta(key: string): Promise<string | null> {
    const { rows } = await this.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return rows[0]?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.query(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
      true,
    );
  }

  async putUserRankings(modelKey: string, rows: readonly UserRanking[]): Promise<void> {
    if (rows.length === 0) return;
    await this.transaction((client) => putUserRankings(client, modelKey, rows));
  }

  async getUserRanking(modelKey: string, userId: number): Promise<UserRanking | null> {
    const { rows } = await this.query<{ list_key: string; anime_ids: Buffer; scores: Buffer }>(
      'SELECT list_key, anime_ids, scores FROM user_rankings WHERE model_key = $1 AND user_id = $2',
      [modelKey, userId],
    );
    return rows[0] ? readRanking(userId, rows[0]) : null;
  }

  async countUserRankings(modelKey: string): Promise<number> {
    return this.count('SELECT count(*)::int AS n FROM user_rankings WHERE model_key = $1', [modelKey]);
  }

  async pruneUserRankings(keepModelKeys: readonly string[]): Promise<number> {
    const result = await this.query('DELETE FROM user_rankings WHERE NOT (model_key = ANY($1::text[]))', [keepModelKeys]);
    return result.rowCount ?? 0;
  }

  async unmonitoredScoredInteractions(since: number): Promise<StoredInteraction[]> {
    return this.wrap(() => monitoring.unmonitoredScoredInteractions(this.pool, since));
  }

  async addPredictions(rows: readonly PredictionRecord[]): Promise<number> {
    return this.wrap(() => monitoring.addPredictions(this.pool, rows));
  }

  async summarizePredictions(days: readonly string[]): Promise<Array<Omit<MonitoringDay, 'drift' | 'driftReason' | 'computedAt'>>> {
    return this.wrap(() => monitoring.summarizePredictions(this.pool, days));
  }

  async saveMonitoringDays(rows: readonly MonitoringDay[]): Promise<void> {
    await this.wrap(() => monitoring.saveMonitoringDays(this.pool, rows));
  }

  async monitoringDays(sinceDay: string | null): Promise<MonitoringDay[]> {
    return this.wrap(() => monitoring.monitoringDays(this.pool, sinceDay));
  }

  private async wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw asStoreError(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** What went wrong opening the database, in terms of what to change. */
function openError(error: unknown, location: string, mustExist: boolean): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === '3D000') {
    const hint = 'Create the database first (createdb NAME, or CREATE DATABASE NAME as an administrator); anirec creates its tables in it.';
    return mustExist ? new StoreNotFoundError(location, hint) : new StoreUrlError(`The database in ${location} does not exist. ${hint}`);
  }
  if (code === '28P01' || code === '28000') {
    return new StoreUrlError(
      `PostgreSQL refused the login for ${location}: check the user and password in the URL (or PGPASSWORD) and pg_hba.conf.`,
    );
  }
  const problem = connectionProblem(error);
  if (problem !== null) return new StoreUnavailableError(`${location}: ${problem}`, error);
  return error;
}
