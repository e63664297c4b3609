/**
 * The filter vocabulary, declared once. This TypeBox schema is what Fastify validates query
 * strings and `filters` objects against, what the OpenAPI document shows, what
 * `recommend-batch --filters` is checked with (server/filter-validation.ts), and — through
 * `Static` — the `RecommendationFilters` type the engine compiles. The engine's mask fields, the
 * query-string list fields and the web page's filter groups are all derived from it, so a new
 * filter is one property here plus its meaning in recommend/filters.ts.
 */
import Type, { type Static } from 'typebox';
import { AIRING_STATUSES, ANIME_FORMATS, SEASONS } from '../data/types.js';

const stringList = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    maxItems: 50,
    description: `${description} Repeat the parameter or separate values with commas.`,
  });

/** A season as `year-season`, e.g. `2025-fall`, or `current` (the season the clock is in). */
export const SEASON_FILTER_PATTERN = `^(current|[0-9]{4}-(${SEASONS.join('|')}))$`;

/** What a season filter value must look like, for error messages. */
export const SEASON_FILTER_FORM = `YEAR-SEASON with the season one of ${SEASONS.join(', ')} (e.g. 2025-fall), or current`;

/** Filter fields, valid both in query strings (GET) and in `filters` objects (POST). */
export const filterProperties = {
  genres: Type.Optional(stringList('Only titles with every one of these genres (case-insensitive).')),
  excludeGenres: Type.Optional(stringList('No titles with any of these genres.')),
  themes: Type.Optional(stringList('Only titles with every one of these themes or demographics (Mecha, Isekai, Seinen...).')),
  excludeThemes: Type.Optional(stringList('No titles with any of these themes or demographics.')),
  formats: Type.Optional(Type.Array(Type.Enum([...ANIME_FORMATS]), { maxItems: 20, description: 'Only these formats.' })),
  yearMin: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
  yearMax: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
  episodesMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  episodesMax: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  minScore: Type.Optional(Type.Number({ minimum: 0, maximum: 10, description: 'Minimum MyAnimeList mean score.' })),
  minPopularityRank: Type.Optional(Type.Integer({ minimum: 1, description: 'Hidden gems: skip the N-1 most popular titles (e.g. 500).' })),
  maxPopularityRank: Type.Optional(Type.Integer({ minimum: 1, description: 'Only the N most popular titles.' })),
  status: Type.Optional(Type.Array(Type.Enum([...AIRING_STATUSES]), { maxItems: 3, description: 'Airing status.' })),
  season: Type.Optional(
    Type.String({
      pattern: SEASON_FILTER_PATTERN,
      description:
        'Only titles that premiered in this season: YEAR-SEASON (2025-fall; winter = Jan-Mar, spring = Apr-Jun, summer = Jul-Sep, fall = Oct-Dec), or current (by the server clock). Titles of unknown season are left out. The engine only ever sees a resolved season: `current` is turned into one by resolveSeasonFilter before compiling, so a cached compiled filter never outlives its season.',
    }),
  ),
  excludeListed: Type.Optional(Type.Boolean({ description: "Leave out titles on the user's list (default true)." })),
  excludePlanned: Type.Optional(
    Type.Boolean({ description: 'Leave out plan-to-watch titles (default true; false lets the plan-to-watch list be ranked).' }),
  ),
  includeAdult: Type.Optional(Type.Boolean({ description: 'Include adult (Rx) titles (default false).' })),
};

/** A `filters` object: unknown fields are errors, so a misspelt filter is never silently ignored. */
export const FiltersSchema = Type.Object(filterProperties, { additionalProperties: false });

/**
 * What a recommendation request may restrict. Every field is optional; an empty object means
 * "anything the user has not listed, no adult titles".
 */
export type RecommendationFilters = Static<typeof FiltersSchema>;

export type FilterField = keyof RecommendationFilters;

/** Every filter field, in the schema's order. */
export const FILTER_FIELDS: readonly FilterField[] = Object.keys(filterProperties) as FilterField[];

export function isFilterField(name: string): name is FilterField {
  return Object.hasOwn(filterProperties, name);
}

/** Fields whose value is a list (a query string carries them repeated or comma-separated). */
export type ListFilterField = {
  [K in FilterField]-?: NonNullable<RecommendationFilters[K]> extends readonly unknown[] ? K : never;
}[FilterField];
export type NumberFilterField = { [K in FilterField]-?: NonNullable<RecommendationFilters[K]> extends number ? K : never }[FilterField];
export type BooleanFilterField = { [K in FilterField]-?: NonNullable<RecommendationFilters[K]> extends boolean ? K : never }[FilterField];

export const LIST_FILTER_FIELDS = FILTER_FIELDS.filter((f) => filterProperties[f].type === 'array') as ListFilterField[];

/**
 * Fields about the request's own list rather than the catalogue: they do not change which
 * catalogue titles a filter admits, so they are not part of the engine's candidate-mask key.
 */
export const LIST_RELATIVE_FILTER_FIELDS = ['excludeListed', 'excludePlanned'] as const satisfies readonly FilterField[];
