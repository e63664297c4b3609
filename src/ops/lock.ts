import { AnirecError } from '../errors/errors.js';
import { describeLockOwner, readLockOwner, tryAcquireLock, type LockOwner } from '../fs/lock-file.js';

/**
 * One lock file per job (`$ANIREC_HOME/locks/<job>.lock`), so a job is never run twice at once:
 * not by two workers sharing a volume, nor by a worker and a hand-run `anirec ingest`. Created
 * with O_EXCL (src/fs/lock-file.ts); a lock whose owner died is taken over.
 */

export class JobBusyError extends AnirecError {
  constructor(
    message: string,
    readonly owner: LockOwner | null,
  ) {
    super('job_busy', message);
    this.name = 'JobBusyError';
  }
}

/**
 * Takes the lock or throws JobBusyError at once (a scheduled job that is busy is skipped, not
 * queued). A lock from another host is considered abandoned after `foreignStaleMs`, longer than
 * any job's deadline (the CronJobs allow 4 h at most).
 */
export function acquireJobLock(path: string, job: string, options: { foreignStaleMs?: number } = {}): () => void {
  const release = tryAcquireLock(path, job, options.foreignStaleMs ?? 6 * 3600_000);
  if (release !== null) return release;
  const owner = readLockOwner(path);
  throw new JobBusyError(
    `The ${job} job is already running: ${describeLockOwner(owner)} holds ${path}. Wait for it to finish; if no such process exists any more, delete that file.`,
    owner,
  );
}
