/**
 * The API's filter validation outside an HTTP request (`anirec recommend-batch --filters`): the
 * same schema (wire/filters.ts FiltersSchema) through Ajv with the options the server gives
 * Fastify, and the same messages (errors.ts), so a filter object the API refuses is refused here
 * with the same words, and one it accepts means the same thing.
 */
import { AnirecError } from '../errors/errors.js';
import { Ajv, type ErrorObject } from 'ajv';
import { ajvField, ajvMessage } from './errors.js';
import { FILTER_FIELDS, FiltersSchema, type RecommendationFilters } from '../wire/filters.js';

/** The Ajv options buildServer passes to Fastify (app.ts); with them the same input validates the same way. */
const ajv = new Ajv({ removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false });
const validate = ajv.compile(FiltersSchema);

/** A filter object that does not pass the API's schema: `field` is where (`filters.gernes`). */
export class FilterValidationError extends AnirecError {
  declare readonly field: string;

  constructor(field: string, message: string) {
    super('bad_request', message, { field });
    this.name = 'FilterValidationError';
  }
}

/**
 * Checks a parsed JSON value against the API's filter schema and returns it as filters (Ajv may
 * coerce, as the API does: `"genres": "Action"` becomes `["Action"]`). Names of genres and themes
 * are checked later, against a catalogue, by compileFilters.
 */
export function validateFilters(value: unknown, context = 'filters'): RecommendationFilters {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FilterValidationError(
      context,
      `${context} must be a JSON object of filter fields, e.g. {"yearMin": 2017, "genres": ["Comedy"]}; the fields are ${FILTER_FIELDS.join(', ')}.`,
    );
  }
  // Ajv coerces in place; the caller's object stays as it was.
  const copy = structuredClone(value) as Record<string, unknown>;
  if (validate(copy)) return copy as RecommendationFilters;
  const first = (validate.errors ?? [])[0] as ErrorObject;
  const field = ajvField(first, context);
  throw new FilterValidationError(field, ajvMessage(first, field, FILTER_FIELDS));
}
