import { join } from 'node:path';
import type { AnirecPaths } from '../config.js';
import type { AniListClientOptions } from '../data/anilist/index.js';
import { loadBundle } from '../models/bundle.js';
import { RecommendationEngine } from '../recommend/engine.js';
import { precomputeRankings } from '../recommend/precompute.js';
import { ModelRegistry } from '../registry/index.js';
import type { Store } from '../store/index.js';
import type { OpsConfig } from './config.js';
import { runIngest, type IngestSummary } from './ingest.js';
import { appendJobLog, type JobLogEntry, type JobName } from './job-log.js';
import { acquireJobLock } from './lock.js';
import { runMonitor, type MonitorSummary } from './monitor.js';
import { runRetrain, type GateResult } from './retrain.js';

/**
 * Runs one job the same way whoever starts it (the CLI once, or the worker on schedule): under
 * the job's lock file, with its own store connection, and with one line in the job log at the end.
 */

export interface JobEnv {
  paths: AnirecPaths;
  config: OpsConfig;
  openStore(): Promise<Store>;
  log: (line: string) => void;
  trigger: 'cli' | 'worker';
  signal?: AbortSignal;
  /** Test seam: e.g. a fake sleep so Retry-After waits do not slow tests. */
  anilistClient?: AniListClientOptions;
  /** Monitoring: events after this time instead of cursor − lookback. */
  monitorSince?: number;
}

export interface JobOutcome {
  job: JobName;
  status: JobLogEntry['status'];
  summary?: IngestSummary | MonitorSummary | GateResult;
  error?: Error;
}

export const jobLockPath = (paths: AnirecPaths, job: JobName) => join(paths.home, 'locks', `${job}.lock`);
export const jobLogPath = (paths: AnirecPaths) => join(paths.home, 'ops', 'jobs.jsonl');

async function execute(job: JobName, env: JobEnv, store: Store): Promise<IngestSummary | MonitorSummary | GateResult> {
  const { config } = env;
  switch (job) {
    case 'ingest':
      return runIngest(store, {
        users: config.ingest.users,
        titles: config.ingest.titles,
        initialLookbackDays: config.ingest.initialLookbackDays,
        perPage: config.ingest.perPage,
        client: { ...env.anilistClient, ...(config.ingest.endpoint ? { endpoint: config.ingest.endpoint } : {}) },
        signal: env.signal,
        log: env.log,
      });
    case 'monitor':
      return runMonitor(store, new ModelRegistry(env.paths.models), { ...config.monitor, since: env.monitorSince, signal: env.signal, log: env.log });
    case 'retrain': {
      const registry = new ModelRegistry(env.paths.models);
      const result = await runRetrain(store, registry, { ...config.retrain, signal: env.signal, log: env.log });
      // Whether or not production changed, lists did (ingestion runs before): refresh the known
      // users' stored rankings under whatever serves now, so the API keeps answering from them.
      const production = registry.production();
      if (production !== null) {
        const engine = await RecommendationEngine.create(await loadBundle(production.dir), store, production.id);
        const refreshed = await precomputeRankings(engine, store);
        env.log(`retrain: ${refreshed.users} known users' rankings stored for ${production.id} in ${refreshed.seconds.toFixed(1)} s`);
      }
      return result;
    }
  }
}

/**
 * Never throws for a job failure: the outcome says what happened (the lock being held is
 * status 'skipped'). Ingestion with per-user failures counts as 'failed' although the other
 * users' data is in.
 */
export async function runJob(job: JobName, env: JobEnv): Promise<JobOutcome> {
  const startedAt = new Date().toISOString();
  const finish = (outcome: JobOutcome): JobOutcome => {
    appendJobLog(jobLogPath(env.paths), {
      job,
      startedAt,
      finishedAt: new Date().toISOString(),
      status: outcome.status,
      trigger: env.trigger,
      ...(outcome.summary ? { summary: outcome.summary } : {}),
      ...(outcome.error ? { error: outcome.error.message } : {}),
    });
    return outcome;
  };
  let release: () => void;
  try {
    release = acquireJobLock(jobLockPath(env.paths, job), job);
  } catch (error) {
    return finish({ job, status: 'skipped', error: error as Error });
  }
  try {
    const store = await env.openStore();
    try {
      const summary = await execute(job, env, store);
      const failedUsers = job === 'ingest' && (summary as IngestSummary).users.some((u) => u.error !== undefined);
      return finish({ job, status: failedUsers ? 'failed' : 'ok', summary });
    } finally {
      await store.close();
    }
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    return finish({ job, status: env.signal?.aborted ? 'cancelled' : 'failed', error: err });
  } finally {
    release();
  }
}
