import type Database from 'better-sqlite3';
import {
  monitoringSummaryFromRow,
  type MonitoringDay,
  type MonitoringSummaryRow,
  type PredictionRecord,
  type StoredInteraction,
} from '../store.js';
import { statusFromCode } from './rows.js';

/**
 * SQL behind the Store's prediction-monitoring methods (schema v2 tables). Kept apart from
 * sqlite-store.ts so the core store stays about lists and titles.
 */

export function unmonitoredScoredInteractions(db: Database.Database, since: number): StoredInteraction[] {
  // A full scan of recent rows: there is no index on updated_at (adding one would slow every
  // import for a query run once a day), and the NOT EXISTS probe uses the predictions' primary key.
  const rows = db
    .prepare(
      `SELECT i.user_id, i.anime_id, i.score, i.status, i.updated_at FROM interactions i
       WHERE i.score IS NOT NULL AND i.updated_at IS NOT NULL AND i.updated_at > ?
         AND NOT EXISTS (SELECT 1 FROM monitor_predictions p
                         WHERE p.user_id = i.user_id AND p.anime_id = i.anime_id AND p.updated_at = i.updated_at)
       ORDER BY i.updated_at, i.user_id, i.anime_id`,
    )
    .raw()
    .all(since) as [number, number, number, number | null, number][];
  return rows.map(([userId, animeId, score, status, updatedAt]) => ({ userId, animeId, score, status: statusFromCode(status), updatedAt }));
}

export function addPredictions(db: Database.Database, rows: readonly PredictionRecord[]): number {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO monitor_predictions
       (user_id, anime_id, updated_at, day, model_version, actual_score, predicted_score, rank, candidates, hit)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // One transaction for the batch: all of a run's evidence lands together or not at all.
  return db.transaction(() => {
    let added = 0;
    for (const r of rows) {
      added += insert.run(
        r.userId,
        r.animeId,
        r.updatedAt,
        r.day,
        r.modelVersion,
        r.actualScore,
        r.predictedScore,
        r.rank,
        r.candidates,
        r.hit ? 1 : 0,
      ).changes;
    }
    return added;
  })();
}

type Summary = Omit<MonitoringDay, 'drift' | 'driftReason' | 'computedAt'>;

export function summarizePredictions(db: Database.Database, days: readonly string[]): Summary[] {
  if (days.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT day, model_version, count(*) AS count, count(predicted_score) AS scored,
         avg(abs(predicted_score - actual_score)) AS mae,
         sqrt(avg((predicted_score - actual_score) * (predicted_score - actual_score))) AS rmse,
         avg(hit) AS hit_rate, avg(rank) AS mean_rank
       FROM monitor_predictions WHERE day IN (SELECT value FROM json_each(?))
       GROUP BY day, model_version ORDER BY day, model_version`,
    )
    .all(JSON.stringify(days)) as MonitoringSummaryRow[];
  return rows.map(monitoringSummaryFromRow);
}

export function saveMonitoringDays(db: Database.Database, rows: readonly MonitoringDay[]): void {
  const upsert = db.prepare(
    `INSERT INTO monitor_daily (day, model_version, count, scored, mae, rmse, hit_rate, mean_rank, drift, drift_reason, computed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (day, model_version) DO UPDATE SET count = excluded.count, scored = excluded.scored, mae = excluded.mae,
       rmse = excluded.rmse, hit_rate = excluded.hit_rate, mean_rank = excluded.mean_rank, drift = excluded.drift,
       drift_reason = excluded.drift_reason, computed_at = excluded.computed_at`,
  );
  db.transaction(() => {
    for (const r of rows) {
      upsert.run(
        r.day,
        r.modelVersion,
        r.count,
        r.scored,
        r.mae,
        r.rmse,
        r.hitRate,
        r.meanRank,
        r.drift ? 1 : 0,
        r.driftReason,
        r.computedAt,
      );
    }
  })();
}

export function monitoringDays(db: Database.Database, sinceDay: string | null): MonitoringDay[] {
  const rows = db
    .prepare(`SELECT * FROM monitor_daily WHERE ? IS NULL OR day >= ? ORDER BY day, model_version`)
    .all(sinceDay, sinceDay) as Array<MonitoringSummaryRow & { drift: number; drift_reason: string | null; computed_at: string }>;
  return rows.map((r) => ({
    ...monitoringSummaryFromRow(r),
    drift: r.drift === 1,
    driftReason: r.drift_reason,
    computedAt: r.computed_at,
  }));
}
