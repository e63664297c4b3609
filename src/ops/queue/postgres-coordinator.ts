import { hostname } from 'node:os';
import pg from 'pg';
import type { LockOwner } from '../../fs/lock-file.js';
import { redactStoreUrl, StoreUnavailableError } from '../../store/index.js';
import { JOB_NAMES, type JobLogEntry, type JobName } from '../job-log.js';
import { JobBusyError } from '../lock.js';
import type { JobCoordinator, JobLease, RunningJob } from './coordinator.js';

/**
 * Job locks and the job log in the store's PostgreSQL database, so that every replica and every
 * hand-run command sees the same ones.
 *
 * The lock is a session-level advisory lock, held on a connection opened for that one job and
 * closed with it: a pooled connection would carry the lock to its next user, or lose it when the
 * pool recycles it. If the holder dies, the server ends its session and frees the lock at once; if
 * the connection drops while the job runs, the lease reports itself lost and runJob stops the job,
 * since another process may take the lock from then on.
 *
 * The log is a table of finished runs, one row per run whoever started it. pg-boss's own job table
 * is not enough for this: hand-run commands and skipped starts never pass through the queue, its
 * rows are delivery attempts rather than outcomes, and it archives and deletes them on its own clock.
 */

/** pg_try_advisory_lock(JOB_LOCK_SPACE, n): the two-key form, first key "anjb", apart from the store's and registry's spaces. */
export const JOB_LOCK_SPACE = 0x616e6a62;
/** Key 0 guards creating the log table; job n's lock is JOB_NAMES.indexOf(n) + 1. */
const TABLE_LOCK = 0;
export const jobLockKey = (job: JobName) => JOB_NAMES.indexOf(job) + 1;

const CONNECT_TIMEOUT_MS = 5_000;
const LOG_TABLE = 'anirec_job_runs';

/** pg takes the URL as is, but `pool_max` is anirec's own parameter (the store's), not the server's. */
export function driverConnectionString(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete('pool_max');
  return parsed.toString();
}

/** The lock connection's application_name, so a busy message can say who holds the lock. */
const holderName = (job: JobName) => `anirec ${job} ${process.pid}@${hostname()}`.slice(0, 63);
const HOLDER = /^anirec (\w+) (\d+)@(.*)$/;

interface RunRow {
  job: JobName;
  started_at: Date;
  finished_at: Date;
  status: JobLogEntry['status'];
  trigger: string;
  runner: string;
  summary: unknown;
  error: string | null;
}

export class PostgresJobCoordinator implements JobCoordinator {
  readonly where: string;
  private readonly connectionString: string;
  private pool: pg.Pool | null = null;
  private table: Promise<void> | null = null;

  constructor(url: string) {
    this.connectionString = driverConnectionString(url);
    this.where = redactStoreUrl(url);
  }

