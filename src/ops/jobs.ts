import type { AnirecPaths } from '../config.js';
import type { AniListClientOptions } from '../data/anilist/index.js';
import { loadBundle } from '../models/bundle.js';
import { RecommendationEngine } from '../recommend/engine.js';
import { precomputeRankings } from '../recommend/precompute.js';
import { FileRegistry, type Registry } from '../registry/index.js';
import type { Store } from '../store/index.js';
import type { OpsConfig } from './config.js';
import { runIngest, type IngestSummary } from './ingest.js';
import type { JobLogEntry, JobName } from './job-log.js';
import { JobBusyError } from './lock.js';
import { runMonitor, type MonitorSummary } from './monitor.js';
import { runRetrain, type GateResult } from './retrain.js';
import { FileJobCoordinator, type JobCoordinator } from './queue/coordinator.js';

/**
 * Runs one job the same way whoever starts it (the CLI once, or a worker on schedule): under the
 * job's lock (a lock file, or with a PostgreSQL store an advisory lock in its database), with its
 * own store connection, and with one entry in the job log at the end.
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
  /** The job's lock and log (queue/coordinator.ts); default lock files and jobs.jsonl under paths.home. */
  coordinator?: JobCoordinator;
  /** The model registry (openRegistry for the store's URL; a PostgreSQL store shares its registry); default the files in paths.models. */
  openRegistry?: () => Promise<Registry>;
  /** Stop the job (status 'failed') once it has run this long; the queue derives its lease from it. */
  deadlineSeconds?: number;
}

export interface JobOutcome {
  job: JobName;
  status: JobLogEntry['status'];
  summary?: IngestSummary | MonitorSummary | GateResult;
  error?: Error;
}

export { jobLockPath, jobLogPath } from './queue/coordinator.js';

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
    case 'monitor': {
      const registry = (await env.openRegistry?.()) ?? new FileRegistry(env.paths.models);
      try {
        return await runMonitor(store, registry, { ...config.monitor, since: env.monitorSince, signal: env.signal, log: env.log });
      } finally {
        await registry.close();
      }
    }
    case 'retrain': {
      const registry = (await env.openRegistry?.()) ?? new FileRegistry(env.paths.models);
      try {
        const result = await runRetrain(store, registry, { ...config.retrain, signal: env.signal, log: env.log });
        // Whether or not production changed, lists did (ingestion runs before): refresh the known
        // users' stored rankings under whatever serves now, so the API keeps answering from them.
        const production = await registry.production();
        if (production !== null) {
          const engine = await RecommendationEngine.create(await loadBundle(await registry.materialize(production)), store, production.id);
          const refreshed = await precomputeRankings(engine, store);
          env.log(`retrain: ${refreshed.users} known users' rankings stored for ${production.id} in ${refreshed.seconds.toFixed(1)} s`);
        }
        return result;
      } finally {
        await registry.close();
      }
    }
  }
}

/**
 * Never throws for a job failure: the outcome says what happened (the lock being held is
 * status 'skipped'). Ingestion with per-user failures counts as 'failed' although the other
 * users' data is in. A job stopped by its deadline or by losing its lock is 'failed'; one stopped
 * by env.signal is 'cancelled'.
 */
export async function runJob(job: JobName, env: JobEnv): Promise<JobOutcome> {
  const startedAt = new Date().toISOString();
  const coordinator = env.coordinator ?? new FileJobCoordinator(env.paths);
  const finish = async (outcome: JobOutcome): Promise<JobOutcome> => {
    try {
      await coordinator.record({
        job,
        startedAt,
        finishedAt: new Date().toISOString(),
        status: outcome.status,
        trigger: env.trigger,
        ...(outcome.summary ? { summary: outcome.summary } : {}),
        ...(outcome.error ? { error: outcome.error.message } : {}),
      });
    } catch (error) {
      // The run itself is over either way; a log that cannot be written must not hide its outcome.
      env.log(`${job}: could not write the job log (${(error as Error).message})`);
    }
    return outcome;
  };
  let lease: Awaited<ReturnType<JobCoordinator['acquire']>>;
  try {
    lease = await coordinator.acquire(job);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    return finish({ job, status: error instanceof JobBusyError ? 'skipped' : 'failed', error: err });
  }
  const deadline = new AbortController();
  const timer =
    env.deadlineSeconds === undefined
      ? undefined
      : setTimeout(() => {
          deadline.abort(
            new Error(
              `the ${job} job ran past its deadline of ${env.deadlineSeconds} s (deadlineSeconds.${job} in ops.json) and was stopped`,
            ),
          );
        }, env.deadlineSeconds * 1000);
  const signal = AbortSignal.any([deadline.signal, lease.lost, ...(env.signal ? [env.signal] : [])]);
  try {
    const store = await env.openStore();
    try {
      const summary = await execute(job, { ...env, signal }, store);
      const failedUsers = job === 'ingest' && (summary as IngestSummary).users.some((u) => u.error !== undefined);
      return await finish({ job, status: failedUsers ? 'failed' : 'ok', summary });
    } finally {
      await store.close();
    }
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    if (env.signal?.aborted) return finish({ job, status: 'cancelled', error: err });
    // Stopped by the deadline or a lost lock: say why rather than the bare abort error.
    const stoppedBy = deadline.signal.aborted ? deadline.signal.reason : lease.lost.aborted ? lease.lost.reason : null;
    return finish({ job, status: 'failed', error: stoppedBy instanceof Error ? stoppedBy : err });
  } finally {
    clearTimeout(timer);
    await lease.release();
  }
}
