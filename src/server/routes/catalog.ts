import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ANIME_FORMATS } from '../../data/types.js';
import type { RecommendationEngine } from '../../recommend/engine.js';
import { engineOf, type RouteDeps } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import {
  AnimeDetailsSchema,
  AnimeIdParamsSchema,
  SearchQuerySchema,
  SearchResultSchema,
  SimilarQuerySchema,
  TagsSchema,
} from '../../wire/catalog.js';
import { responses } from '../../wire/errors.js';
import { RecommendationListSchema } from '../../wire/recommendations.js';
import type { TitleAlternative, TitleMatch } from '../../wire/titles.js';
import { clockOf, optionsFromQuery } from './recommend.js';

function brief(engine: RecommendationEngine, id: number): { id: number; title: string; titleEnglish: string | null } {
  const a = engine.catalog.get(id);
  return { id, title: a?.title ?? `anime ${id}`, titleEnglish: a?.titleEnglish ?? null };
}

/** "More like this", title search/autocomplete, one title's details and the tag vocabulary. */
export const catalogRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/similar',
    {
      // No metricsMode here: the label names the similarity mode the query asked for.
      config: { access: 'read' },
      schema: {
        tags: ['recommend'],
        summary: 'More like this: titles similar to one title, by id or typo-tolerant title (mode 5)',
        querystring: SimilarQuerySchema,
        response: responses(RecommendationListSchema),
      },
    },
    async (request) => {
      const { id, title, mode } = request.query;
      request.metricsMode = `similar:${mode}`;
      const engine = engineOf(deps);
      let animeId: number;
      let match: TitleMatch;
      let alternatives: TitleAlternative[] = [];
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
      const options = optionsFromQuery(request.query, clockOf(deps));
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

  api.get(
    '/search',
    {
      config: { access: 'read', metricsMode: 'search' },
      schema: {
        tags: ['catalog'],
        summary: 'Title search and autocomplete (typo-tolerant, all title languages) (mode 7)',
        querystring: SearchQuerySchema,
        response: responses(SearchResultSchema),
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

  api.get(
    '/anime/:id',
    {
      config: { access: 'read', metricsMode: 'anime' },
      schema: {
        tags: ['catalog'],
        summary: 'One title, with synopsis',
        params: AnimeIdParamsSchema,
        response: responses(AnimeDetailsSchema),
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

  api.get(
    '/tags',
    {
      config: { access: 'read', metricsMode: 'tags' },
      schema: {
        tags: ['catalog'],
        summary: 'Every genre, theme, studio and format the catalogue knows (valid filter values)',
        response: responses(TagsSchema),
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
