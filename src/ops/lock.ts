import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * One lock file per job (`$ANIREC_HOME/locks/<job>.lock`), so a job is never run twice at once:
 * not by two workers sharing a volume, nor by a worker and a hand-run `anirec ingest`. Created
 * with O_EXCL (exactly one creator wins); a lock whose owner died is taken over, so a crash never
 * blocks the job forever.
 */

export interface JobLockOwner {
  pid: number;
  host: string;
  at: string;
  job: string;
}

export class JobBusyError extends Error {
  constructor(
    message: string,
    readonly owner: JobLockOwner | null,
  ) {
    super(message);
    this.name = 'JobBusyError';
  }
}

function readOwner(path: string): JobLockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<JobLockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string') return { pid: o.pid, host: o.host, at: String(o.at ?? ''), job: String(o.job ?? '') };
  } catch {
    // Unreadable: its creator died between create and write, or it was just removed.
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock from another host (another pod) cannot be checked by pid, so it is considered abandoned
 * after `foreignStaleMs` — longer than any job's deadline (the CronJobs allow 4 h at most).
 */
function isStale(path: string, foreignStaleMs: number): boolean {
  const owner = readOwner(path);
  let age: number;
  try {
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return true;
  }
  if (!owner) return age > 10_000;
  if (owner.host === hostname()) return !alive(owner.pid);
  return age > foreignStaleMs;
}

/** Takes the lock or throws JobBusyError at once (a scheduled job that is busy is skipped, not queued). */
export function acquireJobLock(path: string, job: string, options: { foreignStaleMs?: number } = {}): () => void {
  mkdirSync(dirname(path), { recursive: true });
  const me: JobLockOwner = { pid: process.pid, host: hostname(), at: new Date().toISOString(), job };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      return () => {
        const owner = readOwner(path);
        if (owner && owner.pid === me.pid && owner.host === me.host && owner.at === me.at) rmSync(path, { force: true });
      };
    }
    if (!isStale(path, options.foreignStaleMs ?? 6 * 3600_000)) break;
    // Rename first so that of two processes taking over the same stale lock only one succeeds.
    try {
      renameSync(path, `${path}.stale-${process.pid}`);
      rmSync(`${path}.stale-${process.pid}`, { force: true });
    } catch {
      // someone else took it over first; try the create again
    }
  }
  const owner = readOwner(path);
  const who = owner ? `process ${owner.pid} on ${owner.host} (since ${owner.at})` : 'another process';
  throw new JobBusyError(
    `The ${job} job is already running: ${who} holds ${path}. Wait for it to finish; if no such process exists any more, delete that file.`,
    owner,
  );
}
