/**
 * An import was started while another one is open on the same store. Imports are one
 * all-or-nothing transaction each, so a second one cannot run beside the first; the caller
 * should retry when the first has finished (the API answers 409).
 */
export class ImportInProgressError extends Error {
  constructor() {
    super('Another import is running on this store; try again when it has finished (nothing was imported).');
    this.name = 'ImportInProgressError';
  }
}

/**
 * Another process (a CLI import, a job) held the store's write lock for longer than this process
 * was willing to wait. Nothing was written: the operation can simply be retried.
 */
export class StoreBusyError extends Error {
  constructor(
    readonly location: string,
    readonly waitedMs: number,
  ) {
    super(
      `The store ${location} is being written by another process (an import or a scheduled job?) and stayed locked for ${Math.round(waitedMs / 1000)} s; ` +
        'nothing was written. Wait for that process to finish and try again.',
    );
    this.name = 'StoreBusyError';
  }
}
