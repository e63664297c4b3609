import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Cron } from 'croner';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { AnirecError } from '../../errors/errors.js';
import { redactStoreUrl, StoreUnavailableError } from '../../store/index.js';
import type { ScheduleConfig } from '../config.js';
import { JOB_NAMES, type JobName } from '../job-log.js';
import { runJob, type JobEnv, type JobOutcome } from '../jobs.js';
import { driverConnectionString, JOB_LOCK_SPACE } from './postgres-coordinator.js';

/**
 * `anirec worker` with a PostgreSQL store: any number of these, on any hosts, share one queue per
 * job in pg-boss (its own schema in the store's database) and each scheduled run executes once.
 *
 * - Every worker keeps the cron schedules (croner, as the single-machine Worker does, so the same
 *   ops.json schedules, seconds included, mean the same thing) and at each tick offers that tick's
 *   run to the queue under an id derived from the job and the tick's time. The id is the primary
 *   key, so however many workers offer a tick, one job exists for it. pg-boss's own cron is not used:
 *   it is minute-grained, debounced over 60 s, and checked by one instance per interval.
 * - The queues are 'stately': at most one run waiting and one active per job, so two runs of a
 *   job never overlap and ticks that fall during a long run collapse into one run after it.
 * - A run's lease (pg-boss's expireIn) is the job's deadline (ops.json deadlineSeconds) plus a
 *   grace period. runJob stops the job at its deadline, so only a run whose worker died or hung
 *   outlives its lease; pg-boss's maintenance then puts it back in the queue and another worker
 *   retries it (ingestion resumes from its saved progress).
 * - Each run also takes the job's lock through runJob (an advisory lock, postgres-coordinator.ts),
 *   which is what a hand-run `anirec ingest` takes too; a retried run whose first worker is in
 *   fact still alive finds the lock held and is skipped rather than run twice.
 * - stop() (SIGTERM) first stops fetching, then cancels the running jobs; a run cancelled this way
 *   is handed back to the queue (failed, with retries left), so another worker picks it up.
 */

/** One run as the queue hands it over: what the job runner seam gets besides the job's env. */
export interface QueuedRun {
  id: string;
  /** The cron tick the run is for; null for a run started by hand (`--run-now`). */
  scheduledFor: string | null;
  /** 0 for the first delivery, 1 after one retry (an expired lease or a shutdown), ... */
  retryCount: number;
}

/** Test seam: runs one job. The default is runJob; tests count executions without training anything. */
export type JobRunner = (job: JobName, env: JobEnv, run: QueuedRun) => Promise<JobOutcome>;

export interface QueueWorkerOptions {
  /** The store's postgres:// URL; the queue lives in the same database. */
  url: string;
  /** pg-boss's schema. */
  schema?: string;
  runner?: JobRunner;
  /** How often an idle worker asks for work (pg-boss polling; at least 0.5 s). */
  pollingIntervalSeconds?: number;
  /** How often expired leases are looked for (one worker does it per interval). */
  maintenanceIntervalSeconds?: number;
  /** Added to the job's deadline to make its lease: time for a cancelled job to wind down. */
  leaseGraceSeconds?: number;
  /** Deliveries after the first, for a run whose worker died or shut down. */
  retryLimit?: number;
  onOutcome?: (outcome: JobOutcome, run: QueuedRun) => void;
}

export const DEFAULT_QUEUE_SCHEMA = 'anirec_queue';
const DEFAULTS = { pollingIntervalSeconds: 2, maintenanceIntervalSeconds: 60, leaseGraceSeconds: 120, retryLimit: 2 };

export const queueName = (job: JobName) => `anirec-${job}`;

