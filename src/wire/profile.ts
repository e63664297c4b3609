/**
 * A taste profile on the wire (recommend/taste-profile.ts computes it), for a stored user or for
 * a list of titles the page holds.
 */
import Type, { type Static } from 'typebox';
import { TitleByIdSchema, titleList } from './titles.js';
import { Nullable } from './json.js';
import { UserRefSchema } from './users.js';

export const FacetShareSchema = Type.Object({
  name: Type.String(),
  share: Type.Number({ description: "Share of the user's (liked-weighted) list with this value." }),
  lift: Type.Number({ description: "share / the average user's share: 2 = twice as much as the average user." }),
  count: Type.Integer(),
});

export type FacetShare = Static<typeof FacetShareSchema>;

const shares = () => Type.Array(FacetShareSchema);

export const TasteProfileSchema = Type.Object({
  listed: Type.Integer(),
  scored: Type.Integer(),
  meanScore: Nullable(Type.Number()),
  averageUserMeanScore: Type.Number(),
  scoreDistribution: Type.Array(Type.Number(), { description: 'Index 0 = score 1 ... index 9 = score 10.' }),
  statuses: Type.Object(
    {},
    { additionalProperties: Type.Number(), description: 'Titles per list status (unknown for entries without one).' },
  ),
  favourites: Type.Object({ genres: shares(), themes: shares(), studios: shares(), sources: shares() }),
  formats: shares(),
  eras: shares(),
  differences: Type.Array(Type.String(), { description: 'Plain sentences on how this user differs from the average user.' }),
});

export type TasteProfile = Static<typeof TasteProfileSchema>;

/** A stored user's profile names the user; a profile of posted titles does not. */
export const ProfileSchema = Type.Object({ user: Type.Optional(UserRefSchema), ...TasteProfileSchema.properties });

export type Profile = Static<typeof ProfileSchema>;

export const ProfileFromTitlesBodySchema = Type.Object({ titles: titleList(TitleByIdSchema) }, { additionalProperties: false });
