import type Database from 'better-sqlite3';
import type { AnimePatch, Interaction, TitleRelations } from '../../data/types.js';
import { mergeAnime } from '../merge-anime.js';
import { emptyImportCounts, type ImportCounts, type ImportTransaction, type RelationChanges } from '../store.js';
import { relationsWriter, type RelationsWriter } from './relations.js';
import { animeFromRow, animeToParams, statusToCode, type AnimeRow } from './rows.js';

/** Rows per multi-row INSERT: amortises better-sqlite3's per-call cost (5 params a row, well under SQLite's limit). */
const ROWS_PER_STATEMENT = 500;
const PARAMS_PER_ROW = 5;

// A row is only rewritten when something actually changed, so `changes` counts inserts + real
// updates and a re-run of the same file touches nothing.
const UPSERT_TAIL = `
  ON CONFLICT (user_id, anime_id) DO UPDATE SET
    score = excluded.score,
    status = COALESCE(excluded.status, interactions.status),
    updated_at = COALESCE(excluded.updated_at, interactions.updated_at)
  WHERE interactions.score IS NOT excluded.score
     OR (excluded.status IS NOT NULL AND interactions.status IS NOT excluded.status)
     OR (excluded.updated_at IS NOT NULL AND interactions.updated_at IS NOT excluded.updated_at)`;

const SCORE_ONLY_UPSERT_TAIL = `
  ON CONFLICT (user_id, anime_id) DO UPDATE SET score = excluded.score
  WHERE interactions.score IS NOT excluded.score`;

function valuesSql(rows: number): string {
  return Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
}

/**
 * Each batch is written twice at most: INSERT OR IGNORE counts the new rows exactly (and is the
 * only statement a first import runs); only if some rows already existed does the upsert run
 * to apply and count real changes. Counting with count(*) instead would scan the table per batch.
 */
class BatchWriter {
  private readonly insertNew: Database.Statement;
  private readonly upsert: Database.Statement;

  constructor(
    db: Database.Database,
    readonly rows: number,
    readonly scoreOnly = false,
  ) {
    // Score-only files (the Kaggle ratings) bind 3 values a row instead of 5: binding is a large
    // share of the per-row cost, and status/updated_at stay NULL either way.
    const columns = scoreOnly ? 'user_id, anime_id, score' : 'user_id, anime_id, score, status, updated_at';
    const values = scoreOnly ? Array.from({ length: rows }, () => '(?, ?, ?)').join(', ') : valuesSql(rows);
    this.insertNew = db.prepare(`INSERT OR IGNORE INTO interactions (${columns}) VALUES ${values}`);
    this.upsert = db.prepare(`INSERT INTO interactions (${columns}) VALUES ${values} ${scoreOnly ? SCORE_ONLY_UPSERT_TAIL : UPSERT_TAIL}`);
  }

  /** Returns [inserted, updated]. */
  write(params: unknown[]): [number, number] {
    const inserted = this.insertNew.run(params).changes;
    if (inserted === this.rows) return [inserted, 0];
    return [inserted, this.upsert.run(params).changes];
  }
}

/**
 * One import run on the SQLite store: a single SQLite transaction opened by BEGIN IMMEDIATE and ended by
 * COMMIT or ROLLBACK, so the run is all-or-nothing even across the awaits of a streaming read.
 * If the process dies mid-run, SQLite's journal discards the partial run on the next open.
 * `SqliteStore.withImport` owns it: only that scope commits or rolls back.
 */
export class SqliteImportTransaction implements ImportTransaction {
  private open = true;
  private readonly userIdsBySource = new Map<string, Map<string, number>>();
  private known: Set<number> | null = null;
  private readonly tally: ImportCounts = emptyImportCounts();
  private readonly fullBatch: BatchWriter;
  private readonly singleRow: BatchWriter;
  private readonly scoreOnlyBatch: BatchWriter;
  private readonly scoreOnlyParams = new Array<unknown>(ROWS_PER_STATEMENT * 3);
  private readonly selectAnime: Database.Statement;
  private readonly writeAnime: Database.Statement;
  private readonly insertUser: Database.Statement;
  private readonly params = new Array<unknown>(ROWS_PER_STATEMENT * PARAMS_PER_ROW);
  private readonly writePending: Database.Statement;
  private readonly relations: RelationsWriter;

