/**
 * A small, polite AniList GraphQL client.
 *
 * - POSTs `{ query, variables }` as JSON to the endpoint.
 * - 429: waits `Retry-After` seconds (or until `X-RateLimit-Reset`), then retries.
 * - 5xx, network errors and timeouts: exponential backoff with jitter, up to `maxRetries` retries.
 * - Other 4xx and GraphQL `errors`: thrown at once as {@link AniListError}, never retried.
 *
 * AniList allows 90 requests per minute (temporarily lowered to 30 at times); callers that page
 * through large result sets should expect to see 429s and let this client absorb them.
 */
import { AnirecError, type ErrorCode } from '../../errors/errors.js';
import { setTimeout as delay } from 'node:timers/promises';

export const ANILIST_ENDPOINT = 'https://graphql.anilist.co';

export interface AniListClientOptions {
  endpoint?: string;
  fetch?: typeof globalThis.fetch;
  /** Retries after the first attempt (429, 5xx, network errors, timeouts). Default 5. */
  maxRetries?: number;
  /** First backoff delay for 5xx/network errors; doubles each retry. Default 1000 ms. */
  baseDelayMs?: number;
  /** Upper bound for any single wait, including Retry-After. Default 60000 ms. */
  maxDelayMs?: number;
  /** Per-request timeout. Default 30000 ms. */
  timeoutMs?: number;
  /** Injectable wait (tests pass a fake). Receives the abort signal, if any. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborts the request in flight and any wait between retries. */
  signal?: AbortSignal;
  userAgent?: string;
  /** Injectable randomness for jitter, in [0, 1). Default Math.random. */
  random?: () => number;
}

export type AniListErrorCode =
  | 'not_found'
  | 'private'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'bad_request'
  | 'bad_response'
  | 'graphql';

/** How an AniList failure reads to anirec's callers (the HTTP status an import answers with). */
function anirecCodeOf(reason: AniListErrorCode): ErrorCode {
  switch (reason) {
    case 'not_found':
      return 'not_found';
    case 'private':
      return 'private_list';
    case 'rate_limited':
      return 'upstream_rate_limited';
    case 'aborted':
      return 'cancelled';
    default:
      return 'upstream_error';
  }
}

export class AniListError extends AnirecError {
  override readonly name = 'AniListError';
  /** HTTP status (or the GraphQL error's status), null when no response arrived. */
  readonly status: number | null;
  /** What went wrong with AniList (the error's `code` says what it means to anirec's caller). */
  readonly reason: AniListErrorCode;
  readonly endpoint: string;
  /** Attempts made before giving up (1 = no retries). */
  readonly attempts: number;

  constructor(
    message: string,
    init: { status: number | null; reason: AniListErrorCode; endpoint: string; attempts: number; cause?: unknown },
  ) {
    super(anirecCodeOf(init.reason), message, { cause: init.cause });
    this.status = init.status;
    this.reason = init.reason;
    this.endpoint = init.endpoint;
    this.attempts = init.attempts;
  }
}

interface GraphQLErrorBody {
  message?: string;
  status?: number;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorBody[] | null;
}

/** Thrown inside the retry loop for failures worth another attempt. */
class Retryable extends Error {
  constructor(
    readonly error: AniListError,
    /** Wait requested by the server (Retry-After), in ms; null = use backoff. */
    readonly waitMs: number | null,
  ) {
    super(error.message);
  }
}

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

export class AniListClient {
  readonly endpoint: string;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly signal: AbortSignal | undefined;
  private readonly userAgent: string;
  private readonly random: () => number;

