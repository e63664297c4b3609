/**
 * "Continue what you started" on the wire: its item (a kind instead of a model score), its list,
 * and the two routes' query string and body. k and offset only: the list is one card per
 * franchise already, so it has no diversity or franchise mode.
 */
import Type, { type Static } from 'typebox';
import { AnimeSummarySchema } from './anime.js';
import { filterProperties, FiltersSchema } from './filters.js';
import { Nullable } from './json.js';
import { pageProperties } from './paging.js';
import { FranchiseCardSchema, ModelRefSchema, ReasonSchema } from './recommendations.js';
import { ResolvedTitleSchema, TitleInputSchema, titleList } from './titles.js';
import { UserRefSchema } from './users.js';

export const CONTINUE_KINDS = ['new_season', 'next_entry', 'planned'] as const;

export const ContinueItemSchema = Type.Object({
  rank: Type.Integer(),
  score: Type.Null({ description: 'Always null: ordered by your list, not by a model score.' }),
  kind: Type.Enum([...CONTINUE_KINDS], {
    type: 'string',
    description:
      'new_season: airing or upcoming; next_entry: what comes next in a franchise you watched; planned: on your plan-to-watch list and aired.',
  }),
  anime: AnimeSummarySchema,
  reason: Type.String(),
  reasons: Type.Array(ReasonSchema),
  franchise: Type.Optional(FranchiseCardSchema),
});

export type ContinueItem = Static<typeof ContinueItemSchema>;

/** Why a title is in the list. */
export type ContinueKind = ContinueItem['kind'];

export const ContinueListSchema = Type.Object({
  mode: Type.String(),
  user: Type.Optional(UserRefSchema),
  resolved: Type.Optional(Type.Array(ResolvedTitleSchema)),
  items: Type.Array(ContinueItemSchema),
  offset: Type.Integer(),
  nextOffset: Nullable(Type.Integer()),
  model: ModelRefSchema,
  notes: Type.Array(Type.String()),
});

export type ContinueList = Static<typeof ContinueListSchema>;

export const ContinueQuerySchema = Type.Object({ ...pageProperties, ...filterProperties }, { additionalProperties: false });

export const ContinueFromTitlesBodySchema = Type.Object(
  { titles: titleList(TitleInputSchema), ...pageProperties, filters: Type.Optional(FiltersSchema) },
  { additionalProperties: false },
);