  /**
   * The caller has already opened the SQLite transaction (BEGIN IMMEDIATE, which can wait for
   * another process's lock); `onEnd` runs once when this run commits or rolls back.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly onEnd: () => void = () => {},
  ) {
    this.fullBatch = new BatchWriter(db, ROWS_PER_STATEMENT);
    this.singleRow = new BatchWriter(db, 1);
    this.scoreOnlyBatch = new BatchWriter(db, ROWS_PER_STATEMENT, true);
    this.selectAnime = db.prepare('SELECT * FROM anime WHERE anime_id = ?');
    this.writeAnime = db.prepare(`INSERT OR REPLACE INTO anime (
        anime_id, title, title_english, title_japanese, synonyms, format, episodes, status, year, season,
        genres, themes, demographics, studios, source, age_rating, adult, mal_score, members, synopsis,
        picture_url, updated_at)
      VALUES (@anime_id, @title, @title_english, @title_japanese, @synonyms, @format, @episodes, @status, @year,
        @season, @genres, @themes, @demographics, @studios, @source, @age_rating, @adult, @mal_score, @members,
        @synopsis, @picture_url, @updated_at)`);
    this.insertUser = db.prepare('INSERT INTO users (source, external_id) VALUES (?, ?)');
    this.writePending = db.prepare(`INSERT INTO pending_interactions (user_id, anime_id, score, status, updated_at, added_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (user_id, anime_id) DO UPDATE SET score = excluded.score,
        status = COALESCE(excluded.status, pending_interactions.status),
        updated_at = COALESCE(excluded.updated_at, pending_interactions.updated_at)`);
    this.relations = relationsWriter(db);
  }

  async upsertAnime(patches: readonly AnimePatch[]): Promise<void> {
    this.assertOpen();
    const now = Date.now();
    for (const patch of patches) {
      const row = this.selectAnime.get(patch.animeId) as AnimeRow | undefined;
      const merged = mergeAnime(row ? animeFromRow(row) : null, patch);
      this.writeAnime.run(animeToParams(merged, now));
      this.known?.add(patch.animeId);
      this.tally.animeUpserted++;
    }
  }

  async replaceRelations(lists: readonly TitleRelations[]): Promise<RelationChanges> {
    this.assertOpen();
    return this.relations.replace(lists);
  }

  async upsertInteractions(source: string, rows: readonly Interaction[]): Promise<void> {
    this.assertOpen();
    if (rows.length === 0) return;
    const users = this.usersOf(source);
    let filled = 0;
    const params = this.params;
    let start = 0;
    if (rows.every((row) => row.status === null && row.updatedAt === null)) {
      // Whole statements of score-only rows go through the 3-column writer; the tail below.
      const sp = this.scoreOnlyParams;
      const whole = rows.length - (rows.length % ROWS_PER_STATEMENT);
      for (let r = 0; r < whole; r++) {
        const row = rows[r]!;
        const base = (r % ROWS_PER_STATEMENT) * 3;
        sp[base] = this.userIdOf(users, source, row.user);
        sp[base + 1] = row.animeId;
        sp[base + 2] = row.score;
        if (base === (ROWS_PER_STATEMENT - 1) * 3) this.record(this.scoreOnlyBatch.write(sp), ROWS_PER_STATEMENT);
      }
      start = whole;
    }
    for (let r = start; r < rows.length; r++) {
      const row = rows[r]!;
      const base = filled * PARAMS_PER_ROW;
      params[base] = this.userIdOf(users, source, row.user);
      params[base + 1] = row.animeId;
      params[base + 2] = row.score;
      params[base + 3] = statusToCode(row.status);
      params[base + 4] = row.updatedAt;
      if (++filled === ROWS_PER_STATEMENT) {
        this.record(this.fullBatch.write(params), ROWS_PER_STATEMENT);
        filled = 0;
      }
    }
    for (let r = 0; r < filled; r++) {
      this.record(this.singleRow.write(params.slice(r * PARAMS_PER_ROW, (r + 1) * PARAMS_PER_ROW)), 1);
    }
  }

  async addPendingInteractions(source: string, rows: readonly Interaction[]): Promise<void> {
    this.assertOpen();
    const users = this.usersOf(source);
    const now = Date.now();
    for (const row of rows) {
      this.writePending.run(this.userIdOf(users, source, row.user), row.animeId, row.score, statusToCode(row.status), row.updatedAt, now);
      this.tally.pendingAdded++;
    }
  }

  private userIdOf(users: Map<string, number>, source: string, user: string): number {
    let userId = users.get(user);
    if (userId === undefined) {
      userId = Number(this.insertUser.run(source, user).lastInsertRowid);
      users.set(user, userId);
      this.tally.usersCreated++;
    }
    return userId;
  }

  private record([inserted, updated]: [number, number], rows: number): void {
    this.tally.interactionsInserted += inserted;
    this.tally.interactionsUpdated += updated;
    this.tally.interactionsUnchanged += rows - inserted - updated;
  }

  async knownAnimeIds(): Promise<ReadonlySet<number>> {
    if (this.known === null) {
      const ids = this.db.prepare('SELECT anime_id FROM anime').pluck().all() as number[];
      this.known = new Set(ids);
    }
    return this.known;
  }

  counts(): ImportCounts {
    return { ...this.tally };
  }

  async commit(): Promise<void> {
    this.assertOpen();
    this.resolvePending();
    this.db.exec('COMMIT');
    this.open = false;
    this.onEnd();
  }

  async rollback(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } finally {
      this.onEnd();
    }
  }

  /**
   * Pending entries whose title is now in the catalogue become interactions, inside this run's
   * transaction. An interaction the user already has for that title (feedback is newer than an
   * old upload) is kept.
   */
  private resolvePending(): void {
    if (this.tally.animeUpserted === 0) return;
    const moved = this.db
      .prepare(
        `INSERT INTO interactions (user_id, anime_id, score, status, updated_at)
         SELECT p.user_id, p.anime_id, p.score, p.status, p.updated_at FROM pending_interactions p
         WHERE p.anime_id IN (SELECT anime_id FROM anime)
         ON CONFLICT (user_id, anime_id) DO NOTHING`,
      )
      .run().changes;
    this.db.prepare('DELETE FROM pending_interactions WHERE anime_id IN (SELECT anime_id FROM anime)').run();
    this.tally.pendingResolved += moved;
  }

  private usersOf(source: string): Map<string, number> {
    let users = this.userIdsBySource.get(source);
    if (users === undefined) {
      users = new Map();
      const rows = this.db.prepare('SELECT external_id, user_id FROM users WHERE source = ?').raw().all(source) as [string, number][];
      for (const [externalId, userId] of rows) users.set(externalId, userId);
      this.userIdsBySource.set(source, users);
    }
    return users;
  }

  private assertOpen(): void {
    if (!this.open) throw new Error('This import has already been committed or rolled back.');
  }
}
