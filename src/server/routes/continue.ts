import type { FastifyPluginAsync } from 'fastify';
import { continueList, type ContinueOptions } from '../../recommend/continue-list.js';
import { resolveSeasonFilter, type RecommendationFilters } from '../../recommend/filters.js';
import { engineOf, findExistingUser, historyOf, userJson, type RouteDeps } from '../context.js';
import { AnimeSummarySchema } from '../../wire/anime.js';
import { filterProperties, FiltersSchema } from '../../wire/filters.js';
import { franchiseCardSchema, pagingProperties, reasonSchema, responses, userParam } from '../schemas.js';
import { clockOf, filtersFromQuery, resolveTitleInputs, titleEntry, type TitleInput } from './recommend.js';

/** The list routes' k and offset (no diversity or franchise mode: the continue list is one card per franchise already). */
const paging = { k: pagingProperties.k, offset: pagingProperties.offset } as const;

const continueListSchema = {
  type: 'object',
  properties: {
    mode: { type: 'string' },
    user: { type: 'object', additionalProperties: true },
    resolved: { type: 'array', items: { type: 'object', additionalProperties: true } },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          rank: { type: 'integer' },
          score: { type: 'null', description: 'Always null: ordered by your list, not by a model score.' },
          kind: {
            type: 'string',
            enum: ['new_season', 'next_entry', 'planned'],
            description:
              'new_season: airing or upcoming; next_entry: what comes next in a franchise you watched; planned: on your plan-to-watch list and aired.',
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
  },
} as const;

type Query = Partial<Record<string, unknown>> & { k: number; offset: number };

/** "Continue what you started" (recommend/continue-list.ts), for a stored user and for a list of titles. */
export const continueRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  app.get<{ Params: { user: string }; Querystring: Query }>(
    '/users/:user/continue',
    {
      config: { access: 'read', metricsMode: 'continue' },
      schema: {
        tags: ['recommend'],
        summary: "Continue what you started: next entries of franchises on the user's list, new seasons, planned titles that have aired",
        params: userParam,
        querystring: { type: 'object', additionalProperties: false, properties: { ...paging, ...filterProperties } },
        response: responses(continueListSchema),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const user = await findExistingUser(deps.store, request.params.user);
      const options: ContinueOptions = {
        k: request.query.k,
        offset: request.query.offset,
        filters: filtersFromQuery(request.query as never, clockOf(deps)),
      };
      return { mode: 'continue', user: userJson(user), ...continueList(engine, await historyOf(deps.store, user), options) };
    },
  );

  app.post<{ Body: { titles: TitleInput[]; k: number; offset: number; filters?: RecommendationFilters } }>(
    '/continue/from-titles',
    {
      config: { access: 'read', metricsMode: 'continue' },
      schema: {
        tags: ['recommend'],
        summary: 'Continue what you started, for a list of titles (ids or typo-tolerant names, with scores and statuses)',
        body: {
          type: 'object',
          required: ['titles'],
          additionalProperties: false,
          properties: { titles: { type: 'array', items: titleEntry, maxItems: 2000 }, ...paging, filters: FiltersSchema },
        },
        response: responses(continueListSchema),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const { entries, resolved } = resolveTitleInputs(engine, request.body.titles);
      const filters = resolveSeasonFilter(request.body.filters ?? {}, clockOf(deps));
      return { mode: 'continue', resolved, ...continueList(engine, entries, { k: request.body.k, offset: request.body.offset, filters }) };
    },
  );
};
