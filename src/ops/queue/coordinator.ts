import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnirecPaths } from '../../config.js';
import { readLockOwner, type LockOwner } from '../../fs/lock-file.js';
import { appendJobLog, JOB_NAMES, readJobLog, type JobLogEntry, type JobName } from '../job-log.js';
import { acquireJobLock } from '../lock.js';
import { PostgresJobCoordinator } from './postgres-coordinator.js';

/**
 * Where a job's exclusivity and its log line live. On one machine (the SQLite default) these are
 * a lock file per job and `jobs.jsonl`; with a PostgreSQL store every replica must see the same
 * lock and the same history, so both move into that database (postgres-coordinator.ts). runJob
 * only talks to this interface, so a hand-run command and a worker take the same lock either way.
 */

export interface JobLease {
  /** Aborted when the lock can no longer be vouched for (its connection dropped): the job must stop. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface JobCoordinator {
  /** What holds the locks, for messages: "lock files in …" or the database URL without its password. */
  readonly where: string;
  /** Takes the job's lock or throws JobBusyError at once (a busy job is skipped, never queued here). */
  acquire(job: JobName): Promise<JobLease>;
  /** Appends one finished run to the job log. */
  record(entry: JobLogEntry): Promise<void>;
  /** The last `limit` runs, oldest first. */
  history(limit: number): Promise<JobLogEntry[]>;
  /** The jobs whose lock is held now, and by whom when that is known. */
  running(): Promise<RunningJob[]>;
  close(): Promise<void>;
}

export interface RunningJob {
  job: JobName;
  owner: LockOwner | null;
}

export const jobLockPath = (paths: AnirecPaths, job: JobName) => join(paths.home, 'locks', `${job}.lock`);
export const jobLogPath = (paths: AnirecPaths) => join(paths.home, 'ops', 'jobs.jsonl');

const NEVER_LOST = new AbortController().signal;

/** Lock files and jobs.jsonl under ANIREC_HOME: what every job used before PostgreSQL. */
export class FileJobCoordinator implements JobCoordinator {
  readonly where: string;

  constructor(private readonly paths: AnirecPaths) {
    this.where = `lock files in ${join(paths.home, 'locks')}`;
  }

  async acquire(job: JobName): Promise<JobLease> {
    const release = acquireJobLock(jobLockPath(this.paths, job), job);
    return { lost: NEVER_LOST, release: async () => release() };
  }

  async record(entry: JobLogEntry): Promise<void> {
    appendJobLog(jobLogPath(this.paths), entry);
  }

  async history(limit: number): Promise<JobLogEntry[]> {
    return readJobLog(jobLogPath(this.paths), limit);
  }

  async running(): Promise<RunningJob[]> {
    return JOB_NAMES.filter((job) => existsSync(jobLockPath(this.paths, job))).map((job) => ({
      job,
      owner: readLockOwner(jobLockPath(this.paths, job)),
    }));
  }

  async close(): Promise<void> {}
}

/** postgres:// and postgresql:// store URLs (the schemes open-store.ts gives the PostgreSQL backend). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim());
}

/** The coordinator for a store URL: the database itself for PostgreSQL, ANIREC_HOME's files otherwise. */
export function openJobCoordinator(storeUrl: string, paths: AnirecPaths): JobCoordinator {
  return isPostgresUrl(storeUrl) ? new PostgresJobCoordinator(storeUrl) : new FileJobCoordinator(paths);
}
