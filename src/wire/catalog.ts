/**
 * The catalogue on the wire: more like this (its query; its answer is a recommendation list),
 * title search, one title's and several titles' details, the tag vocabulary and the settings the
 * web page follows.
 */
import Type, { type Static } from 'typebox';
import { AnimeSummarySchema } from './anime.js';
import { filterProperties } from './filters.js';
import { Defaulted, Nullable } from './json.js';
import { pagingProperties } from './paging.js';

export const SimilarQuerySchema = Type.Object(
  {
    id: Type.Optional(Type.Integer({ minimum: 1, description: 'MAL id of the title.' })),
    title: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: 'Title text (main, English, Japanese or synonym; typos are fine).' }),
    ),
    mode: Defaulted(
      Type.Enum(['collaborative', 'content', 'hybrid'], {
        type: 'string',
        description: 'collaborative = watched by the same people, content = alike in what it is, hybrid = both.',
      }),
      'hybrid',
    ),
    ...pagingProperties,
    ...filterProperties,
  },
  { additionalProperties: false },
);

export const SearchQuerySchema = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 300 }),
    limit: Defaulted(Type.Integer({ minimum: 1, maximum: 50 }), 10),
    includeAdult: Defaulted(Type.Boolean(), false),
  },
  { additionalProperties: false },
);

export const SearchHitSchema = Type.Object({
  anime: AnimeSummarySchema,
  score: Type.Number({ description: '0..1, 1 = exact (normalised) match.' }),
  matchedName: Type.String({ description: 'The name that matched, as the catalogue spells it.' }),
  matchedField: Type.String({ description: 'title, titleEnglish, titleJapanese or synonym.' }),
});

export type SearchHit = Static<typeof SearchHitSchema>;

export const SearchResultSchema = Type.Object({ query: Type.String(), results: Type.Array(SearchHitSchema) });

export const AnimeIdParamsSchema = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

const nullableString = () => Nullable(Type.String());

/** One title with everything the catalogue knows about it (GET /anime/{id}). */
export const AnimeDetailsSchema = Type.Object({
  ...AnimeSummarySchema.properties,
  titleJapanese: nullableString(),
  synonyms: Type.Array(Type.String()),
  source: nullableString(),
  ageRating: nullableString(),
  synopsis: nullableString(),
});

export type AnimeDetails = Static<typeof AnimeDetailsSchema>;

export const AnimeBatchQuerySchema = Type.Object(
  { ids: Type.Array(Type.String({ pattern: '^[0-9]+(,[0-9]+)*$' }), { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
);

/** Several titles at once (GET /anime?ids=…): the card plus what a details panel adds. */
export const AnimeBatchSchema = Type.Object({
  items: Type.Array(Type.Object({ ...AnimeSummarySchema.properties, titleJapanese: nullableString(), synopsis: nullableString() })),
});

export type AnimeBatchItem = Static<typeof AnimeBatchSchema>['items'][number];

export const TagsSchema = Type.Object({
  genres: Type.Array(Type.String()),
  themes: Type.Array(Type.String()),
  studios: Type.Array(Type.String()),
  formats: Type.Array(Type.String()),
});

export type Tags = Static<typeof TagsSchema>;

export const PageConfigSchema = Type.Object({ remoteImages: Type.Boolean() }, { additionalProperties: false });

export type PageConfig = Static<typeof PageConfigSchema>;
