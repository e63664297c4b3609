import type { FastifyPluginAsync } from 'fastify';
import { ANIME_FORMATS } from '../../data/types.js';
import type { SimilarityMode } from '../../recommend/similar-items.js';
import type { RecommendationEngine } from '../../recommend/engine.js';
import { engineOf, type RouteDeps } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { AnimeSummarySchema } from '../../wire/anime.js';
import { filterProperties } from '../../wire/filters.js';
import { pagingProperties, recommendationListSchema, responses } from '../schemas.js';
import { clockOf, optionsFromQuery } from './recommend.js';

const matchSchema = { type: 'object', additionalProperties: true } as const;

function brief(engine: RecommendationEngine, id: number): { id: number; title: string; titleEnglish: string | null } {
  const a = engine.catalog.get(id);
  return { id, title: a?.title ?? `anime ${id}`, titleEnglish: a?.titleEnglish ?? null };
}

/** "More like this", title search/autocomplete, one title's details and the tag vocabulary. */
export const catalogRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  app.get<{ Querystring: { id?: number; title?: string; mode: SimilarityMode; k: number; offset: number } & Record<string, unknown> }>(
    '/similar',
    {
      // No metricsMode here: the label names the similarity mode the query asked for.
      config: { access: 'read' },
      schema: {
        tags: ['recommend'],
        summary: 'More like this: titles similar to one title, by id or typo-tolerant title (mode 5)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            id: { type: 'integer', minimum: 1, description: 'MAL id of the title.' },
            title: {
              type: 'string',
              minLength: 1,
              maxLength: 300,
              description: 'Title text (main, English, Japanese or synonym; typos are fine).',
            },
            mode: {
              type: 'string',
              enum: ['collaborative', 'content', 'hybrid'],
              default: 'hybrid',
              description: 'collaborative = watched by the same people, content = alike in what it is, hybrid = both.',
            },
            ...pagingProperties,
            ...filterProperties,
          },
        },
        response: responses(recommendationListSchema),
      },
    },
    async (request) => {
      const { id, title, mode } = request.query;
      request.metricsMode = `similar:${mode}`;
      const engine = engineOf(deps);
      let animeId: number;
      let match: object;
      let alternatives: object[] = [];
      if (id !== undefined) {
        if (engine.catalog.get(id) === undefined)
          throw notFound(
            'querystring.id',
            `No anime with MAL id ${id} in the catalogue; search by title with ?title=… or GET /v1/search?q=…`,
          );
        animeId = id;
        match = { ...brief(engine, id), confidence: 1, matchedName: engine.catalog.get(id)!.title, matchedField: 'id' };
      } else if (title !== undefined) {
        const matches = engine.searchTitles(title, 6);
        if (matches.length === 0) {
          const loose = engine.titles.search(title, { limit: 5, minScore: 0.5 }).map((m) => brief(engine, m.animeId));
          throw notFound(
            'querystring.title',
            `No title matches ${JSON.stringify(title)}; check the spelling, or pick one of the suggestions.`,
            loose,
          );
        }
        animeId = matches[0]!.animeId;
        match = {
          ...brief(engine, animeId),
          confidence: Number(matches[0]!.score.toFixed(3)),
          matchedName: matches[0]!.matchedName,
          matchedField: matches[0]!.matchedField,
        };
        alternatives = matches
          .slice(1)
          .map((m) => ({ ...brief(engine, m.animeId), confidence: Number(m.score.toFixed(3)), matchedName: m.matchedName }));
      } else {
        throw badRequest('querystring.id', 'Say which title: ?id=<MAL id> or ?title=<text>.');
      }
      if (!engine.knowsAnime(animeId)) {
        throw notFound(
          'querystring.id',
          `${brief(engine, animeId).title} is in the catalogue but not in the model (it was added after training); retrain with \`anirec train\`.`,
          alternatives,
        );
      }
      const options = optionsFromQuery(request.query as never, clockOf(deps));
      const list = engine.similar(animeId, mode, options);
      return {
        mode: `similar:${mode}`,
        match,
        alternatives,
        ...(options.filters?.season !== undefined ? { season: options.filters.season } : {}),
        ...list,
      };
    },
  );

  app.get<{ Querystring: { q: string; limit: number; includeAdult?: boolean } }>(
    '/search',
    {
      config: { access: 'read', metricsMode: 'search' },
      schema: {
        tags: ['catalog'],
        summary: 'Title search and autocomplete (typo-tolerant, all title languages) (mode 7)',
        querystring: {
          type: 'object',
          required: ['q'],
          additionalProperties: false,
          properties: {
            q: { type: 'string', minLength: 1, maxLength: 300 },
            limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
            includeAdult: { type: 'boolean', default: false },
          },
        },
        response: responses({ type: 'object', properties: { query: { type: 'string' }, results: { type: 'array', items: matchSchema } } }),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const results = engine.searchTitles(request.query.q, request.query.limit, request.query.includeAdult).map((m) => ({
        anime: engine.catalog.summary(m.animeId),
        score: Number(m.score.toFixed(3)),
        matchedName: m.matchedName,
        matchedField: m.matchedField,
      }));
      return { query: request.query.q, results };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/anime/:id',
    {
      config: { access: 'read', metricsMode: 'anime' },
      schema: {
        tags: ['catalog'],
        summary: 'One title, with synopsis',
        params: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'integer', minimum: 1 } } },
        response: responses({
          type: 'object',
          properties: {
            ...AnimeSummarySchema.properties,
            titleJapanese: { type: ['string', 'null'] },
            synonyms: { type: 'array', items: { type: 'string' } },
            source: { type: ['string', 'null'] },
            ageRating: { type: ['string', 'null'] },
            synopsis: { type: ['string', 'null'] },
          },
        }),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const a = engine.catalog.get(request.params.id);
      if (a === undefined)
        throw notFound('params.id', `No anime with MAL id ${request.params.id} in the catalogue; find ids with GET /v1/search?q=…`);
      return {
        ...engine.catalog.summary(a.animeId),
        titleJapanese: a.titleJapanese,
        synonyms: a.synonyms,
        source: a.source,
        ageRating: a.ageRating,
        synopsis: a.synopsis,
      };
    },
  );

  app.get(
    '/tags',
    {
      config: { access: 'read', metricsMode: 'tags' },
      schema: {
        tags: ['catalog'],
        summary: 'Every genre, theme, studio and format the catalogue knows (valid filter values)',
        response: responses({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } }),
      },
    },
    async (request) => {
      const { vocabulary } = engineOf(deps).catalog;
      const sorted = (m: Map<string, string>): string[] => [...m.values()].sort((a, b) => a.localeCompare(b));
      return {
        genres: sorted(vocabulary.genres),
        themes: sorted(vocabulary.themes),
        studios: sorted(vocabulary.studios),
        formats: [...ANIME_FORMATS],
      };
    },
  );
};
