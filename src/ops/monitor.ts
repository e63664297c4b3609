import { AnirecError } from '../errors/errors.js';
import { loadBundle, type ModelBundle } from '../models/bundle.js';
import { asRegistry, type ModelRegistry, type ModelVersion, type Registry } from '../registry/index.js';
import type { MonitoringDay, PredictionRecord, Store, StoredInteraction } from '../store/index.js';
import type { MonitorConfig } from './config.js';
import { predictHeldOut } from './predict.js';

/**
 * Batch prediction monitoring: for every title a user scored since the last run, what did the
 * production model predict (rank, hit@k, calibrated score; see predict.ts) and how far off was
 * it? Evidence goes to monitor_predictions, per-day aggregates (by the day the user scored) to
 * monitor_daily, with a drift flag when a day is clearly worse than the days before it.
 */

export const MONITOR_META = {
  /** Epoch ms: the latest updatedAt monitored so far. */
  cursor: 'ops.monitor.cursor',
  last: 'ops.monitor.last',
} as const;

const DAY_MS = 86_400_000;

export interface MonitorOptions extends MonitorConfig {
  /** Monitor events after this time (epoch ms) instead of cursor − lookback. */
  since?: number;
  now?: () => number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface MonitorSummary {
  modelVersion: string;
  since: number;
  /** Scored events found that had not been monitored. */
  examined: number;
  recorded: number;
  /** Events about titles the production model does not know (retried on later runs). */
  unknownTitles: number;
  /** The days whose aggregates this run (re)computed, oldest first. */
  days: MonitoringDay[];
  cursor: number | null;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
}

export class NoProductionModelError extends AnirecError {
  constructor(root: string) {
    super(
      'model_unavailable',
      `There is no production model in ${root} to monitor. Train one with \`anirec train\` (the first model becomes production) or promote one with \`anirec models promote <id>\`.`,
    );
    this.name = 'NoProductionModelError';
  }
}

/**
 * Drift rule: a day with ≥ minCount predictions is compared with the count-weighted mean of the
 * `baselineDays` days before it that also have ≥ minCount (any model version, so a newly
 * promoted model that does worse is caught too). Drift when MAE rose by more than maeThreshold
 * or hit-rate fell by more than hitRateDrop. No baseline yet = no verdict.
 */
export function judgeDrift(
  day: Omit<MonitoringDay, 'drift' | 'driftReason' | 'computedAt'>,
  earlier: readonly MonitoringDay[],
  config: MonitorConfig,
): { drift: boolean; reason: string | null } {
  if (day.count < config.minCount) return { drift: false, reason: null };
  const from = addDays(day.day, -config.baselineDays);
  const base = earlier.filter((d) => d.day >= from && d.day < day.day && d.count >= config.minCount);
  if (base.length === 0) return { drift: false, reason: null };
  const n = base.reduce((s, d) => s + d.count, 0);
  const hit = base.reduce((s, d) => s + d.hitRate * d.count, 0) / n;
  const reasons: string[] = [];
  const scored = base.filter((d) => d.mae !== null && d.scored > 0);
  if (day.mae !== null && scored.length > 0) {
    const m = scored.reduce((s, d) => s + d.scored, 0);
    const mae = scored.reduce((s, d) => s + d.mae! * d.scored, 0) / m;
    if (day.mae - mae > config.maeThreshold)
      reasons.push(`MAE ${day.mae.toFixed(2)} vs baseline ${mae.toFixed(2)} (+${(day.mae - mae).toFixed(2)} > ${config.maeThreshold})`);
  }
  if (hit - day.hitRate > config.hitRateDrop) {
    reasons.push(
      `hit-rate@${config.k} ${day.hitRate.toFixed(3)} vs baseline ${hit.toFixed(3)} (−${(hit - day.hitRate).toFixed(3)} > ${config.hitRateDrop})`,
    );
  }
  return reasons.length > 0 ? { drift: true, reason: reasons.join('; ') } : { drift: false, reason: null };
}

export async function runMonitor(store: Store, given: Registry | ModelRegistry, options: MonitorOptions): Promise<MonitorSummary> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const registry = asRegistry(given);
  const production: ModelVersion | null = await registry.production();
  if (!production) throw new NoProductionModelError(registry.location);
  const bundle: ModelBundle = await loadBundle(await registry.materialize(production));

