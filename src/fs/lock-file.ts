import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * An exclusive lock file, shared by the model registry (short critical sections) and the
 * scheduled jobs (hours-long runs). Created with O_EXCL, so of two takers exactly one wins; a lock
 * whose owner died is taken over, so a crash never blocks anyone for good.
 */
export interface LockOwner {
  pid: number;
  host: string;
  at: string;
  /** What the holder is doing, for the message another process prints. */
  purpose: string;
}

export function readLockOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string') {
      return { pid: owner.pid, host: owner.host, at: String(owner.at ?? ''), purpose: String(owner.purpose ?? '') };
    }
  } catch {
    // Unreadable: the owner crashed between creating and writing the file, or it was removed.
  }
  return null;
}

export function describeLockOwner(owner: LockOwner | null): string {
  return owner ? `process ${owner.pid} on ${owner.host} (${owner.purpose}, since ${owner.at})` : 'another process';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the lock may be taken over. A lock from another host (another pod sharing the volume)
 * cannot be checked by pid, so it counts as abandoned only after `foreignStaleMs`.
 */
function isStale(path: string, foreignStaleMs: number): boolean {
  const owner = readLockOwner(path);
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch {
    return true;
  }
  if (!owner) return ageMs > 10_000;
  if (owner.host === hostname()) return !processAlive(owner.pid);
  return ageMs > foreignStaleMs;
}

/**
 * Takes the lock if it is free or stale and returns its release function, or null when a live
 * owner holds it. Never waits: callers decide whether to retry (registry) or skip (jobs).
 */
export function tryAcquireLock(path: string, purpose: string, foreignStaleMs: number): (() => void) | null {
  mkdirSync(dirname(path), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: hostname(), at: new Date().toISOString(), purpose };
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
        // Only remove the lock if it is still ours (it could have been judged stale and taken over).
        const owner = readLockOwner(path);
        if (owner && owner.pid === me.pid && owner.host === me.host && owner.at === me.at) rmSync(path, { force: true });
      };
    }
    if (!isStale(path, foreignStaleMs)) return null;
    // Rename the stale file away first: if two processes both judged it stale, only one rename
    // succeeds and the other simply retries the O_EXCL create.
    try {
      renameSync(path, `${path}.stale-${process.pid}`);
      rmSync(`${path}.stale-${process.pid}`, { force: true });
    } catch {
      // Someone else cleaned it up first; retry.
    }
  }
  return null;
}
