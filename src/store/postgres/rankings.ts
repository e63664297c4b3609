import type pg from 'pg';
import type { UserRanking } from '../store.js';

/** Rankings per INSERT: keeps one statement's parameters to a few MB even for long rankings. */
const RANKINGS_PER_STATEMENT = 500;

/** A typed array's bytes as stored (bytea); platform byte order, little-endian everywhere anirec runs, as in SQLite. */
function bytesOf(array: Int32Array | Float32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** Writes (or replaces) rankings inside the caller's transaction; a user listed twice keeps the last. */
export async function putUserRankings(client: pg.ClientBase, modelKey: string, rows: readonly UserRanking[]): Promise<void> {
  const byUser = [...new Map(rows.map((row) => [row.userId, row])).values()];
  const now = new Date().toISOString();
  for (let start = 0; start < byUser.length; start += RANKINGS_PER_STATEMENT) {
    const batch = byUser.slice(start, start + RANKINGS_PER_STATEMENT);
    await client.query(
      `INSERT INTO user_rankings (model_key, user_id, list_key, anime_ids, scores, computed_at)
       SELECT $1, u, l, a, s, $6 FROM unnest($2::int[], $3::text[], $4::bytea[], $5::bytea[]) AS x(u, l, a, s)
       ON CONFLICT (model_key, user_id) DO UPDATE SET list_key = excluded.list_key, anime_ids = excluded.anime_ids,
         scores = excluded.scores, computed_at = excluded.computed_at`,
      [
        modelKey,
        batch.map((r) => r.userId),
        batch.map((r) => r.listKey),
        batch.map((r) => bytesOf(r.animeIds)),
        batch.map((r) => bytesOf(r.scores)),
        now,
      ],
    );
  }
}

/** Copied out of the Buffers: their byteOffset need not be 4-aligned for a typed-array view. */
export function readRanking(userId: number, row: { list_key: string; anime_ids: Buffer; scores: Buffer }): UserRanking {
  const animeIds = new Int32Array(row.anime_ids.byteLength / 4);
  Buffer.from(animeIds.buffer).set(row.anime_ids);
  const scores = new Float32Array(row.scores.byteLength / 4);
  Buffer.from(scores.buffer).set(row.scores);
  return { userId, listKey: row.list_key, animeIds, scores };
}
