/**
 * How a list request pages and orders: k, offset, MMR diversity and the franchise mode. The
 * limits are plain numbers too, so the CLI's --k/--offset/--diversity flags check the same ranges.
 */
import Type, { type Static } from 'typebox';
import { Defaulted } from './json.js';

export const PAGING_LIMITS = {
  k: { minimum: 1, maximum: 100, default: 10 },
  offset: { minimum: 0, maximum: 1000, default: 0 },
  diversity: { minimum: 0, maximum: 1 },
} as const;

export const FRANCHISE_MODES = ['group', 'all'] as const;

export const FranchiseModeSchema = Type.Enum([...FRANCHISE_MODES], {
  type: 'string',
  description:
    "group (default): one card per franchise, with its other entries in the card's franchise.more; no later entries of franchises you have not started, nothing from franchises you dropped, and what continues titles on your list is left to /continue (seasonal lists keep new seasons); specials, recaps and music videos rank below full series unless you watch them. all: every title, ranked as the model scores it (what anirec eval scores).",
});

export type FranchiseMode = Static<typeof FranchiseModeSchema>;

/** k and offset: every list route takes them. */
export const pageProperties = {
  k: Defaulted(
    Type.Integer({ minimum: PAGING_LIMITS.k.minimum, maximum: PAGING_LIMITS.k.maximum, description: 'How many items.' }),
    PAGING_LIMITS.k.default,
  ),
  offset: Defaulted(
    Type.Integer({
      minimum: PAGING_LIMITS.offset.minimum,
      maximum: PAGING_LIMITS.offset.maximum,
      description: 'Items to skip (next page = offset + k).',
    }),
    PAGING_LIMITS.offset.default,
  ),
};

/** k and offset, plus how a ranked list is ordered and grouped. */
export const pagingProperties = {
  ...pageProperties,
  diversity: Type.Optional(
    Type.Number({ ...PAGING_LIMITS.diversity, description: 'MMR diversity λ: 0 = pure relevance, 1 = maximally varied.' }),
  ),
  franchise: Type.Optional(FranchiseModeSchema),
};
