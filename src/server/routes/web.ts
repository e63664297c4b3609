import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { HistoryEntry } from '../../recommend/taste-profile.js';
import { engineOf, type RouteDeps } from '../context.js';
import { notFound } from '../errors.js';
import { AnimeBatchQuerySchema, AnimeBatchSchema, PageConfigSchema } from '../../wire/catalog.js';
import { responses } from '../../wire/errors.js';
import { ProfileFromTitlesBodySchema, ProfileSchema } from '../../wire/profile.js';

/**
 * Small read-only helpers the web page needs and the other routes do not offer: a taste profile
 * for a list that is not stored (people trying the page without an account), synopses for a
 * page of cards in one request (recommendation items carry no synopsis), and the operator's
 * settings the page must follow (whether it may show remote cover art). The page's HTML gets
 * its Content-Security-Policy, which follows the same setting, from web-assets.ts.
 */
export const webRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/page-config',
    {
      config: { access: 'read', metricsMode: 'page-config' },
      schema: {
        tags: ['catalog'],
        summary:
          'Settings the web page follows: remoteImages is false when the operator turned cover art from other hosts off (anirec serve --no-remote-images)',
        response: responses(PageConfigSchema),
      },
    },
    async () => ({ remoteImages: deps.config.remoteImages }),
  );

  api.post(
    '/profile/from-titles',
    {
      config: { access: 'read', metricsMode: 'profile' },
      schema: {
        tags: ['users'],
        summary: 'Taste profile for a list of titles that is not stored (same shape as GET /v1/users/{user}/profile)',
        body: ProfileFromTitlesBodySchema,
        response: responses(ProfileSchema),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const entries: HistoryEntry[] = request.body.titles.map((t, i) => {
        if (engine.catalog.get(t.id) === undefined)
          throw notFound(`body.titles[${i}].id`, `No anime with MAL id ${t.id} in the catalogue; find ids with GET /v1/search?q=…`);
        return { animeId: t.id, score: t.score ?? null, status: t.status ?? (t.score ? 'completed' : null) };
      });
      return engine.profile(entries);
    },
  );

  api.get(
    '/anime',
    {
      config: { access: 'read', metricsMode: 'anime' },
      schema: {
        tags: ['catalog'],
        summary: 'Several titles at once, with synopsis (ids repeated or comma-separated); unknown ids are left out',
        querystring: AnimeBatchQuerySchema,
        response: responses(AnimeBatchSchema),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const ids = request.query.ids
        .flatMap((v) => v.split(','))
        .map(Number)
        .slice(0, 100);
      const items = ids.flatMap((id) => {
        const a = engine.catalog.get(id);
        return a === undefined ? [] : [{ ...engine.catalog.summary(id), titleJapanese: a.titleJapanese, synopsis: a.synopsis }];
      });
      return { items };
    },
  );
};
