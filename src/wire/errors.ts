/**
 * The error body every 4xx and 5xx carries (server/errors.ts builds it from an AnirecError), and
 * the response map a route declares: its success shape plus this one for 4xx.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Nullable } from './json.js';

export const ErrorBodySchema = Type.Object({
  error: Type.String({ description: 'Machine-readable code: bad_request, not_found, unauthorized, ...' }),
  field: Type.Optional(Nullable(Type.String({ description: 'The request field at fault, e.g. querystring.k or body.titles[2].score.' }))),
  message: Type.String(),
  suggestions: Type.Optional(Type.Array(Type.Unknown())),
});

export type ErrorBody = Static<typeof ErrorBodySchema>;

/** Standard responses for a route: its success shape plus the error shape for 4xx. */
export function responses<T extends TSchema>(ok: T): { 200: T; '4xx': typeof ErrorBodySchema } {
  return { 200: ok, '4xx': ErrorBodySchema };
}
