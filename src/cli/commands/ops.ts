import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { describeLockOwner } from '../../fs/lock-file.js';
import { isModelName, MODEL_NAMES } from '../../models/train-model.js';
import {
  formatMonitoringTable,
  loadOpsConfig,
  isPostgresUrl,
  monitoringHistory,
  openJobCoordinator,
  queueEntries,
  resetIngestRun,
  runJob,
  type GateResult,
  type IngestSummary,
  type JobEnv,
  type JobLogEntry,
  type JobName,
  type JobOutcome,
  type MonitorSummary,
  type OpsConfig,
} from '../../ops/index.js';
import { openRegistry } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { addStoreLocationOptions, parsePositiveInt, storeUrlOf, type StoreLocationFlags } from '../options.js';

/** `anirec ingest`, `anirec monitor`, `anirec retrain`: each operations job, run once (the CronJobs call these). */

export function loadConfigOrExplain(ctx: CliContext): OpsConfig {
  return loadOpsConfig(ctx.paths.opsConfig);
}

/** Runs a job with Ctrl-C / SIGTERM wired to its abort signal, and turns its outcome into an exit. */
export async function runJobFromCli(
  ctx: CliContext,
  job: JobName,
  config: OpsConfig,
  where: StoreLocationFlags,
  extra: Partial<JobEnv> = {},
): Promise<JobOutcome> {
  const storeUrl = storeUrlOf(where, ctx.paths);
  const abort = new AbortController();
  const cancel = (signal: NodeJS.Signals) => {
    ctx.err(`${job}: ${signal} received, cancelling (progress so far is kept)…`);
    abort.abort(new Error(`cancelled by ${signal}`));
  };
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  // With a PostgreSQL store the lock and the log are in its database, shared with every worker.
  const coordinator = openJobCoordinator(storeUrl, ctx.paths);
  let outcome: JobOutcome;
  try {
    outcome = await runJob(job, {
      paths: ctx.paths,
      config,
      openStore: () => ctx.openStore(storeUrl),
      openRegistry: () => openRegistry(storeUrl, ctx.paths),
      log: ctx.err,
      trigger: 'cli',
      signal: abort.signal,
      coordinator,
      ...extra,
    });
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
    await coordinator.close();
  }
  if (outcome.status === 'skipped') throw new CliError(outcome.error!.message, 'job_busy');
  if (outcome.status === 'cancelled') throw new CliError(`${job} cancelled: ${outcome.error!.message}`, 'cancelled');
  if (outcome.error) throw new CliError(`${job} failed: ${outcome.error.message}`);
  return outcome;
}

function parseProbability(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`${option} must be a number between 0 and 1 (got "${value}")`);
    return n;
  };
}

function printIngest(ctx: CliContext, s: IngestSummary): void {
  if (s.resumed) ctx.out(`resumed an interrupted run (${s.usersAlreadyDone.length} user(s) were already done)`);
  for (const u of s.users) {
    ctx.out(
      u.error
        ? `${u.user}: FAILED — ${u.error}`
        : `${u.user}: ${u.entries} entries, ${u.inserted} new, ${u.updated} changed, ${u.unchanged} unchanged${u.problems ? `, ${u.problems} skipped (no MAL id)` : ''}`,
    );
  }
  if (s.titles) {
    const t = s.titles;
    ctx.out(
      `titles changed since ${t.since === null ? '—' : new Date(t.since).toISOString()}: ${t.upserted} upserted over ${t.pages} page(s)${t.skipped ? `, ${t.skipped} without a MAL id` : ''}; cursor now ${t.cursor === null ? '—' : new Date(t.cursor).toISOString()}`,
    );
  }
}

function printGate(ctx: CliContext, g: GateResult): void {
  ctx.out(`${g.decision.toUpperCase()}: ${g.candidate} (${g.production ? `against production ${g.production}` : 'first model'})`);
  ctx.out(`  ${g.reason}`);
  ctx.out(`  ${g.split}`);
}

