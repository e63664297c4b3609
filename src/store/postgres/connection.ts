import pg from 'pg';
import { StoreUnavailableError, StoreUrlError } from '../errors.js';

/** Connections per process when the URL does not say (`?pool_max=N`): a few concurrent requests plus an import. */
export const DEFAULT_POOL_MAX = 10;
/** How long a query waits for a connection before the store counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

const INT8_OID = 20;

/**
 * Counts and epoch-millisecond columns are bigint, which node-postgres hands back as strings so as
 * not to lose precision past 2^53; every bigint anirec stores fits a double. Set per pool, not on
 * pg's global type table, so other users of `pg` in the process keep its default.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PoolSettings {
  /** The URL handed to the driver, without anirec's own parameters. */
  connectionString: string;
  max: number;
}

/** Reads anirec's own `pool_max` parameter off the URL and leaves the rest to the driver. */
export function poolSettings(url: string, location: string): PoolSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreUrlError(`${location} is not a valid PostgreSQL URL; write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE.`);
  }
  let max = DEFAULT_POOL_MAX;
  const given = parsed.searchParams.get('pool_max');
  if (given !== null) {
    max = Number(given);
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      throw new StoreUrlError(
        `pool_max=${given} in ${location} must be a whole number of connections from 1 to 1000 (default ${DEFAULT_POOL_MAX}).`,
      );
    }
    parsed.searchParams.delete('pool_max');
  }
  if (parsed.pathname === '' || parsed.pathname === '/') {
    throw new StoreUrlError(`${location} names no database; add it after the host, as postgres://USER@HOST/DATABASE.`);
  }
  return { connectionString: parsed.toString(), max };
}

export function createPool(settings: PoolSettings, onIdleError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.max,
    types,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'anirec',
  });
  // An idle connection the server drops (a restart, a failover) is reported here; unhandled it
  // would crash the process. The pool has already discarded it and opens a new one on demand.
  pool.on('error', onIdleError);
  return pool;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Why the database did not answer, in words without hosts; null when the error is not about the connection. */
export function connectionProblem(error: unknown): string | null {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (CONNECTION_CODES.has(code)) return 'connection lost';
    // SQLSTATE class 08 (connection exception) and 57P01-57P03 (shutdown, crash, starting up).
    if (code.startsWith('08')) return 'connection lost';
    if (code === '57P01' || code === '57P02') return 'the server shut down';
    if (code === '57P03') return 'the server is starting up';
  }
  const message = error instanceof Error ? error.message : '';
  if (/timeout exceeded when trying to connect/i.test(message)) return 'timed out';
  if (/Connection terminated|connection error|not queryable/i.test(message)) return 'connection lost';
  return null;
}

/** A connection failure as the store's error (503 over HTTP); anything else unchanged. */
export function asStoreError(error: unknown): unknown {
  const problem = connectionProblem(error);
  return problem === null || error instanceof StoreUnavailableError ? error : new StoreUnavailableError(problem, error);
}
