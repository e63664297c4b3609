import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeLockOwner, readLockOwner, tryAcquireLock } from '../fs/lock-file.js';
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

/**
 * Runs `fn` holding an exclusive lock file. The lock is created with O_EXCL, so of two writers
 * exactly one succeeds; the other waits up to `timeoutMs`, then fails with a message that says
 * who holds the lock and how to clear it if that process is gone.
 */
export function withLock<T>(path: string, purpose: string, fn: () => T, options: LockOptions = {}): T {
  const timeoutMs = options.timeoutMs ?? 5000;
  const foreignStaleMs = options.foreignStaleMs ?? 15 * 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const release = tryAcquireLock(path, purpose, foreignStaleMs);
    if (release !== null) {
      try {
        return fn();
      } finally {
        release();
      }
    }
    if (Date.now() >= deadline) {
      throw new RegistryLockedError(
        `The model registry is locked by ${describeLockOwner(readLockOwner(path))}: ${path}. Wait for that command to finish and retry. ` +
          `If no such process is running any more, delete ${path}.`,
      );
    }
    sleepSync(Math.min(50, Math.max(1, deadline - Date.now())));
  }
}
