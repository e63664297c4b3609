import type pg from 'pg';
import {
  monitoringSummaryFromRow,
  type MonitoringDay,
  type MonitoringSummaryRow,
  type PredictionRecord,
  type StoredInteraction,
} from '../store.js';
import { statusFromCode } from './rows.js';

/**
 * SQL behind the Store's prediction-monitoring methods, kept apart from postgres-store.ts so the
 * core store stays about lists and titles. Averages are cast to double precision: PostgreSQL's
 * avg of integers is numeric, which node-postgres returns as a string.
 */

export async function unmonitoredScoredInteractions(db: pg.Pool, since: number): Promise<StoredInteraction[]> {
  const { rows } = await db.query<{ user_id: number; anime_id: number; score: number; status: number | null; updated_at: number }>(
    `SELECT i.user_id, i.anime_id, i.score, i.status, i.updated_at FROM interactions i
     WHERE i.score IS NOT NULL AND i.updated_at IS NOT NULL AND i.updated_at > $1
       AND NOT EXISTS (SELECT 1 FROM monitor_predictions p
                       WHERE p.user_id = i.user_id AND p.anime_id = i.anime_id AND p.updated_at = i.updated_at)
     ORDER BY i.updated_at, i.user_id, i.anime_id`,
    [since],
  );
  return rows.map((r) => ({
    userId: r.user_id,
    animeId: r.anime_id,
    score: r.score,
    status: statusFromCode(r.status),
    updatedAt: r.updated_at,
  }));
}

/** One statement for the batch: all of a run's evidence lands together or not at all. */
export async function addPredictions(db: pg.Pool, rows: readonly PredictionRecord[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO monitor_predictions
       (user_id, anime_id, updated_at, day, model_version, actual_score, predicted_score, rank, candidates, hit)
     SELECT * FROM unnest($1::int[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::smallint[], $7::float8[], $8::int[], $9::int[], $10::bool[])
     ON CONFLICT DO NOTHING`,
    [
      rows.map((r) => r.userId),
      rows.map((r) => r.animeId),
      rows.map((r) => r.updatedAt),
      rows.map((r) => r.day),
      rows.map((r) => r.modelVersion),
      rows.map((r) => r.actualScore),
      rows.map((r) => r.predictedScore),
      rows.map((r) => r.rank),
      rows.map((r) => r.candidates),
      rows.map((r) => r.hit),
    ],
  );
  return result.rowCount ?? 0;
}

type Summary = Omit<MonitoringDay, 'drift' | 'driftReason' | 'computedAt'>;

export async function summarizePredictions(db: pg.Pool, days: readonly string[]): Promise<Summary[]> {
  if (days.length === 0) return [];
  const { rows } = await db.query<MonitoringSummaryRow>(
    `SELECT day, model_version, count(*)::int AS count, count(predicted_score)::int AS scored,
       avg(abs(predicted_score - actual_score))::float8 AS mae,
       sqrt(avg((predicted_score - actual_score) * (predicted_score - actual_score)))::float8 AS rmse,
       avg(hit::int)::float8 AS hit_rate, avg(rank)::float8 AS mean_rank
     FROM monitor_predictions WHERE day = ANY($1::text[])
     GROUP BY day, model_version ORDER BY day COLLATE "C", model_version COLLATE "C"`,
    [days],
  );
  return rows.map(monitoringSummaryFromRow);
}

export async function saveMonitoringDays(db: pg.Pool, rows: readonly MonitoringDay[]): Promise<void> {
  if (rows.length === 0) return;
  // Deduplicated here: one INSERT … ON CONFLICT may not touch the same key twice; the last row wins.
  const byKey = new Map(rows.map((r) => [`${r.day}\n${r.modelVersion}`, r]));
  const list = [...byKey.values()];
  await db.query(
    `INSERT INTO monitor_daily (day, model_version, count, scored, mae, rmse, hit_rate, mean_rank, drift, drift_reason, computed_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::bool[], $10::text[], $11::text[])
     ON CONFLICT (day, model_version) DO UPDATE SET count = excluded.count, scored = excluded.scored, mae = excluded.mae,
       rmse = excluded.rmse, hit_rate = excluded.hit_rate, mean_rank = excluded.mean_rank, drift = excluded.drift,
       drift_reason = excluded.drift_reason, computed_at = excluded.computed_at`,
    [
      list.map((r) => r.day),
      list.map((r) => r.modelVersion),
      list.map((r) => r.count),
      list.map((r) => r.scored),
      list.map((r) => r.mae),
      list.map((r) => r.rmse),
      list.map((r) => r.hitRate),
      list.map((r) => r.meanRank),
      list.map((r) => r.drift),
      list.map((r) => r.driftReason),
      list.map((r) => r.computedAt),
    ],
  );
}

export async function monitoringDays(db: pg.Pool, sinceDay: string | null): Promise<MonitoringDay[]> {
  const { rows } = await db.query<MonitoringSummaryRow & { drift: boolean; drift_reason: string | null; computed_at: string }>(
    `SELECT * FROM monitor_daily WHERE $1::text IS NULL OR day >= $1::text ORDER BY day COLLATE "C", model_version COLLATE "C"`,
    [sinceDay],
  );
  return rows.map((r) => ({ ...monitoringSummaryFromRow(r), drift: r.drift, driftReason: r.drift_reason, computedAt: r.computed_at }));
}