  async acquire(job: JobName): Promise<JobLease> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: holderName(job),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    const lost = new AbortController();
    let released = false;
    const onLost = (why: string) => {
      if (!released && !lost.signal.aborted)
        lost.abort(new Error(`the ${job} job lost its lock: ${why}; another process may start it now, so this run stops`));
    };
    client.on('error', (error) => onLost(`its database connection failed (${error.message})`));
    client.on('end', () => onLost('its database connection closed'));
    try {
      await client.connect();
    } catch (error) {
      released = true;
      throw new StoreUnavailableError(`${this.where}: ${(error as Error).message}`, error);
    }
    let locked: boolean;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
        JOB_LOCK_SPACE,
        jobLockKey(job),
      ]);
      locked = rows[0]!.locked;
    } catch (error) {
      released = true;
      await client.end().catch(() => {});
      throw new StoreUnavailableError(`${this.where}: ${(error as Error).message}`, error);
    }
    if (!locked) {
      const owner = await lockHolder(client, job).catch(() => null);
      released = true;
      await client.end().catch(() => {});
      const who = owner ? `process ${owner.pid} on ${owner.host} (since ${owner.at})` : 'another process';
      throw new JobBusyError(
        `The ${job} job is already running: ${who} holds its lock in ${this.where}. Wait for it to finish; the lock goes with that process.`,
        owner,
      );
    }
    return {
      lost: lost.signal,
      release: async () => {
        released = true;
        // Ending the session frees the lock too; unlocking first just makes it immediate.
        await client.query('SELECT pg_advisory_unlock($1, $2)', [JOB_LOCK_SPACE, jobLockKey(job)]).catch(() => {});
        await client.end().catch(() => {});
      },
    };
  }

  async record(entry: JobLogEntry): Promise<void> {
    const pool = await this.ready();
    await pool.query(
      `INSERT INTO ${LOG_TABLE} (job, started_at, finished_at, status, trigger, runner, summary, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        entry.job,
        entry.startedAt,
        entry.finishedAt,
        entry.status,
        entry.trigger,
        entry.runner ?? `${process.pid}@${hostname()}`,
        entry.summary === undefined ? null : JSON.stringify(entry.summary),
        entry.error ?? null,
      ],
    );
  }

  async history(limit: number): Promise<JobLogEntry[]> {
    const pool = await this.ready();
    const { rows } = await pool.query<RunRow>(
      `SELECT job, started_at, finished_at, status, trigger, runner, summary, error FROM ${LOG_TABLE} ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.reverse().map((r) => ({
      job: r.job,
      startedAt: r.started_at.toISOString(),
      finishedAt: r.finished_at.toISOString(),
      status: r.status,
      trigger: r.trigger,
      runner: r.runner,
      ...(r.summary === null ? {} : { summary: r.summary }),
      ...(r.error === null ? {} : { error: r.error }),
    }));
  }

  async running(): Promise<RunningJob[]> {
    const pool = await this.ready();
    const { rows } = await pool.query<HolderRow>(`${HOLDERS} AND l.objid::bigint = ANY($2::bigint[])`, [
      JOB_LOCK_SPACE,
      JOB_NAMES.map(jobLockKey),
    ]);
    return JOB_NAMES.flatMap((job) => {
      const row = rows.find((r) => r.key === jobLockKey(job));
      return row === undefined ? [] : [{ job, owner: ownerOf(row) }];
    });
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.table = null;
    await pool?.end();
  }

  /** The log's pool, with the table created on first use (under a lock: replicas may start together). */
  private async ready(): Promise<pg.Pool> {
    if (this.pool === null) {
      this.pool = new pg.Pool({
        connectionString: this.connectionString,
        max: 2,
        application_name: 'anirec jobs',
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      });
      // An idle connection the server drops would otherwise be an unhandled 'error' event.
      this.pool.on('error', () => {});
    }
    const pool = this.pool;
    this.table ??= createLogTable(pool).catch((error: unknown) => {
      this.table = null;
      throw new StoreUnavailableError(`${this.where}: ${(error as Error).message}`, error);
    });
    await this.table;
    return pool;
  }
}

async function createLogTable(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [JOB_LOCK_SPACE, TABLE_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${LOG_TABLE} (
      id bigserial PRIMARY KEY,
      job text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL,
      status text NOT NULL,
      trigger text NOT NULL,
      runner text NOT NULL,
      summary jsonb,
      error text
    )`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

interface HolderRow {
  key: number;
  application_name: string;
  backend_start: Date;
}

/** The sessions holding advisory locks in JOB_LOCK_SPACE (the two-key form is objsubid 2). */
const HOLDERS = `SELECT l.objid::int AS key, a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid::bigint = $1`;

/** The holder from its lock connection's application_name (see holderName). */
function ownerOf(row: HolderRow): LockOwner | null {
  const match = HOLDER.exec(row.application_name);
  if (match === null) return null;
  return { pid: Number(match[2]), host: match[3]!, at: row.backend_start.toISOString(), purpose: match[1]! };
}

/** Who holds the job's advisory lock. */
async function lockHolder(client: pg.Client, job: JobName): Promise<LockOwner | null> {
  const { rows } = await client.query<HolderRow>(`${HOLDERS} AND l.objid::bigint = $2`, [JOB_LOCK_SPACE, jobLockKey(job)]);
  return rows[0] === undefined ? null : ownerOf(rows[0]);
}