function describeRun(e: JobLogEntry): string {
  const seconds = (Date.parse(e.finishedAt) - Date.parse(e.startedAt)) / 1000;
  const by = `${e.trigger}${e.runner ? ` ${e.runner}` : ''}`;
  return `${e.startedAt}  ${e.job.padEnd(7)}  ${e.status.padEnd(9)}  ${seconds.toFixed(1).padStart(7)} s  ${by}${e.error ? `  ${e.error}` : ''}`;
}

export function registerOps(program: Command, ctx: CliContext): void {
  const jobs = program
    .command('jobs')
    .description(
      "Show the last runs of ingest, monitor and retrain (the job log; with a PostgreSQL store, every worker's and command's runs)",
    )
    .option('--limit <n>', 'how many runs, newest last', parsePositiveInt('--limit'), 20)
    .option('--json', 'print the runs as JSON');
  addStoreLocationOptions(jobs).action(async (flags: StoreLocationFlags & { limit: number; json?: boolean }) => {
    const storeUrl = storeUrlOf(flags, ctx.paths);
    const coordinator = openJobCoordinator(storeUrl, ctx.paths);
    try {
      const runs = await coordinator.history(flags.limit);
      const running = await coordinator.running();
      const queued = isPostgresUrl(storeUrl) ? await queueEntries(storeUrl) : [];
      if (flags.json) {
        ctx.out(JSON.stringify({ runs, running, queued }, null, 2));
        return;
      }
      if (runs.length === 0) ctx.out('no job has run yet (anirec ingest, monitor, retrain or worker)');
      for (const run of runs) ctx.out(describeRun(run));
      for (const { job, owner } of running) ctx.out(`running now: ${job} (${describeLockOwner(owner)})`);
      for (const q of queued.filter((e) => e.state !== 'active')) {
        ctx.out(
          `queued: ${q.job} run ${q.id}${q.scheduledFor ? ` for ${q.scheduledFor}` : ''}${q.state === 'retry' ? ` (retry ${q.retryCount + 1}, handed back by a worker that stopped or died)` : ''}`,
        );
      }
    } finally {
      await coordinator.close();
    }
  });

  const ingest = program
    .command('ingest')
    .description("Fetch followed AniList users' lists and new/updated titles into the store (idempotent, resumable)")
    .option('--users <names>', 'comma-separated AniList user names (default: ingest.users in $ANIREC_HOME/ops.json)')
    .option('--endpoint <url>', 'AniList GraphQL endpoint (default: ingest.endpoint, else graphql.anilist.co)')
    .option('--no-titles', "only the users' lists, not the changed titles")
    .option('--restart', "forget an interrupted run's progress and start over (cursors are kept)");
  addStoreLocationOptions(ingest).action(
    async (flags: StoreLocationFlags & { users?: string; endpoint?: string; titles: boolean; restart?: boolean }) => {
      const config = loadConfigOrExplain(ctx);
      if (flags.users !== undefined)
        config.ingest.users = [
          ...new Set(
            flags.users
              .split(',')
              .map((u) => u.trim())
              .filter(Boolean),
          ),
        ];
      if (flags.endpoint !== undefined) {
        if (!/^https?:\/\//.test(flags.endpoint)) throw new CliError(`--endpoint ${flags.endpoint}: must be an http(s) URL`);
        config.ingest.endpoint = flags.endpoint;
      }
      if (!flags.titles) config.ingest.titles = false;
      if (config.ingest.users.length === 0 && !config.ingest.titles) {
        throw new CliError(
          `Nothing to ingest: no AniList users are configured and titles are off. Pass --users NAME[,NAME…] or add "ingest": {"users": ["NAME"]} to ${ctx.paths.opsConfig}.`,
        );
      }
      if (config.ingest.users.length === 0)
        ctx.err(`no AniList users configured (ingest.users in ${ctx.paths.opsConfig}); fetching changed titles only`);
      if (flags.restart) {
        const store = await ctx.openStore(storeUrlOf(flags, ctx.paths));
        try {
          await resetIngestRun(store);
        } finally {
          await store.close();
        }
      }
      const outcome = await runJobFromCli(ctx, 'ingest', config, flags);
      const summary = outcome.summary as IngestSummary;
      printIngest(ctx, summary);
      const failed = summary.users.filter((u) => u.error);
      if (failed.length > 0)
        throw new CliError(
          `${failed.length} user list(s) could not be fetched (${failed.map((u) => u.user).join(', ')}); check the names in ${ctx.paths.opsConfig}. The others were ingested.`,
        );
    },
  );

  const monitor = program
    .command('monitor')
    .description("Compare the production model's predictions with newly scored titles; store daily MAE/RMSE/hit-rate and flag drift")
    .option('--since <date>', 'monitor events after this date (YYYY-MM-DD or ISO time) instead of the cursor')
    .option('--days <n>', 'days of history to print', parsePositiveInt('--days'), 30)
    .option('--history', 'only print the stored history, do not run')
    .option('--json', 'print the history as JSON');
  addStoreLocationOptions(monitor).action(
    async (flags: StoreLocationFlags & { since?: string; days: number; history?: boolean; json?: boolean }) => {
      const config = loadConfigOrExplain(ctx);
      let since: number | undefined;
      if (flags.since !== undefined) {
        since = Date.parse(flags.since);
        if (Number.isNaN(since)) throw new CliError(`--since ${flags.since}: not a date; use YYYY-MM-DD or an ISO time`);
      }
      if (!flags.history) {
        const outcome = await runJobFromCli(ctx, 'monitor', config, flags, { monitorSince: since });
        const s = outcome.summary as MonitorSummary;
        ctx.err(
          `monitored ${s.recorded} new prediction(s) with ${s.modelVersion}${s.unknownTitles ? `; ${s.unknownTitles} about titles the model does not know` : ''}`,
        );
      }
      const store = await ctx.openStore(storeUrlOf(flags, ctx.paths));
      try {
        const rows = await monitoringHistory(store, { days: flags.days });
        if (flags.json) ctx.out(JSON.stringify(rows, null, 2));
        else for (const line of formatMonitoringTable(rows, config.monitor.k)) ctx.out(line);
      } finally {
        await store.close();
      }
    },
  );

  const retrain = program
    .command('retrain')
    .description('Train a candidate and promote it only if it is not significantly worse than production (paired test on NDCG@20)')
    .option('--model <name>', `model to train (default: retrain.model, else anirec); one of ${MODEL_NAMES.join(', ')}`)
    .option('--alpha <p>', 'significance level of the gate (default: retrain.alpha, else 0.05)', parseProbability('--alpha'))
    .option('--test <kind>', 'paired test: bootstrap or t (default: retrain.test, else bootstrap)')
    .option(
      '--test-users <n>',
      'held-out users for the gate (default: retrain.testUsers, else 10% capped at retrain.maxTestUsers)',
      parsePositiveInt('--test-users'),
    )
    .option('--seed <n>', 'seed of the split and the training', parsePositiveInt('--seed'));
  addStoreLocationOptions(retrain).action(
    async (flags: StoreLocationFlags & { model?: string; alpha?: number; test?: string; testUsers?: number; seed?: number }) => {
      const config = loadConfigOrExplain(ctx);
      if (flags.model !== undefined) {
        if (!isModelName(flags.model)) throw new CliError(`--model ${flags.model}: unknown model; choose one of ${MODEL_NAMES.join(', ')}`);
        config.retrain.model = flags.model;
      }
      if (flags.test !== undefined) {
        if (flags.test !== 'bootstrap' && flags.test !== 't') throw new CliError(`--test ${flags.test}: choose bootstrap or t`);
        config.retrain.test = flags.test;
      }
      if (flags.alpha !== undefined) config.retrain.alpha = flags.alpha;
      if (flags.testUsers !== undefined) config.retrain.testUsers = flags.testUsers;
      if (flags.seed !== undefined) config.retrain.seed = flags.seed;
      const outcome = await runJobFromCli(ctx, 'retrain', config, flags);
      printGate(ctx, outcome.summary as GateResult);
    },
  );
}