  const stored = await store.getMeta(MONITOR_META.cursor);
  const cursor = stored === null ? null : Number(stored);
  // Re-examine a window before the cursor: ingestion stamps rows with the time the user changed
  // them on AniList, which can be earlier than rows already monitored. Records are keyed by event,
  // so re-examining never counts an event twice.
  const lookback = options.lookbackDays * DAY_MS;
  const since = options.since ?? (cursor !== null ? cursor - lookback : now() - lookback);
  const events = await store.unmonitoredScoredInteractions(since);
  log(`monitoring ${events.length} scored event(s) since ${new Date(since).toISOString()} against ${production.id}`);

  const byUser = new Map<number, StoredInteraction[]>();
  for (const e of events) {
    const list = byUser.get(e.userId);
    if (list) list.push(e);
    else byUser.set(e.userId, [e]);
  }
  const records: PredictionRecord[] = [];
  let unknownTitles = 0;
  let maxSeen = cursor;
  for (const [userId, targets] of byUser) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('monitoring cancelled');
    const list = await store.userInteractions(userId);
    for (const target of targets) {
      maxSeen = Math.max(maxSeen ?? -Infinity, target.updatedAt!);
      const p = predictHeldOut(bundle, list, target, options.k);
      if (!p) {
        unknownTitles++;
        continue;
      }
      records.push({
        userId,
        animeId: target.animeId,
        updatedAt: target.updatedAt!,
        day: utcDay(target.updatedAt!),
        modelVersion: production.id,
        actualScore: target.score!,
        predictedScore: p.predictedScore,
        rank: p.rank,
        candidates: p.candidates,
        hit: p.hit,
      });
    }
  }
  const recorded = await store.addPredictions(records);

  // Recompute every touched day from its evidence (not incrementally), then judge it against the
  // days before it, oldest first so a day's verdict can use the days recomputed just before it.
  const touched = [...new Set(records.map((r) => r.day))].sort();
  const summaries = await store.summarizePredictions(touched);
  const earliest = touched[0];
  const known = earliest ? await store.monitoringDays(addDays(earliest, -options.baselineDays)) : [];
  const computedAt = new Date(now()).toISOString();
  const days: MonitoringDay[] = [];
  for (const s of summaries) {
    const earlier = known.filter((d) => !(d.day === s.day && d.modelVersion === s.modelVersion));
    const { drift, reason } = judgeDrift(s, earlier, options);
    const day: MonitoringDay = { ...s, drift, driftReason: reason, computedAt };
    days.push(day);
    const at = known.findIndex((d) => d.day === s.day && d.modelVersion === s.modelVersion);
    if (at >= 0) known[at] = day;
    else known.push(day);
  }
  await store.saveMonitoringDays(days);
  // Never move the cursor past the present: a clock-skewed future timestamp must not hide the
  // events that arrive before it.
  const newCursor = maxSeen === null ? null : Math.min(maxSeen, now());
  if (newCursor !== null) await store.setMeta(MONITOR_META.cursor, String(newCursor));
  const summary: MonitorSummary = {
    modelVersion: production.id,
    since,
    examined: events.length,
    recorded,
    unknownTitles,
    days,
    cursor: newCursor,
  };
  await store.setMeta(MONITOR_META.last, JSON.stringify({ finishedAt: computedAt, ...summary }));
  for (const d of days.filter((x) => x.drift)) log(`DRIFT on ${d.day} (${d.modelVersion}): ${d.driftReason}`);
  return summary;
}

/** The daily rows of the last `days` days (UTC, today included), oldest first: what the API and web chart show. */
export async function monitoringHistory(store: Store, options: { days?: number; now?: number } = {}): Promise<MonitoringDay[]> {
  const days = options.days ?? 30;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`monitoringHistory: days must be a whole number ≥ 1 (got ${days})`);
  return store.monitoringDays(addDays(utcDay(options.now ?? Date.now()), -(days - 1)));
}

const fmt = (x: number | null, digits: number) => (x === null ? '–' : x.toFixed(digits));

/** A plain-text table of daily rows, for the CLI. */
export function formatMonitoringTable(rows: readonly MonitoringDay[], k = 20): string[] {
  if (rows.length === 0) return ['no monitoring data yet (run `anirec ingest`, then `anirec monitor`)'];
  const header = ['DAY', 'MODEL', 'COUNT', 'MAE', 'RMSE', `HIT@${k}`, 'MEAN RANK', 'DRIFT'];
  const body = rows.map((r) => [
    r.day,
    r.modelVersion,
    String(r.count),
    fmt(r.mae, 2),
    fmt(r.rmse, 2),
    fmt(r.hitRate, 3),
    fmt(r.meanRank, 1),
    r.drift ? `YES: ${r.driftReason}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)];
}
