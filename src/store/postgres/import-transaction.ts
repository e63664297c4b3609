import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { AnimePatch, Interaction, TitleRelations } from '../../data/types.js';
import type { Anime } from '../../data/types.js';
import { mergeAnime } from '../merge-anime.js';
import { emptyImportCounts, type ImportCounts, type ImportTransaction, type RelationChanges } from '../store.js';
import { replaceRelations } from './relations.js';
import { ANIME_COLUMNS, animeFromRow, animeToRecord, statusToCode, type AnimePgRow } from './rows.js';

/** Rows per COPY text buffer: large enough that the per-write cost vanishes, small enough to stay a few MB. */
const COPY_ROWS_PER_WRITE = 20_000;

const STAGE = 'anirec_stage_interactions';

// ON COMMIT DROP: the table lives only as long as this transaction, so a pooled connection never
// carries it to its next user, and a rollback leaves nothing behind.
const CREATE_STAGE = `CREATE TEMP TABLE ${STAGE} (
  user_id integer NOT NULL, anime_id integer NOT NULL, score smallint, status smallint, updated_at bigint,
  ord integer GENERATED ALWAYS AS IDENTITY
) ON COMMIT DROP`;

// The batch's rows as one INSERT source. DISTINCT ON keeps the batch's last row per (user,
// title), since one INSERT … ON CONFLICT may not touch a row twice, and its sort feeds the primary
// key in order. A batch already in strict key order (rating files are sorted by user and title)
// has no repeats and needs no sort: the staging table holds it in the order it was copied.
const DEDUPED_ROWS = `SELECT DISTINCT ON (user_id, anime_id) user_id, anime_id, score, status, updated_at FROM ${STAGE}
  ORDER BY user_id, anime_id, ord DESC`;
const ORDERED_ROWS = `SELECT user_id, anime_id, score, status, updated_at FROM ${STAGE}`;

// A row is only rewritten when something changed, so the RETURNING rows are inserts plus real
// updates, and a re-run of the same file writes nothing. xmax = 0 marks a freshly inserted row.
const merge = (rows: string): string => `WITH merged AS (
  INSERT INTO interactions AS i (user_id, anime_id, score, status, updated_at)
  ${rows}
  ON CONFLICT (user_id, anime_id) DO UPDATE SET
    score = excluded.score,
    status = COALESCE(excluded.status, i.status),
    updated_at = COALESCE(excluded.updated_at, i.updated_at)
  WHERE i.score IS DISTINCT FROM excluded.score
     OR (excluded.status IS NOT NULL AND i.status IS DISTINCT FROM excluded.status)
     OR (excluded.updated_at IS NOT NULL AND i.updated_at IS DISTINCT FROM excluded.updated_at)
  RETURNING (i.xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM merged`;

const UNIQUE_VIOLATION = '23505';

