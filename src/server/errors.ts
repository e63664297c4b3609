import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FilterError } from '../recommend/filters.js';
import { FILTER_FIELDS, filterProperties, SEASON_FILTER_FORM } from '../wire/filters.js';
import { AnirecError, httpStatusOf, type ErrorCode } from '../errors/errors.js';
import { ImportInProgressError, StoreBusyError } from '../store/index.js';

/** The JSON body of every error response. */
export interface ErrorBody {
  /** A code from src/errors/errors.ts, which also fixes the status. */
  error: ErrorCode;
  field: string | null;
  message: string;
  suggestions?: unknown[];
}

export const badRequest = (field: string | null, message: string, suggestions?: unknown[]): AnirecError =>
  new AnirecError('bad_request', message, { field, suggestions });
export const notFound = (field: string | null, message: string, suggestions?: unknown[]): AnirecError =>
  new AnirecError('not_found', message, { field, suggestions });

/** Ajv's "/titles/2/score" → "titles[2].score", prefixed by where it was (body, querystring, params, filters). */
export function ajvField(first: ErrorObject, context: string): string {
  const path = first.instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('');
  const params = first.params as { missingProperty?: string; additionalProperty?: string };
  const leaf = params.missingProperty ?? params.additionalProperty;
  return `${context}${path}${leaf ? `.${leaf}` : ''}`;
}

function fieldOf(error: FastifyError): string | null {
  const first = error.validation?.[0];
  if (first === undefined) return null;
  return ajvField(first as ErrorObject, error.validationContext ?? 'request');
}

const SEASON_HINT = `must be ${SEASON_FILTER_FORM}`;

/** What a value must look like, for fields with a `pattern` (Ajv's own message quotes the regex). */
const PATTERN_HINTS: Record<string, string> = {
  'params.user': 'must not contain control characters; users are named source:id, e.g. local:alice',
  'body.userName': 'must be an AniList user name: letters, digits, _ and -',
  'querystring.season': SEASON_HINT,
  'body.filters.season': SEASON_HINT,
  // recommend-batch --filters (see filter-validation.ts)
  'filters.season': SEASON_HINT,
};

/** The message for one Ajv error at `field`; `knownFields` is listed when the field is unknown. */
export function ajvMessage(first: ErrorObject, field: string, knownFields: readonly string[] = []): string {
  const params = first.params as { allowedValues?: unknown[] };
  if (first.keyword === 'additionalProperties') {
    return knownFields.length > 0
      ? `unknown field ${field}; the known fields here are ${knownFields.join(', ')}.`
      : `unknown field ${field}; check the spelling against the API docs at /docs.`;
  }
  if (first.keyword === 'pattern' && PATTERN_HINTS[field]) return `${field} ${PATTERN_HINTS[field]}.`;
  if (first.keyword === 'enum' && params.allowedValues)
    return `${field} must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}.`;
  return `${field} ${first.message ?? 'is invalid'}.`;
}

function validationMessage(error: FastifyError, field: string | null): string {
  const first = error.validation?.[0];
  if (first === undefined || field === null) return error.message;
  // Inside a POST body's `filters` object the valid names are exactly the filter fields.
  const known: readonly string[] = field.startsWith('body.filters.') ? FILTER_FIELDS : [];
  return ajvMessage(first as ErrorObject, field, known);
}

/** Filter names → where they were in the request: querystring.genres, body.filters.genres, body.likedGenres. */
function filterField(request: FastifyRequest, field: string): string {
  if (request.method === 'GET') return `querystring.${field}`;
  return field in filterProperties || field === 'year' || field === 'episodes' || field === 'popularityRank'
    ? `body.filters.${field}`
    : `body.${field}`;
}

/** Fastify's own 4xx errors (bad JSON, wrong content type, body too large) with a field and a fix. */
function frameworkError(error: FastifyError): ErrorBody {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        error: 'unsupported_media_type',
        field: 'headers.content-type',
        message: `${error.message}. Send JSON (application/json), or XML (application/xml) for MAL list uploads.`,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: 'payload_too_large', field: 'body', message: `${error.message}. The limit is set with --body-limit.` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        error: 'bad_request',
        field: 'body',
        message: 'The body is empty but the content type is application/json; send a JSON object.',
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { error: 'bad_request', field: 'body', message: `The body is not valid JSON: ${error.message}` };
    default:
      return { error: error.statusCode === 429 ? 'rate_limited' : 'bad_request', field: null, message: error.message };
  }
}

/**
 * One place that turns anything thrown into a JSON error. 4xx bodies name the field and the fix;
 * anything unexpected is logged with its stack and answered as a plain 500 with the request id,
 * so internals never reach the client.
 */
export function registerErrorHandling(
  app: FastifyInstance,
  onError: (request: FastifyRequest, status: number, code: string) => void,
): void {
  app.setErrorHandler((error: FastifyError | AnirecError | Error, request: FastifyRequest, reply: FastifyReply) => {
    let status: number;
    let body: ErrorBody;
    if (error instanceof ImportInProgressError) {
      status = 409;
      body = {
        error: 'import_in_progress',
        field: null,
        message: 'Another list import is running on this server; send this one again when it has finished (nothing was imported).',
      };
    } else if (error instanceof StoreBusyError) {
      // The location is a filesystem path: the log has it, the client does not need it.
      request.log.warn({ err: error }, 'store busy');
      status = 503;
      reply.header('retry-after', '5');
      body = {
        error: 'store_busy',
        field: null,
        message: 'The store is locked by another writer (an import or a scheduled job); nothing was written. Retry in a few seconds.',
      };
    } else if (error instanceof FilterError) {
      status = 400;
      body = { error: 'bad_request', field: filterField(request, error.field), message: error.message, suggestions: error.suggestions };
    } else if (error instanceof AnirecError && httpStatusOf(error.code) !== 500) {
      // A 500 code (a wrong setting) is the operator's to fix: it goes to the log, not the client.
      status = httpStatusOf(error.code);
      body = {
        error: error.code,
        field: error.field,
        message: error.message,
        ...(error.suggestions ? { suggestions: error.suggestions } : {}),
      };
    } else if ((error as FastifyError).validation) {
      const field = fieldOf(error as FastifyError);
      status = 400;
      body = { error: 'bad_request', field, message: validationMessage(error as FastifyError, field) };
    } else if (
      typeof (error as FastifyError).statusCode === 'number' &&
      (error as FastifyError).statusCode! >= 400 &&
      (error as FastifyError).statusCode! < 500
    ) {
      status = (error as FastifyError).statusCode!;
      body = frameworkError(error as FastifyError);
    } else {
      request.log.error({ err: error }, 'unhandled error');
      status = 500;
      body = { error: 'internal', field: null, message: `Internal error (request ${request.id}); the server log has the details.` };
    }
    onError(request, status, body.error);
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    onError(request, 404, 'no_route');
    return reply.status(404).send({
      error: 'not_found',
      field: 'url',
      message: `No route ${request.method} ${request.url.split('?')[0]}. The routes are listed at /docs (OpenAPI document at /openapi.json).`,
    } satisfies ErrorBody);
  });
}
