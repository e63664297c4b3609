/**
 * Recommendation lists on the wire: an item with its reasons and franchise card, the list every
 * recommending route answers (known user, from titles, from preferences, starter, more like
 * this), and those routes' query strings and bodies. Only fields the engine always sets are
 * required: the serialiser refuses an answer that lacks a required field.
 */
import Type, { type Static } from 'typebox';
import { AnimeSummarySchema } from './anime.js';
import { filterProperties, FiltersSchema } from './filters.js';
import { Nullable } from './json.js';
import { pagingProperties } from './paging.js';
import { ResolvedTitleSchema, TitleAlternativeSchema, TitleInputSchema, TitleMatchSchema, titleList } from './titles.js';
import { UserRefSchema } from './users.js';

export const ReasonSchema = Type.Object({
  kind: Type.String(),
  text: Type.String(),
  animeIds: Type.Optional(Type.Array(Type.Integer())),
  tags: Type.Optional(Type.Array(Type.String())),
});

export type Reason = Static<typeof ReasonSchema>;

export const FranchiseCardSchema = Nullable(
  Type.Object(
    {
      id: Type.Integer({ description: 'The MAL id of its first entry.' }),
      name: Type.String(),
      more: Type.Array(Type.Object({ anime: AnimeSummarySchema, score: Nullable(Type.Number()) }), {
        description: 'Its other entries this list may show (not on your list, passing the filters), in release order.',
      }),
    },
    { description: 'The franchise this card stands for (null for a title alone, and in franchise=all lists): "+N more from <name>".' },
  ),
);

/** Null for a title alone. */
export type FranchiseCard = Static<typeof FranchiseCardSchema>;

export const ModelRefSchema = Type.Object({ kind: Type.String(), version: Type.String() });

export const RecommendedItemSchema = Type.Object({
  rank: Type.Integer(),
  score: Nullable(
    Type.Number({
      description: "The model's score; null for a title it cannot score yet (a new season listed for its series, see season).",
    }),
  ),
  anime: AnimeSummarySchema,
  reason: Type.String(),
  reasons: Type.Array(ReasonSchema),
  // Left out by lists that do not group (more like this).
  franchise: Type.Optional(FranchiseCardSchema),
});

export type RecommendedItem = Static<typeof RecommendedItemSchema>;

export const RecommendationListSchema = Type.Object({
  mode: Type.String(),
  items: Type.Array(RecommendedItemSchema),
  offset: Type.Integer(),
  nextOffset: Nullable(Type.Integer()),
  model: ModelRefSchema,
  notes: Type.Array(Type.String()),
  user: Type.Optional(UserRefSchema),
  seed: Type.Optional(Type.Integer()),
  season: Type.Optional(Type.String({ description: 'The season the season filter selected (current resolved by the server clock).' })),
  modeUsed: Type.Optional(Type.String()),
  match: Type.Optional(TitleMatchSchema),
  alternatives: Type.Optional(Type.Array(TitleAlternativeSchema)),
  resolved: Type.Optional(Type.Array(ResolvedTitleSchema)),
});

export type RecommendationList = Static<typeof RecommendationListSchema>;

export const RecommendQuerySchema = Type.Object({ ...pagingProperties, ...filterProperties }, { additionalProperties: false });

export type RecommendQuery = Static<typeof RecommendQuerySchema>;

export const StarterQuerySchema = Type.Object(
  {
    ...pagingProperties,
    ...filterProperties,
    seed: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2147483647,
        description: 'Same seed → same list (for paging); omitted → a fresh one, returned in the response.',
      }),
    ),
  },
  { additionalProperties: false },
);

const bodyOptions = { ...pagingProperties, filters: Type.Optional(FiltersSchema) };

export const FromTitlesBodySchema = Type.Object({ titles: titleList(TitleInputSchema), ...bodyOptions }, { additionalProperties: false });

const studioList = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 });

export const FromPreferencesBodySchema = Type.Object(
  {
    likedGenres: filterProperties.genres,
    dislikedGenres: filterProperties.genres,
    likedThemes: filterProperties.themes,
    dislikedThemes: filterProperties.themes,
    likedStudios: Type.Optional(studioList),
    formats: filterProperties.formats,
    era: Type.Optional(Type.Object({ from: filterProperties.yearMin, to: filterProperties.yearMax }, { additionalProperties: false })),
    ...bodyOptions,
  },
  { additionalProperties: false },
);
