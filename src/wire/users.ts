/**
 * Users on the wire: the `{user}` path parameter, a list status, the user reference lists carry,
 * and the feedback routes' parameters and body. The answers of similar-users, the stored list
 * and feedback stay loose objects (users.ts builds them).
 */
import Type, { type Static } from 'typebox';
import { LIST_STATUSES } from '../data/types.js';
import { Defaulted, Nullable } from './json.js';

export const UserParamsSchema = Type.Object(
  {
    user: Type.String({
      minLength: 1,
      maxLength: 200,
      // No control characters: ids end up in logs, files and other systems' queries.
      pattern: '^[^\\u0000-\\u001f\\u007f]+$',
      description: 'User id in its dataset ("1"), or source:id ("kaggle2016:1", "mal:bebop_fan", "local:alice").',
    }),
  },
  { additionalProperties: false },
);

export const ListStatusSchema = Type.Enum([...LIST_STATUSES], { type: 'string' });

/** A stored user as lists and answers name it (server/context.ts userJson). */
export const UserRefSchema = Type.Object({
  id: Type.String({ description: 'source:id, e.g. mal:bebop_fan.' }),
  source: Type.String(),
  externalId: Type.String(),
  listed: Type.Integer({ description: 'Titles on the list.' }),
});

export type UserRef = Static<typeof UserRefSchema>;

export const ListItemParamsSchema = Type.Object(
  { user: UserParamsSchema.properties.user, animeId: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

/** PUT /users/{user}/list/{animeId}: a score and/or a status; null clears it. */
export const FeedbackBodySchema = Type.Object(
  {
    score: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 10 }))),
    status: Type.Optional(Type.Union([ListStatusSchema, Type.Null()])),
  },
  { additionalProperties: false },
);

export const SimilarUsersQuerySchema = Type.Object(
  { k: Defaulted(Type.Integer({ minimum: 1, maximum: 100 }), 10) },
  { additionalProperties: false },
);

/** A user another list names; only the id when the user is gone from the store. */
const OtherUserSchema = Type.Object({
  id: Type.String(),
  source: Type.Optional(Type.String()),
  externalId: Type.Optional(Type.String()),
  listed: Type.Optional(Type.Integer()),
});

export const SimilarUsersSchema = Type.Object({
  user: UserRefSchema,
  users: Type.Array(
    Type.Object({
      user: OtherUserSchema,
      similarity: Type.Number({ description: 'Cosine similarity of the two lists in the model space, 4 decimals.' }),
      sharedTitles: Type.Integer({ description: 'Titles on both lists.' }),
      sharedFavourites: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String() })),
    }),
  ),
  model: Type.Object({ kind: Type.String(), version: Type.String() }),
});

const entryProperties = {
  animeId: Type.Integer(),
  score: Nullable(Type.Integer({ minimum: 1, maximum: 10 })),
  status: Type.Union([ListStatusSchema, Type.Null()]),
};

const updatedAt = Nullable(
  Type.Integer({ description: 'When the entry last changed, in milliseconds since 1970 (UTC); null if unknown.' }),
);

export const UserListSchema = Type.Object({
  user: UserRefSchema,
  entries: Type.Array(Type.Object({ ...entryProperties, title: Nullable(Type.String()), updatedAt })),
  pending: Type.Array(Type.Object({ ...entryProperties, updatedAt }), {
    description: 'Entries for titles the catalogue does not have yet; they join entries once it does.',
  }),
});

export const FeedbackResultSchema = Type.Object({
  user: UserRefSchema,
  entry: Type.Object(entryProperties),
  created: Type.Boolean({ description: 'True when the title was not on the list before (answered 201).' }),
});

export const DeletedEntrySchema = Type.Object({ user: UserRefSchema, deleted: Type.Integer({ description: 'The MAL id removed.' }) });