const UPSERT_ANIME = `INSERT INTO anime (${ANIME_COLUMNS.join(', ')})
  SELECT ${ANIME_COLUMNS.join(', ')} FROM jsonb_populate_recordset(NULL::anime, $1::jsonb)
  ON CONFLICT (anime_id) DO UPDATE SET ${ANIME_COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

function nullable(value: number | null): string {
  return value === null ? '\\N' : String(value);
}

const ENTRY_COLUMNS = 'user_id, anime_id, score, status, updated_at';

interface EncodedRows {
  /** COPY text (tab-separated, \N for NULL) in pieces of COPY_ROWS_PER_WRITE rows. */
  text: string[];
  /** Strictly increasing (user, title): no repeats, and already in primary-key order. */
  ordered: boolean;
  /** Every row belongs to a user created by this run. */
  newUsersOnly: boolean;
}

function encodeRows(rows: readonly Interaction[], users: Map<string, number>, createdUsers: ReadonlySet<number>): EncodedRows {
  const text: string[] = [];
  let piece = '';
  let ordered = true;
  let newUsersOnly = true;
  let lastUser = -1;
  let lastAnime = -1;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const userId = users.get(row.user)!;
    if (userId < lastUser || (userId === lastUser && row.animeId <= lastAnime)) ordered = false;
    if (userId !== lastUser && !createdUsers.has(userId)) newUsersOnly = false;
    lastUser = userId;
    lastAnime = row.animeId;
    piece += `${userId}\t${row.animeId}\t${nullable(row.score)}\t${nullable(statusToCode(row.status))}\t${nullable(row.updatedAt)}\n`;
    if ((r + 1) % COPY_ROWS_PER_WRITE === 0) {
      text.push(piece);
      piece = '';
    }
  }
  if (piece !== '') text.push(piece);
  return { text, ordered, newUsersOnly };
}

/**
 * One import run on the PostgreSQL store: one transaction on one pooled connection, opened by
 * `PostgresStore.withImport` (which also holds the import's advisory lock) and ended only by its
 * `commit` or `rollback`. Operations run one at a time in call order, since they share that
 * connection and the staging table.
 */
export class PostgresImportTransaction implements ImportTransaction {
  private open = true;
  private queue: Promise<unknown> = Promise.resolve();
  private staged = false;
  private readonly userIdsBySource = new Map<string, Map<string, number>>();
  private known: Set<number> | null = null;
  /** Users this run inserted: invisible to everyone else until it commits. */
  private readonly createdUsers = new Set<number>();
  private readonly tally: ImportCounts = emptyImportCounts();

  constructor(private readonly client: pg.PoolClient) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.open) return Promise.reject(new Error('This import has already been committed or rolled back.'));
    const run = this.queue.then(() => {
      if (!this.open) throw new Error('This import has already been committed or rolled back.');
      return fn();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  upsertAnime(patches: readonly AnimePatch[]): Promise<void> {
    return this.serial(async () => {
      if (patches.length === 0) return;
      const ids = [...new Set(patches.map((p) => p.animeId))];
      const { rows } = await this.client.query<AnimePgRow>('SELECT * FROM anime WHERE anime_id = ANY($1::int[])', [ids]);
      const merged = new Map<number, Anime>(rows.map((row) => [row.anime_id, animeFromRow(row)]));
      for (const patch of patches) {
        merged.set(patch.animeId, mergeAnime(merged.get(patch.animeId) ?? null, patch));
        this.known?.add(patch.animeId);
        this.tally.animeUpserted++;
      }
      const now = Date.now();
      await this.client.query(UPSERT_ANIME, [JSON.stringify(ids.map((id) => animeToRecord(merged.get(id)!, now)))]);
    });
  }

  replaceRelations(lists: readonly TitleRelations[]): Promise<RelationChanges> {
    return this.serial(() => replaceRelations(this.client, lists));
  }

  upsertInteractions(source: string, rows: readonly Interaction[]): Promise<void> {
    return this.serial(async () => {
      if (rows.length === 0) return;
      const users = await this.usersOf(source, rows);
      const batch = encodeRows(rows, users, this.createdUsers);
      const merged = (batch.ordered && batch.newUsersOnly && (await this.copyNewEntries(batch.text))) || (await this.stageAndMerge(batch));
      this.tally.interactionsInserted += merged.inserted;
      this.tally.interactionsUpdated += merged.updated;
      // Rows of the batch that repeated an earlier (user, title) of it count as unchanged.
      this.tally.interactionsUnchanged += rows.length - merged.inserted - merged.updated;
    });
  }

  /**
   * The fast path for a batch of users this run created, in strict key order (a first import of a
   * sorted rating file): COPY straight into interactions. Nobody else can hold entries of these
   * users (they are not committed yet) and the order rules out repeats within the batch; should
   * the file repeat an entry of an earlier batch, the primary key refuses the COPY, the savepoint
   * undoes it, and the batch takes the merge path (null).
   */
  private async copyNewEntries(text: readonly string[]): Promise<{ inserted: number; updated: number } | null> {
    await this.client.query('SAVEPOINT anirec_new_entries');
    try {
      const copied = await this.copy(`interactions (${ENTRY_COLUMNS})`, text);
      await this.client.query('RELEASE SAVEPOINT anirec_new_entries');
      return { inserted: copied, updated: 0 };
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      await this.client.query('ROLLBACK TO SAVEPOINT anirec_new_entries');
      return null;
    }
  }

  /** COPY into the staging table, then one set-based INSERT … ON CONFLICT into interactions. */
  private async stageAndMerge(batch: EncodedRows): Promise<{ inserted: number; updated: number }> {
    if (!this.staged) {
      await this.client.query(CREATE_STAGE);
      this.staged = true;
    }
    await this.copy(`${STAGE} (${ENTRY_COLUMNS})`, batch.text);
    const {
      rows: [merged],
    } = await this.client.query<{ inserted: number; updated: number }>(merge(batch.ordered ? ORDERED_ROWS : DEDUPED_ROWS));
    await this.client.query(`TRUNCATE ${STAGE}`);
    return merged!;
  }

  /** Streams COPY text into `target`; resolves to the rows the server took. */
  private async copy(target: string, text: readonly string[]): Promise<number> {
    const stream = this.client.query(copyFrom(`COPY ${target} FROM STDIN`));
    await pipeline(Readable.from(text, { objectMode: false }), stream);
    return stream.rowCount;
  }

  addPendingInteractions(source: string, rows: readonly Interaction[]): Promise<void> {
    return this.serial(async () => {
      if (rows.length === 0) return;
      const users = await this.usersOf(source, rows);
      // Folded here as SQLite's row-by-row upsert would: a later row's score wins, its missing status or time keeps the earlier one.
      const byKey = new Map<
        string,
        { userId: number; animeId: number; score: number | null; status: number | null; updatedAt: number | null }
      >();
      for (const row of rows) {
        const userId = users.get(row.user)!;
        const key = `${userId}:${row.animeId}`;
        const earlier = byKey.get(key);
        const status = statusToCode(row.status);
        byKey.set(key, {
          userId,
          animeId: row.animeId,
          score: row.score,
          status: status ?? earlier?.status ?? null,
          updatedAt: row.updatedAt ?? earlier?.updatedAt ?? null,
        });
      }
      const list = [...byKey.values()];
      await this.client.query(
        `INSERT INTO pending_interactions AS p (user_id, anime_id, score, status, updated_at, added_at)
         SELECT u, a, s, st, t, $6 FROM unnest($1::int[], $2::int[], $3::smallint[], $4::smallint[], $5::bigint[]) AS x(u, a, s, st, t)
         ON CONFLICT (user_id, anime_id) DO UPDATE SET score = excluded.score,
           status = COALESCE(excluded.status, p.status),
           updated_at = COALESCE(excluded.updated_at, p.updated_at)`,
        [
          list.map((e) => e.userId),
          list.map((e) => e.animeId),
          list.map((e) => e.score),
          list.map((e) => e.status),
          list.map((e) => e.updatedAt),
          Date.now(),
        ],
      );
      this.tally.pendingAdded += rows.length;
    });
  }

  /** The source's user ids by external id, creating the batch's new users in one statement. */
  private async usersOf(source: string, rows: readonly Interaction[]): Promise<Map<string, number>> {
    let users = this.userIdsBySource.get(source);
    if (users === undefined) {
      const { rows: known } = await this.client.query<{ external_id: string; user_id: number }>(
        'SELECT external_id, user_id FROM users WHERE source = $1',
        [source],
      );
      users = new Map(known.map((u) => [u.external_id, u.user_id]));
      this.userIdsBySource.set(source, users);
    }
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      if (!users.has(row.user) && !seen.has(row.user)) {
        seen.add(row.user);
        missing.push(row.user);
      }
    }
    if (missing.length === 0) return users;
    // In order of first appearance, as SQLite numbers them. A user another replica created
    // meanwhile (feedback) is not created twice: ON CONFLICT skips it and the SELECT finds it.
    const { rows: created } = await this.client.query<{ external_id: string; user_id: number }>(
      `INSERT INTO users (source, external_id)
       SELECT $1, name FROM unnest($2::text[]) WITH ORDINALITY AS n(name, ord) ORDER BY ord
       ON CONFLICT (source, external_id) DO NOTHING RETURNING external_id, user_id`,
      [source, missing],
    );
    for (const u of created) {
      users.set(u.external_id, u.user_id);
      this.createdUsers.add(u.user_id);
    }
    this.tally.usersCreated += created.length;
    if (created.length < missing.length) {
      const { rows: existing } = await this.client.query<{ external_id: string; user_id: number }>(
        'SELECT external_id, user_id FROM users WHERE source = $1 AND external_id = ANY($2::text[])',
        [source, missing.filter((name) => !users.has(name))],
      );
      for (const u of existing) users.set(u.external_id, u.user_id);
    }
    return users;
  }

  knownAnimeIds(): Promise<ReadonlySet<number>> {
    return this.serial(async () => {
      if (this.known === null) {
        const { rows } = await this.client.query<{ anime_id: number }>('SELECT anime_id FROM anime');
        this.known = new Set(rows.map((r) => r.anime_id));
      }
      return this.known;
    });
  }

  counts(): ImportCounts {
    return { ...this.tally };
  }

  /**
   * Pending entries whose title is now in the catalogue become interactions inside this run's
   * transaction; an interaction the user already has for that title (newer feedback) is kept.
   */
  commit(): Promise<void> {
    return this.serial(async () => {
      if (this.tally.animeUpserted > 0) {
        const moved = await this.client.query(
          `INSERT INTO interactions (user_id, anime_id, score, status, updated_at)
           SELECT p.user_id, p.anime_id, p.score, p.status, p.updated_at FROM pending_interactions p
           WHERE EXISTS (SELECT 1 FROM anime a WHERE a.anime_id = p.anime_id)
           ON CONFLICT (user_id, anime_id) DO NOTHING`,
        );
        await this.client.query('DELETE FROM pending_interactions p WHERE EXISTS (SELECT 1 FROM anime a WHERE a.anime_id = p.anime_id)');
        this.tally.pendingResolved += moved.rowCount ?? 0;
      }
      await this.client.query('COMMIT');
      this.open = false;
    });
  }

  /** Ends the run without writing; resolves to false when the connection is no longer usable (it must be discarded). */
  async rollback(): Promise<boolean> {
    if (!this.open) return true;
    await this.queue;
    this.open = false;
    try {
      await this.client.query('ROLLBACK');
      return true;
    } catch {
      return false;
    }
  }
}
