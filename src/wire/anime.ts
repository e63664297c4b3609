/**
 * A title as the API sends it, declared once: the response schema Fastify serialises with (and
 * the OpenAPI document shows), and through `Static` the `AnimeSummary` type the catalogue builds
 * and the web page reads. Fastify's serialiser drops any field the schema lacks, so a field added
 * here reaches clients, and one added only to the type would not.
 */
import Type, { type Static } from 'typebox';

const nullableString = Type.Union([Type.String(), Type.Null()]);
const nullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const AnimeSummarySchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  titleEnglish: nullableString,
  format: nullableString,
  episodes: nullableNumber,
  status: nullableString,
  year: nullableNumber,
  season: nullableString,
  genres: Type.Array(Type.String()),
  themes: Type.Array(Type.String()),
  studios: Type.Array(Type.String()),
  malScore: nullableNumber,
  members: nullableNumber,
  popularityRank: Type.Union([Type.Number(), Type.Null()], {
    description: '1 = the title most MAL users have listed; null when the member count is unknown.',
  }),
  adult: Type.Boolean(),
  pictureUrl: nullableString,
});

export type AnimeSummary = Static<typeof AnimeSummarySchema>;
