/**
 * Monitoring rows for the API and web tests, made the way production makes them: the world's
 * trained model is registered as the production version and the real monitoring job
 * (runMonitor) scores real ratings from the bundled data.
 *
 * The Kaggle 2016 ratings carry no timestamps, so the job would find nothing to monitor. Each
 * chosen user's own ratings are therefore re-stamped as if the user had scored them over the last
 * few days: on the earlier days their favourite titles, on the last day their least liked one.
 * A model that learnt what a user enjoys should not expect the least liked title, so the last day
 * is clearly worse (the kind of shift monitoring exists to catch) and the real drift rule flags it.
 */
import { join } from 'node:path';
import { DEFAULT_OPS_CONFIG, runMonitor, type MonitorSummary } from '../../src/ops/index.js';
import { ModelRegistry, type ModelVersion } from '../../src/registry/index.js';
import type { StoredInteraction } from '../../src/store/index.js';
import type { TestWorld } from './setup.js';

const DAY_MS = 86_400_000;

export interface MonitoredWorld {
  production: ModelVersion;
  summary: MonitorSummary;
  /** UTC days that received events, oldest first (the last one is the "least liked" day). */
  days: string[];
}

/**
 * Re-stamps `users` users' ratings over `favouriteDays` + 1 days ending today, registers the
 * world's item-kNN model as production and runs the monitoring job once.
 */
export async function monitorRecentDays(
  world: TestWorld,
  options: { users?: number; favouriteDays?: number; now?: number } = {},
): Promise<MonitoredWorld> {
  const wanted = options.users ?? 40;
  const favouriteDays = options.favouriteDays ?? 4;
  const now = options.now ?? Date.now();
  const store = world.store;

  // A separate registry directory: the server under test keeps following world.modelsDir/CURRENT.
  const registry = new ModelRegistry(join(world.dir, 'registry'));
  const production = registry.production() ?? registry.register(join(world.modelsDir, 'itemknn-1'), { reason: 'monitoring test' });

  // Users who both loved and disliked something, with enough scores for the job to calibrate a
  // score prediction (it needs ≥ 3 earlier scores) even for their first re-stamped title.
  const chosen: { userId: number; ratings: StoredInteraction[] }[] = [];
  const userCount = await store.countUsers();
  for (let userId = 1; userId <= userCount && chosen.length < wanted; userId++) {
    const user = await store.getUser(userId);
    if (!user || user.source !== 'kaggle2016') continue;
    const ratings = (await store.userInteractions(userId)).filter((r) => r.score !== null && r.status !== 'plan_to_watch');
    const scores = ratings.map((r) => r.score!);
    if (ratings.length < favouriteDays + 8 || Math.max(...scores) < 9 || Math.min(...scores) > 5) continue;
    chosen.push({ userId, ratings });
  }
  if (chosen.length < wanted)
    throw new Error(
      `monitorRecentDays: only ${chosen.length} of the world's users have ≥ ${favouriteDays + 8} scores ranging from ≤ 5 to ≥ 9; load more rating lines into the world.`,
    );

  const days: string[] = [];
  for (let d = favouriteDays; d >= 0; d--) days.push(new Date(now - d * DAY_MS - 60_000).toISOString().slice(0, 10));
  for (const { userId, ratings } of chosen) {
    // Highest first; ties by id so the fixture is the same on every run.
    const ordered = [...ratings].sort((a, b) => b.score! - a.score! || a.animeId - b.animeId);
    const picks = [...ordered.slice(0, favouriteDays), ordered.at(-1)!];
    for (const [i, r] of picks.entries()) {
      const daysAgo = favouriteDays - i;
      await store.setInteraction(userId, {
        animeId: r.animeId,
        score: r.score,
        status: r.status,
        updatedAt: now - daysAgo * DAY_MS - 60_000,
      });
    }
  }

  // since: 0 = everything not yet monitored (what `anirec monitor --since` does for a backfill).
  const summary = await runMonitor(store, registry, { ...DEFAULT_OPS_CONFIG.monitor, since: 0, now: () => now });
  return { production, summary, days };
}
