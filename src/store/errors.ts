import { AnirecError } from '../errors/errors.js';
/**
 * An import was started while another one is open on the same store. Imports are one
 * all-or-nothing transaction each, so a second one cannot run beside the first; the caller
 * should retry when the first has finished (the API answers 409).
 */
export class ImportInProgressError extends AnirecError {
  constructor() {
    super('import_in_progress', 'Another import is running on this store; try again when it has finished (nothing was imported).');
    this.name = 'ImportInProgressError';
  }
}

/**
 * Another process (a CLI import, a job) held the store's write lock for longer than this process
 * was willing to wait. Nothing was written: the operation can simply be retried.
 */
export class StoreBusyError extends AnirecError {
  constructor(
    readonly location: string,
    readonly waitedMs: number,
  ) {
    super(
      'store_busy',
      `The store ${location} is being written by another process (an import or a scheduled job?) and stayed locked for ${Math.round(waitedMs / 1000)} s; ` +
        'nothing was written. Wait for that process to finish and try again.',
    );
    this.name = 'StoreBusyError';
  }
}

/**
 * A store URL anirec cannot open: an unknown scheme, a malformed location, or a backend that is
 * not available. Raised before anything is opened or written.
 */
export class StoreUrlError extends AnirecError {
  constructor(message: string) {
    super('invalid_config', message);
    this.name = 'StoreUrlError';
  }
}

/**
 * The store was asked to exist already (a read-only command) and there is none at `location`;
 * `hint` says how to create one where that is not obvious (a database without anirec's tables).
 */
export class StoreNotFoundError extends AnirecError {
  constructor(
    readonly location: string,
    hint?: string,
  ) {
    super('not_found', `No store at ${location}.${hint === undefined ? '' : ` ${hint}`}`);
    this.name = 'StoreNotFoundError';
  }
}

/**
 * The database behind a networked store did not answer: refused, dropped or timed out. Nothing
 * is wrong with the request; the same call works once the database is back. The message names no
 * host, since the API passes it to clients; `cause` (for the log) has the driver's error.
 */
export class StoreUnavailableError extends AnirecError {
  constructor(detail: string, cause?: unknown) {
    super('store_unavailable', `The store's database does not answer (${detail}); retry when it is reachable again.`, { cause });
    this.name = 'StoreUnavailableError';
  }
}
