/**
 * Small builders the wire schemas share, for JSON Schema forms TypeBox does not write the way
 * these schemas always have. The request schemas' exact form matters: Ajv's error for
 * `type: ["integer", "null"]` names the field, where an `anyOf` of two schemas would report
 * "must match a schema in anyOf", so the 400s clients see stay the same.
 */
import Type, { type Static, type TSchema, type TUnsafe } from 'typebox';

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

/** `T | null` written as `type: [T's type, "null"]` with T's own keywords (minimum, description…). */
export function Nullable<T extends TSchema & { type: JsonType }>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

/**
 * A property the client may leave out because Ajv fills in its default (Fastify runs it with
 * `useDefaults`): not in the schema's `required` list, so the OpenAPI document shows it optional,
 * yet typed as present, because it always is by the time a handler reads it.
 */
export function Defaulted<T extends TSchema>(schema: T, value: Static<T>): T {
  return Type.Optional(Object.assign(schema, { default: value })) as unknown as T;
}

/** An object answered as it is built, every field passed through (the serialiser lists none). */
export const LooseObject = Type.Object({}, { additionalProperties: true });