/** The same uuid for the same job and tick on every worker (a name-based id, as uuid v5 builds one). */
export function tickJobId(job: JobName, tick: Date): string {
  const hex = createHash('sha256').update(`anirec:${job}:${tick.toISOString()}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Advisory-lock key (in JOB_LOCK_SPACE, beside the jobs' own keys 1..3) that serialises creating the queues. */
const QUEUE_SETUP_LOCK = 100;

/**
 * Creates the missing queues one worker at a time: pg-boss creates a partition per queue, and two
 * workers starting together deadlock on it.
 */
async function createQueues(url: string, boss: PgBoss): Promise<void> {
  const client = new pg.Client({ connectionString: driverConnectionString(url), application_name: 'anirec worker setup' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [JOB_LOCK_SPACE, QUEUE_SETUP_LOCK]);
    for (const job of JOB_NAMES) {
      if ((await boss.getQueue(queueName(job))) === null)
        await boss.createQueue(queueName(job), { name: queueName(job), policy: 'stately' });
    }
  } finally {
    // Ending the session releases the lock as well.
    await client.end().catch(() => {});
  }
}

interface RunData {
  job: JobName;
  scheduledFor: string | null;
}

export class QueueWorker {
  private readonly options: Required<Omit<QueueWorkerOptions, 'onOutcome'>> & Pick<QueueWorkerOptions, 'onOutcome'>;
  private readonly crons = new Map<JobName, Cron>();
  private readonly running = new Map<JobName, Promise<unknown>>();
  private readonly abort = new AbortController();
  private boss: PgBoss | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly env: Omit<JobEnv, 'trigger' | 'signal' | 'deadlineSeconds'>,
    private readonly schedule: ScheduleConfig,
    options: QueueWorkerOptions,
  ) {
    this.options = { schema: DEFAULT_QUEUE_SCHEMA, runner: runJob, ...DEFAULTS, ...options };
  }

  /** A job's lease: how long a run may stay active before pg-boss hands it to another worker. */
  leaseSeconds(job: JobName): number {
    return Math.ceil(this.env.config.deadlineSeconds[job] + this.options.leaseGraceSeconds);
  }

  /** Connects, creates pg-boss's schema and the queues if missing, starts fetching and the schedules. */
  start(): Promise<void> {
    this.starting ??= this.connect().catch((error: unknown) => {
      throw queueSetupError(this.options.url, this.options.schema, error);
    });
    return this.starting;
  }

  private get stopped(): boolean {
    return this.stopping !== null;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { schema, pollingIntervalSeconds, maintenanceIntervalSeconds } = this.options;
    const boss = new PgBoss({
      connectionString: driverConnectionString(this.options.url),
      schema,
      application_name: `anirec worker ${process.pid}@${hostname()}`.slice(0, 63),
      max: 4,
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds,
    });
    // Without a listener an 'error' event (the database restarting) would end the process.
    boss.on('error', (error: Error) => this.env.log(`queue: ${error.message}`));
    // Kept before it is started, so that a stop() during start-up still closes it.
    this.boss = boss;
    await boss.start();
    await createQueues(this.options.url, boss);
    for (const job of JOB_NAMES) {
      await boss.work<RunData>(queueName(job), { batchSize: 1, pollingIntervalSeconds, includeMetadata: true }, ([delivered]) =>
        this.handle(job, delivered!),
      );
    }
    if (this.stopped) return;
    for (const job of JOB_NAMES) {
      const cron = new Cron(this.schedule[job], { timezone: this.schedule.timezone }, () => {
        void this.offerTick(job, cron);
      });
      this.crons.set(job, cron);
    }
  }

  nextRuns(): Record<JobName, Date | null> {
    const out = {} as Record<JobName, Date | null>;
    for (const job of JOB_NAMES) out[job] = this.crons.get(job)?.nextRun() ?? null;
    return out;
  }

  isRunning(job: JobName): boolean {
    return this.running.has(job);
  }

  /**
   * Queues a run now (`--run-now`), for whichever worker is free. Returns its id, or null when a
   * run of this job is already waiting (the queue keeps one).
   */
  async enqueue(job: JobName): Promise<string | null> {
    return this.send(job, randomUUID(), null);
  }

  private async offerTick(job: JobName, cron: Cron): Promise<void> {
    // The tick this callback fires for, not the moment it fired: workers whose timers fire a few
    // milliseconds apart must name the same run.
    const tick = cron.previousRuns(1, new Date(Date.now() + 1))[0] ?? new Date(Math.floor(Date.now() / 1000) * 1000);
    try {
      const id = await this.send(job, tickJobId(job, tick), tick.toISOString());
      this.env.log(
        id === null
          ? `${job}: the run for ${tick.toISOString()} is already queued (another worker, or one waiting behind a running one)`
          : `${job}: run for ${tick.toISOString()} queued`,
      );
    } catch (error) {
      this.env.log(`${job}: could not queue the run for ${tick.toISOString()}: ${(error as Error).message}`);
    }
  }

  private async send(job: JobName, id: string, scheduledFor: string | null): Promise<string | null> {
    if (this.boss === null || this.stopped) return null;
    const data: RunData = { job, scheduledFor };
    return this.boss.send(queueName(job), data, {
      id,
      expireInSeconds: this.leaseSeconds(job),
      retryLimit: this.options.retryLimit,
      retryDelay: 0,
    });
  }

  private async handle(job: JobName, delivered: PgBoss.JobWithMetadata<RunData>): Promise<unknown> {
    const run: QueuedRun = { id: delivered.id, scheduledFor: delivered.data.scheduledFor, retryCount: delivered.retryCount };
    const signal = this.abort.signal;
    this.env.log(
      `${job}: starting run ${run.id}${run.scheduledFor ? ` for ${run.scheduledFor}` : ''}${run.retryCount > 0 ? ` (retry ${run.retryCount})` : ''}`,
    );
    const execution = this.options.runner(
      job,
      { ...this.env, trigger: 'worker', signal, deadlineSeconds: this.env.config.deadlineSeconds[job] },
      run,
    );
    this.running.set(
      job,
      execution.catch(() => {}),
    );
    let outcome: JobOutcome;
    try {
      outcome = await execution;
    } finally {
      this.running.delete(job);
    }
    this.env.log(`${job}: ${outcome.status}${outcome.error ? ` (${outcome.error.message})` : ''}`);
    this.options.onOutcome?.(outcome, run);
    // Throwing hands the run back to the queue (pg-boss fails it with retries left): another
    // worker finishes what this one's shutdown interrupted.
    if (outcome.status === 'cancelled' && signal.aborted)
      throw new Error(`${job} was cancelled by this worker's shutdown; handed back to the queue`);
    // Anything else is an outcome, not a delivery problem: it is in the job log, and the next
    // tick runs the job again, as without a queue.
    return { status: outcome.status, ...(outcome.error ? { error: outcome.error.message } : {}) };
  }

  /** Stops fetching and scheduling, cancels running jobs, waits for them, then disconnects. */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    // A stop during start-up (SIGTERM right after launch) waits for it, then undoes all of it.
    await this.starting?.catch(() => {});
    for (const cron of this.crons.values()) cron.stop();
    this.crons.clear();
    const boss = this.boss;
    if (boss === null) return;
    // Stop fetching before cancelling: a run handed back must not come straight back here.
    for (const job of JOB_NAMES) await boss.offWork(queueName(job));
    this.abort.abort(new Error('the worker is shutting down'));
    await Promise.allSettled([...this.running.values()]);
    await boss.stop({ graceful: true, timeout: 5_000 });
    this.boss = null;
  }
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', '57P01', '57P03']);

/** Start-up failures as an AnirecError: the database is unreachable (retry later) or refuses the queue's schema (fix the grants). */
function queueSetupError(url: string, schema: string, error: unknown): Error {
  if (error instanceof AnirecError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  if (
    (typeof code === 'string' && (CONNECTION_ERRORS.has(code) || code.startsWith('08'))) ||
    /timeout exceeded when trying to connect/i.test(message)
  ) {
    return new StoreUnavailableError(`${redactStoreUrl(url)}: ${message}`, error);
  }
  return new AnirecError(
    'invalid_config',
    `Could not set up the job queue (pg-boss, schema "${schema}") in ${redactStoreUrl(url)}: ${message}. The database user needs the right to create a schema and tables there, or an administrator can create the schema "${schema}" owned by that user.`,
    { cause: error },
  );
}
