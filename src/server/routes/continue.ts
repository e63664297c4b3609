import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { continueList, type ContinueOptions } from '../../recommend/continue-list.js';
import { resolveSeasonFilter } from '../../recommend/filters.js';
import { engineOf, findExistingUser, historyOf, userJson, type RouteDeps } from '../context.js';
import { ContinueFromTitlesBodySchema, ContinueListSchema, ContinueQuerySchema } from '../../wire/continue.js';
import { responses } from '../../wire/errors.js';
import { UserParamsSchema } from '../../wire/users.js';
import { clockOf, filtersFromQuery, resolveTitleInputs } from './recommend.js';

/** "Continue what you started" (recommend/continue-list.ts), for a stored user and for a list of titles. */
export const continueRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/users/:user/continue',
    {
      config: { access: 'read', metricsMode: 'continue' },
      schema: {
        tags: ['recommend'],
        summary: "Continue what you started: next entries of franchises on the user's list, new seasons, planned titles that have aired",
        params: UserParamsSchema,
        querystring: ContinueQuerySchema,
        response: responses(ContinueListSchema),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const user = await findExistingUser(deps.store, request.params.user);
      const options: ContinueOptions = {
        k: request.query.k,
        offset: request.query.offset,
        filters: filtersFromQuery(request.query, clockOf(deps)),
      };
      return { mode: 'continue', user: userJson(user), ...continueList(engine, await historyOf(deps.store, user), options) };
    },
  );

  api.post(
    '/continue/from-titles',
    {
      config: { access: 'read', metricsMode: 'continue' },
      schema: {
        tags: ['recommend'],
        summary: 'Continue what you started, for a list of titles (ids or typo-tolerant names, with scores and statuses)',
        body: ContinueFromTitlesBodySchema,
        response: responses(ContinueListSchema),
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
