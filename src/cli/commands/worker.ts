import type { Command } from 'commander';
import { isPostgresUrl, JOB_NAMES, openJobCoordinator, QueueWorker, Worker, type JobName } from '../../ops/index.js';
import { openRegistry } from '../../registry/index.js';
import { redactStoreUrl } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { addStoreLocationOptions, storeUrlOf, type StoreLocationFlags } from '../options.js';
import { loadConfigOrExplain } from './ops.js';

/**
 * `anirec worker`: the scheduler. Runs until SIGTERM/SIGINT, then lets running jobs wind down.
 * With the SQLite default it is one process with croner and lock files (ops/scheduler.ts); with a
 * PostgreSQL store any number of workers share a queue in that database (ops/queue/queue-worker.ts).
 */
export function registerWorker(program: Command, ctx: CliContext): void {
  const command = program
    .command('worker')
    .description(
      'Run ingest, monitor and retrain on their cron schedules (schedule.* in $ANIREC_HOME/ops.json) until stopped; with a PostgreSQL store, several workers share the runs',
    )
    .option('--run-now <jobs>', 'also run these jobs once at start (comma-separated: ingest,monitor,retrain)');
  addStoreLocationOptions(command).action(async (flags: StoreLocationFlags & { runNow?: string }) => {
    const storeUrl = storeUrlOf(flags, ctx.paths);
    const config = loadConfigOrExplain(ctx);
    const runNow = (flags.runNow ?? '')
      .split(',')
      .map((j) => j.trim())
      .filter(Boolean);
    for (const job of runNow)
      if (!(JOB_NAMES as readonly string[]).includes(job))
        throw new CliError(`--run-now ${job}: unknown job; choose from ${JOB_NAMES.join(', ')}`);
    const log = (line: string) => ctx.err(`${new Date().toISOString()} ${line}`);
    const shared = isPostgresUrl(storeUrl);
    const coordinator = openJobCoordinator(storeUrl, ctx.paths);
    const env = {
      paths: ctx.paths,
      config,
      openStore: () => ctx.openStore(storeUrl),
      openRegistry: () => openRegistry(storeUrl, ctx.paths),
      log,
      coordinator,
    };
    const worker = shared ? new QueueWorker(env, config.schedule, { url: storeUrl }) : new Worker(env, config.schedule);
    let resolveStop!: () => void;
    const stopped = new Promise<void>((resolve) => (resolveStop = resolve));
    const shutdown = (signal: NodeJS.Signals) => {
      log(`${signal} received: no new runs; waiting for running jobs to cancel cleanly`);
      void worker.stop().then(resolveStop);
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
    try {
      // Handlers first, then anything a supervisor may react to: a SIGTERM that arrives before
      // Node has a handler installed kills the process at once, without the graceful shutdown.
      await worker.start();
      for (const [job, at] of Object.entries(worker.nextRuns()))
        log(`${job}: "${config.schedule[job as JobName]}" (${config.schedule.timezone}), next at ${at?.toISOString() ?? 'never'}`);
      if (shared)
        log(`sharing the runs with every worker on ${redactStoreUrl(storeUrl)} (pg-boss queues; a job's lease is its deadline plus grace)`);
      log('worker started; SIGTERM or Ctrl-C stops it');
      for (const job of runNow) {
        if (worker instanceof QueueWorker) {
          void worker
            .enqueue(job as JobName)
            .then((id) =>
              log(id === null ? `${job}: a run is already waiting in the queue; --run-now adds none` : `${job}: run ${id} queued`),
            );
        } else {
          void worker.trigger(job as JobName);
        }
      }
      await stopped;
    } finally {
      process.off('SIGTERM', shutdown);
      process.off('SIGINT', shutdown);
      await worker.stop();
      await coordinator.close();
    }
    log('worker stopped');
  });
}
