/**
 * Titles a request sends instead of a stored list (from-titles routes): by MAL id, or by a name
 * the server resolves typo-tolerantly, with an optional score and status.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Nullable } from './json.js';
import { ListStatusSchema } from './users.js';

const scoreSchema = (description?: string) => Nullable(Type.Integer({ minimum: 1, maximum: 10, ...(description ? { description } : {}) }));

export const TitleInputSchema = Type.Object(
  {
    id: Type.Optional(Type.Integer({ minimum: 1 })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    score: Type.Optional(scoreSchema('Your score 1–10; omit if unscored.')),
    status: Type.Optional(ListStatusSchema),
  },
  { additionalProperties: false, description: 'A title by MAL id, or by name (typos are fine). Give id or title.' },
);

export type TitleInput = Static<typeof TitleInputSchema>;

/** A title by MAL id only (the page's profile of a list it holds). */
export const TitleByIdSchema = Type.Object(
  { id: Type.Integer({ minimum: 1 }), score: Type.Optional(scoreSchema()), status: Type.Optional(ListStatusSchema) },
  { additionalProperties: false },
);

/** The `titles` array of a request body. */
export function titleList<T extends TSchema>(item: T) {
  return Type.Array(item, { maxItems: 2000 });
}

const briefTitle = { id: Type.Integer(), title: Type.String() };

/** What a typed name resolved to (from-titles answers' `resolved`), with the runners-up. */
export const ResolvedTitleSchema = Type.Object({
  input: Type.String({ description: 'The name as sent.' }),
  anime: Type.Object(briefTitle),
  confidence: Type.Number({ description: '1 = an exact name; lower for fuzzier matches.' }),
  matchedName: Type.String({ description: 'The title or synonym the name matched.' }),
  alternatives: Type.Array(Type.Object({ ...briefTitle, confidence: Type.Number() })),
});

export type ResolvedTitle = Static<typeof ResolvedTitleSchema>;

const matchProperties = {
  ...briefTitle,
  titleEnglish: Nullable(Type.String()),
  confidence: Type.Number(),
  matchedName: Type.String(),
};

/** The title "more like this" is about (GET /similar: by id, or the best match of ?title=). */
export const TitleMatchSchema = Type.Object({
  ...matchProperties,
  matchedField: Type.String({ description: 'id, title, titleEnglish, titleJapanese or a synonym.' }),
});

export type TitleMatch = Static<typeof TitleMatchSchema>;

/** The other titles ?title= could have meant. */
export const TitleAlternativeSchema = Type.Object(matchProperties);

export type TitleAlternative = Static<typeof TitleAlternativeSchema>;