  constructor(options: AniListClientOptions = {}) {
    this.endpoint = options.endpoint ?? ANILIST_ENDPOINT;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') {
      throw new Error('AniListClient: no fetch implementation available; use Node 20+ or pass options.fetch.');
    }
    this.fetchImpl = f;
    this.maxRetries = Math.max(0, options.maxRetries ?? 5);
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 1000);
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 60_000);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 30_000);
    this.sleep = options.sleep ?? defaultSleep;
    this.signal = options.signal;
    this.userAgent = options.userAgent ?? 'anirec (+https://github.com/anirec)';
    this.random = options.random ?? Math.random;
  }

  /**
   * Runs one GraphQL operation and returns its `data`. `signal` (if given) is combined with the
   * client's own signal.
   */
  async query<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    const signals = [this.signal, signal].filter((s): s is AbortSignal => s !== undefined);
    let attempt = 0;
    for (;;) {
      attempt += 1;
      this.throwIfAborted(signals, attempt);
      try {
        return await this.attempt<T>(query, variables, signals, attempt);
      } catch (err) {
        if (!(err instanceof Retryable)) throw err;
        if (attempt > this.maxRetries) {
          const e = err.error;
          throw new AniListError(
            `${e.message} Gave up after ${attempt} attempts (maxRetries=${this.maxRetries}). ` +
              (e.reason === 'rate_limited'
                ? 'AniList allows about 90 requests per minute; wait a minute and run again, or raise maxRetries.'
                : 'AniList may be down (check https://status.anilist.co) or unreachable from here; try again later or raise maxRetries.'),
            { status: e.status, reason: e.reason, endpoint: this.endpoint, attempts: attempt, cause: e },
          );
        }
        const wait = err.waitMs ?? this.backoff(attempt);
        const linked = signals.length > 0 ? linkSignals(signals) : null;
        try {
          await this.sleep(Math.min(wait, this.maxDelayMs), linked?.signal);
        } catch (sleepErr) {
          this.throwIfAborted(signals, attempt);
          throw sleepErr;
        } finally {
          linked?.dispose();
        }
      }
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  private backoff(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + (exp / 2) * this.random());
  }

  private throwIfAborted(signals: AbortSignal[], attempts: number): void {
    if (signals.some((s) => s.aborted)) {
      throw new AniListError(`AniList request to ${this.endpoint} was aborted.`, {
        status: null,
        reason: 'aborted',
        endpoint: this.endpoint,
        attempts,
      });
    }
  }

  private async attempt<T>(
    query: string,
    variables: Record<string, unknown>,
    signals: AbortSignal[],
    attempt: number,
  ): Promise<T> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const linked = linkSignals([...signals, timeout.signal]);
    const where = `AniList (${this.endpoint})`;
    const mk = (message: string, reason: AniListErrorCode, status: number | null, cause?: unknown) =>
      new AniListError(message, { status, reason, endpoint: this.endpoint, attempts: attempt, cause });
    try {
      let res: Response;
      let text: string;
      try {
        res = await this.fetchImpl(this.endpoint, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json',
            'User-Agent': this.userAgent,
          },
          body: JSON.stringify({ query, variables }),
          signal: linked.signal,
        });
        text = await res.text();
      } catch (err) {
        this.throwIfAborted(signals, attempt);
        if (timeout.signal.aborted) {
          throw new Retryable(
            mk(`${where} did not answer within ${this.timeoutMs} ms.`, 'timeout', null, err),
            null,
          );
        }
        const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
        throw new Retryable(
          mk(`Could not reach ${where}: ${reason}. Check your network connection or proxy settings.`, 'network', null, err),
          null,
        );
      }

      if (res.status === 429) {
        throw new Retryable(
          mk(`${where} rate limit hit (HTTP 429).`, 'rate_limited', 429),
          retryAfterMs(res.headers) ?? null,
        );
      }
      if (res.status >= 500) {
        throw new Retryable(mk(`${where} answered HTTP ${res.status} (server error).`, 'server', res.status), null);
      }

      let body: GraphQLResponse<T>;
      try {
        body = JSON.parse(text) as GraphQLResponse<T>;
      } catch (err) {
        const snippet = text.slice(0, 120).replace(/\s+/g, ' ');
        throw mk(
          `${where} answered HTTP ${res.status} with a body that is not JSON ("${snippet}"). ` +
            'Check the endpoint URL; a proxy or firewall may be intercepting the request.',
          res.ok ? 'bad_response' : 'bad_request',
          res.status,
          err,
        );
      }

      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw mk(
          `${where} answered HTTP ${res.status} with JSON that is not a GraphQL response. Check the endpoint URL.`,
          res.ok ? 'bad_response' : 'bad_request',
          res.status,
        );
      }
      const errors = Array.isArray(body.errors) ? body.errors : [];
      if (errors.length > 0) {
        throw describeGraphQLError(errors, res.status, variables, where, mk);
      }
      if (!res.ok) {
        throw mk(
          `${where} answered HTTP ${res.status}. Check the endpoint URL; a proxy or firewall may be blocking the request.`,
          'bad_request',
          res.status,
        );
      }
      if (body.data === undefined || body.data === null) {
        throw mk(`${where} answered without data or errors; the response format may have changed.`, 'bad_response', res.status);
      }
      return body.data;
    } finally {
      clearTimeout(timer);
      linked.dispose();
    }
  }
}

