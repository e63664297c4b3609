/**
 * JSON schemas shared by routes. Fastify validates requests against them (so handlers see clean
 * input and bad input becomes a 400 naming the field) and @fastify/swagger turns them into the
 * OpenAPI document. `additionalProperties: false` everywhere: a misspelt parameter ("gernes")
 * is an error the client hears about, not a filter silently ignored.
 */
import { LIST_STATUSES } from '../data/types.js';
import { AnimeSummarySchema } from '../wire/anime.js';

export const pagingProperties = {
  k: { type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'How many items.' },
  offset: { type: 'integer', minimum: 0, maximum: 1000, default: 0, description: 'Items to skip (next page = offset + k).' },
  diversity: { type: 'number', minimum: 0, maximum: 1, description: 'MMR diversity λ: 0 = pure relevance, 1 = maximally varied.' },
  franchise: {
    type: 'string',
    enum: ['group', 'all'],
    description:
      "group (default): one card per franchise, with its other entries in the card's franchise.more; no later entries of franchises you have not started, nothing from franchises you dropped, and what continues titles on your list is left to /continue (seasonal lists keep new seasons); specials, recaps and music videos rank below full series unless you watch them. all: every title, ranked as the model scores it (what anirec eval scores).",
  },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Machine-readable code: bad_request, not_found, unauthorized, ...' },
    field: { type: ['string', 'null'], description: 'The request field at fault, e.g. querystring.k or body.titles[2].score.' },
    message: { type: 'string' },
    suggestions: { type: 'array', items: {} },
  },
} as const;

const nullableString = { type: ['string', 'null'] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;

export const reasonSchema = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    text: { type: 'string' },
    animeIds: { type: 'array', items: { type: 'integer' } },
    tags: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const franchiseCardSchema = {
  type: ['object', 'null'],
  description: 'The franchise this card stands for (null for a title alone, and in franchise=all lists): "+N more from <name>".',
  properties: {
    id: { type: 'integer', description: 'The MAL id of its first entry.' },
    name: { type: 'string' },
    more: {
      type: 'array',
      description: 'Its other entries this list may show (not on your list, passing the filters), in release order.',
      items: { type: 'object', properties: { anime: AnimeSummarySchema, score: { type: ['number', 'null'] } } },
    },
  },
} as const;

export const recommendationListSchema = {
  type: 'object',
  properties: {
    mode: { type: 'string' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          rank: { type: 'integer' },
          score: {
            type: ['number', 'null'],
            description: "The model's score; null for a title it cannot score yet (a new season listed for its series, see season).",
          },
          anime: AnimeSummarySchema,
          reason: { type: 'string' },
          reasons: { type: 'array', items: reasonSchema },
          franchise: franchiseCardSchema,
        },
      },
    },
    offset: { type: 'integer' },
    nextOffset: { type: ['integer', 'null'] },
    model: { type: 'object', properties: { kind: { type: 'string' }, version: { type: 'string' } } },
    notes: { type: 'array', items: { type: 'string' } },
    user: { type: 'object', additionalProperties: true },
    seed: { type: 'integer' },
    season: { type: 'string', description: 'The season the season filter selected (current resolved by the server clock).' },
    modeUsed: { type: 'string' },
    match: { type: 'object', additionalProperties: true },
    alternatives: { type: 'array', items: { type: 'object', additionalProperties: true } },
    resolved: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

export const userParam = {
  type: 'object',
  required: ['user'],
  additionalProperties: false,
  properties: {
    user: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      // No control characters: ids end up in logs, files and other systems' queries.
      pattern: '^[^\\u0000-\\u001f\\u007f]+$',
      description: 'User id in its dataset ("1"), or source:id ("kaggle2016:1", "mal:bebop_fan", "local:alice").',
    },
  },
} as const;

export const listStatusSchema = { type: 'string', enum: [...LIST_STATUSES] } as const;

/** Standard responses for a route: its success shape plus the error shape for 4xx. */
export function responses(ok: object): Record<string, object> {
  return { 200: ok, '4xx': errorSchema };
}
