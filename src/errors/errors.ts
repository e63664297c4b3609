/**
 * anirec's one error model: every error meant for the person or program on the other end (bad
 * input, a busy store, a missing model) is an AnirecError with a code from this table. The HTTP
 * status and the CLI exit code of each code are decided here, once; the server and the CLI look
 * them up and never pick their own. Anything else thrown is a bug: a 500 with the request id, or a
 * non-zero exit with the stack under ANIREC_DEBUG.
 *
 * Every layer may use this module (it imports nothing).
 */
export const ERROR_CODES = {
  bad_request: {
    status: 400,
    exit: 1,
    description: 'A request field, flag or value is malformed; the message names it and says what it must be.',
  },
  ambiguous_user: { status: 400, exit: 1, description: 'A bare user id matches users of several sources; name the source (source:id).' },
  invalid_data: {
    status: 400,
    exit: 1,
    description: 'A data file or upload cannot be read at all (empty, wrong encoding, unknown format).',
  },
  import_aborted: {
    status: 400,
    exit: 1,
    description: 'An import stopped (a --strict violation, or cancelled) and was rolled back; nothing was written.',
  },
  unauthorized: { status: 401, exit: 1, description: 'No API key, or a wrong one.' },
  forbidden: {
    status: 403,
    exit: 1,
    description: 'The request is not allowed from here (a write from another site, a key without the right).',
  },
  cross_origin_write: {
    status: 403,
    exit: 1,
    description: 'A write or admin action from a web page of another site (allow the site with --cors).',
  },
  host_not_allowed: {
    status: 403,
    exit: 1,
    description: 'The Host header names a host this server does not serve (DNS-rebinding guard; see --allowed-hosts).',
  },
  private_list: { status: 403, exit: 1, description: 'The AniList list is private.' },
  not_found: { status: 404, exit: 1, description: 'The user, title, store or route does not exist.' },
  import_in_progress: { status: 409, exit: 1, description: 'Another import is running on this store; retry when it has finished.' },
  // Exit 75 is EX_TEMPFAIL: a CronJob or script may simply try again later.
  job_busy: { status: 409, exit: 75, description: 'The job is already running elsewhere (its lock is held).' },
  registry_error: { status: 409, exit: 1, description: 'The model registry refused the change (unknown version, locked, inconsistent).' },
  payload_too_large: { status: 413, exit: 1, description: 'The body is larger than the server accepts.' },
  unsupported_media_type: { status: 415, exit: 1, description: 'The body is not JSON (or XML for list uploads).' },
  rate_limited: { status: 429, exit: 1, description: 'Too many requests from this client; slow down.' },
  invalid_config: {
    status: 500,
    exit: 1,
    description: 'A setting is wrong (ops.json, a store URL, a flag combination); fix it and start again.',
  },
  upstream_error: { status: 502, exit: 1, description: 'A remote service (AniList) failed.' },
  model_unavailable: { status: 503, exit: 1, description: 'No model is loaded or in production yet; train one.' },
  store_busy: { status: 503, exit: 1, description: 'Another writer holds the store; nothing was written, retry in a few seconds.' },
  // Exit 75 (EX_TEMPFAIL) as for job_busy: the database comes back and the same command works.
  store_unavailable: {
    status: 503,
    exit: 75,
    description: 'The database behind the store does not answer (down, restarting, unreachable); retry when it is back.',
  },
  upstream_rate_limited: { status: 503, exit: 1, description: 'A remote service (AniList) is rate-limiting anirec; retry later.' },
  cancelled: { status: 503, exit: 130, description: 'The operation was cancelled (a signal) and left nothing half-done.' },
  command_failed: { status: 500, exit: 1, description: 'A command could not do what was asked; the message says why and what to do.' },
  internal: { status: 500, exit: 1, description: 'A bug: the server log (or ANIREC_DEBUG=1 on the CLI) has the stack.' },
} as const satisfies Record<string, { status: number; exit: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AnirecErrorOptions {
  /** Where the problem is: a request field (`body.titles[2].score`), a flag, a file. */
  field?: string | null;
  /** Values the caller may have meant (close title or genre names). */
  suggestions?: unknown[];
  cause?: unknown;
}

/** An error whose message is for people: what went wrong, where, and how to fix it. */
export class AnirecError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;
  readonly suggestions: unknown[] | undefined;

  constructor(code: ErrorCode, message: string, options: AnirecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AnirecError';
    this.code = code;
    this.field = options.field ?? null;
    this.suggestions = options.suggestions;
  }
}

/** The HTTP status an error code is answered with. */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** The process exit code a CLI command ends with for an error code. */
export function exitCodeOf(code: ErrorCode): number {
  return ERROR_CODES[code].exit;
}