function describeGraphQLError(
  errors: GraphQLErrorBody[],
  httpStatus: number,
  variables: Record<string, unknown>,
  where: string,
  mk: (message: string, reason: AniListErrorCode, status: number | null) => AniListError,
): AniListError | Retryable {
  const first = errors[0]!;
  const status = typeof first.status === 'number' ? first.status : httpStatus;
  const messages = errors.map((e) => e.message ?? 'unknown error').join('; ');
  const userName = typeof variables.userName === 'string' ? variables.userName : null;
  if (/private/i.test(messages)) {
    return mk(
      `AniList user${userName ? ` '${userName}'` : ''} has a private profile or list, so ${where} will not share it. ` +
        'Ask the user to make their anime list public (AniList → Settings → Lists / Account), or export it from AniList instead.',
      'private',
      status,
    );
  }
  if (status === 404 || /not found/i.test(messages)) {
    if (userName) {
      return mk(
        `AniList user '${userName}' not found (${where}: ${messages}). Check the spelling of the user name as shown in the profile URL anilist.co/user/<name>.`,
        'not_found',
        404,
      );
    }
    return mk(`${where}: ${messages} (HTTP ${status}).`, 'not_found', status);
  }
  if (status === 429) {
    return new Retryable(mk(`${where} rate limit hit: ${messages}.`, 'rate_limited', 429), null);
  }
  if (status >= 500) {
    return new Retryable(mk(`${where} server error: ${messages} (HTTP ${status}).`, 'server', status), null);
  }
  return mk(
    `${where} rejected the query: ${messages} (HTTP ${status}). This is a bug in the query or its variables, not something a retry fixes.`,
    status >= 400 ? 'bad_request' : 'graphql',
    status,
  );
}

/** Retry-After (seconds or HTTP date) or X-RateLimit-Reset (unix seconds), as a wait in ms. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ra = headers.get('retry-after');
  if (ra !== null && ra.trim() !== '') {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('x-ratelimit-reset');
  if (reset !== null && reset.trim() !== '') {
    const at = Number(reset);
    if (Number.isFinite(at)) return Math.max(0, at * 1000 - now);
  }
  return undefined;
}

/** An AbortSignal that fires when any of `signals` does (AbortSignal.any is not in all Node 20s). */
function linkSignals(signals: AbortSignal[]): { signal: AbortSignal; dispose: () => void } {
  const ctrl = new AbortController();
  const cleanups: Array<() => void> = [];
  for (const s of signals) {
    if (s.aborted) {
      ctrl.abort(s.reason);
      break;
    }
    const onAbort = () => ctrl.abort(s.reason);
    s.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => s.removeEventListener('abort', onAbort));
  }
  return { signal: ctrl.signal, dispose: () => cleanups.forEach((c) => c()) };
}
