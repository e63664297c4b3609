import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { RegistryLockedError } from './types.js';

/**
 * Writes a file so readers see either the old content or the new one, never a torn mix: the
 * HTTP server re-reads CURRENT while the registry changes it, and a crash mid-write must not
 * leave a half-written version.json.
 */
export function writeFileAtomic(path: string, content: string): void {
  const temp = join(dirname(path), `.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, content);
    // Flush before the rename so a power cut cannot leave the new name pointing at empty data.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

interface LockOwner {
  pid: number;
  host: string;
  at: string;
  purpose: string;
}

export interface LockOptions {
  /** How long to wait for another writer to finish before giving up (default 5 s). */
  timeoutMs?: number;
  /**
   * A lock from another host (e.g. another pod sharing the volume) cannot be checked by pid; it
   * is treated as abandoned after this long. Registry operations take seconds, so 15 min is safe.
   */
  foreignStaleMs?: number;
}

function sleepSync(ms: number): void {
  // The registry API is synchronous (it is called between long async steps, never in a hot
  // path), so block the thread briefly instead of spinning.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
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

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string') {
      return { pid: owner.pid, host: owner.host, at: String(owner.at ?? ''), purpose: String(owner.purpose ?? '') };
    }
  } catch {
    // Unreadable: the owner crashed between creating and writing the file, or it was deleted.
  }
  return null;
}

/** Why the lock at `path` may be taken over, or null if its owner is still at work. */
function staleReason(path: string, foreignStaleMs: number): string | null {
  const owner = readOwner(path);
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch {
    return 'it disappeared';
  }
  if (!owner) return ageMs > 10_000 ? 'it is unreadable and older than 10 s' : null;
  if (owner.host === hostname()) return processAlive(owner.pid) ? null : `its owner (pid ${owner.pid}) is no longer running`;
  return ageMs > foreignStaleMs ? `it was taken by ${owner.host} over ${Math.round(ageMs / 60000)} min ago` : null;
}

/**
 * Runs `fn` holding an exclusive lock file. The lock is created with O_EXCL, so of two writers
 * exactly one succeeds; the other waits up to `timeoutMs`, then fails with a message that says
 * who holds the lock and how to clear it if that process is gone.
 */
export function withLock<T>(path: string, purpose: string, fn: () => T, options: LockOptions = {}): T {
  const timeoutMs = options.timeoutMs ?? 5000;
  const foreignStaleMs = options.foreignStaleMs ?? 15 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const me: LockOwner = { pid: process.pid, host: hostname(), at: new Date().toISOString(), purpose };
  for (;;) {
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
      break;
    }
    if (staleReason(path, foreignStaleMs) !== null) {
      // Take over by renaming the stale file away first: if two processes both judged it stale,
      // only one rename succeeds on the same name and the loser simply retries the O_EXCL create.
      try {
        renameSync(path, `${path}.stale-${process.pid}`);
        rmSync(`${path}.stale-${process.pid}`, { force: true });
      } catch {
        // Someone else cleaned it up first; retry.
      }
      continue;
    }
    if (Date.now() >= deadline) {
      const owner = readOwner(path);
      const who = owner ? `process ${owner.pid} on ${owner.host} (${owner.purpose}, since ${owner.at})` : 'another process';
      throw new RegistryLockedError(
        `The model registry is locked by ${who}: ${path}. Wait for that command to finish and retry. ` +
          `If no such process is running any more, delete ${path}.`,
      );
    }
    sleepSync(Math.min(50, Math.max(1, deadline - Date.now())));
  }
  try {
    return fn();
  } finally {
    // Only remove the lock if it is still ours (it could have been judged stale and taken over).
    const owner = readOwner(path);
    if (owner && owner.pid === me.pid && owner.host === me.host && owner.at === me.at) rmSync(path, { force: true });
  }
}
