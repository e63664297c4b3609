import { randomInt } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { RankingTrace, RecommendationEngine, RecommendOptions } from '../../recommend/engine.js';
import { resolveSeasonFilter, type RecommendationFilters } from '../../recommend/filters.js';
import { isSeasonal, seasonalRecommend, type SeasonalList } from '../../recommend/seasonal.js';
import type { HistoryEntry } from '../../recommend/taste-profile.js';
import type { UserRanking } from '../../store/index.js';
import { engineOf, findExistingUser, historyOf, userJson, type RouteDeps } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { responses } from '../../wire/errors.js';
import { FILTER_FIELDS, LIST_FILTER_FIELDS } from '../../wire/filters.js';
import {
  FromPreferencesBodySchema,
  FromTitlesBodySchema,
  RecommendationListSchema,
  RecommendQuerySchema,
  StarterQuerySchema,
  type RecommendQuery,
} from '../../wire/recommendations.js';
import { UserParamsSchema } from '../../wire/users.js';
import type { ResolvedTitle, TitleInput } from '../../wire/titles.js';

/** The request's clock: what `season=current` means. */
export function clockOf(deps: RouteDeps): Date {
  return deps.now?.() ?? new Date();
}

/** Query-string filters, with `season=current` resolved by `now`. */
export function filtersFromQuery(query: RecommendationFilters, now: Date): RecommendationFilters {
  const filters: Record<string, unknown> = {};
  for (const key of FILTER_FIELDS) {
    const value: unknown = query[key];
    if (value === undefined) continue;
    // Query strings carry lists as repeated parameters or comma-separated values; both end up as arrays.
    filters[key] = (LIST_FILTER_FIELDS as readonly string[]).includes(key)
      ? (value as string[])
          .flatMap((v) => v.split(','))
          .map((v) => v.trim())
          .filter((v) => v !== '')
      : value;
  }
  return resolveSeasonFilter(filters as RecommendationFilters, now);
}

export function optionsFromQuery(query: RecommendQuery, now: Date): RecommendOptions {
  return {
    k: query.k,
    offset: query.offset,
    filters: filtersFromQuery(query, now),
    ...(query.diversity !== undefined ? { diversity: query.diversity } : {}),
    ...(query.franchise !== undefined ? { franchise: query.franchise } : {}),
  };
}

/** A POST body's paging and filters, with `season: current` resolved by `now`. */
function optionsFromBody(body: RecommendOptions, now: Date): RecommendOptions {
  return {
    k: body.k,
    offset: body.offset,
    filters: resolveSeasonFilter(body.filters ?? {}, now),
    diversity: body.diversity,
    ...(body.franchise !== undefined ? { franchise: body.franchise } : {}),
  };
}

/** `season` in the answer: the season a season filter selected (so `current` says which one it was). */
function seasonOf(options: RecommendOptions): { season?: string } {
  return options.filters?.season !== undefined ? { season: options.filters.season } : {};
}

/**
 * Lists from a user's titles: when the filters ask for what is on now (a season, or airing /
 * upcoming titles only), new seasons of series on the list lead (seasonal.ts).
 */
function recommendList(
  engine: RecommendationEngine,
  entries: HistoryEntry[],
  options: RecommendOptions,
  precomputed: UserRanking | null = null,
  trace?: RankingTrace,
): SeasonalList & { season?: string } {
  const list = isSeasonal(options.filters ?? {})
    ? seasonalRecommend(engine, entries, options, 0, precomputed, trace)
    : engine.recommend(entries, options, 0, precomputed, trace);
  return { ...seasonOf(options), ...list };
}

/**
 * A request's titles (MAL ids, or typo-tolerant names) as list entries, with what each name
 * matched; a title that matches nothing is a 404 naming the field and suggesting near matches.
 */
export function resolveTitleInputs(
  engine: RecommendationEngine,
  titles: readonly TitleInput[],
): { entries: HistoryEntry[]; resolved: ResolvedTitle[] } {
  const entries: HistoryEntry[] = [];
  const resolved: ResolvedTitle[] = [];
  titles.forEach((input, i) => {
    const field = `body.titles[${i}]`;
    let animeId: number;
    if (input.id !== undefined) {
      if (engine.catalog.get(input.id) === undefined) {
        const hint = input.title
          ? engine.searchTitles(input.title, 3).map((m) => ({ id: m.animeId, title: engine.catalog.get(m.animeId)!.title }))
          : [];
        throw notFound(
          `${field}.id`,
          `No anime with MAL id ${input.id} in the catalogue. Use GET /v1/search?q=… to find ids, or send the title instead.`,
          hint,
        );
      }
      animeId = input.id;
    } else if (input.title !== undefined) {
      const matches = engine.searchTitles(input.title, 4);
      if (matches.length === 0) {
        const loose = engine.titles
          .search(input.title, { limit: 3, minScore: 0.5 })
          .map((m) => ({ id: m.animeId, title: engine.catalog.get(m.animeId)!.title }));
        throw notFound(`${field}.title`, `No title matches ${JSON.stringify(input.title)}; check the spelling or send the MAL id.`, loose);
      }
      animeId = matches[0]!.animeId;
      resolved.push({
        input: input.title,
        anime: { id: animeId, title: engine.catalog.get(animeId)!.title },
        confidence: Number(matches[0]!.score.toFixed(3)),
        matchedName: matches[0]!.matchedName,
        alternatives: matches
          .slice(1)
          .map((m) => ({ id: m.animeId, title: engine.catalog.get(m.animeId)!.title, confidence: Number(m.score.toFixed(3)) })),
      });
    } else {
      throw badRequest(field, `${field} needs an "id" (MAL id) or a "title".`);
    }
    entries.push({ animeId, score: input.score ?? null, status: input.status ?? (input.score ? 'completed' : null) });
  });
  return { entries, resolved };
}

export const recommendRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/users/:user/recommendations',
    {
      config: { access: 'read', metricsMode: 'known-user' },
      schema: {
        tags: ['recommend'],
        summary: 'Recommendations for a user in the store (mode 1)',
        params: UserParamsSchema,
        querystring: RecommendQuerySchema,
        response: responses(RecommendationListSchema),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const user = await findExistingUser(deps.store, request.params.user);
      const entries = await historyOf(deps.store, user);
      // A ranking `anirec precompute` stored for this model; used only while the list is unchanged.
      const precomputed = await deps.store.getUserRanking(engine.rankingKey, user.userId);
      const trace: RankingTrace = { source: 'scored' };
      const list = recommendList(engine, entries, optionsFromQuery(request.query, clockOf(deps)), precomputed, trace);
      deps.metrics.knownUserRankings.inc({ source: trace.source });
      return { mode: 'known-user', user: userJson(user), ...list };
    },
  );

  api.post(
    '/recommendations/from-titles',
    {
      config: { access: 'read', metricsMode: 'from-titles' },
      schema: {
        tags: ['recommend'],
        summary: 'Recommendations from a list of titles, ids or typo-tolerant names, with optional scores (mode 2)',
        body: FromTitlesBodySchema,
        response: responses(RecommendationListSchema),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const { entries, resolved } = resolveTitleInputs(engine, request.body.titles);
      const list = recommendList(engine, entries, optionsFromBody(request.body, clockOf(deps)));
      return { mode: 'from-titles', resolved, ...list };
    },
  );

  api.post(
    '/recommendations/from-preferences',
    {
      config: { access: 'read', metricsMode: 'from-preferences' },
      schema: {
        tags: ['recommend'],
        summary: 'Recommendations for a new user from liked/disliked genres, themes, studios, formats and era (mode 3)',
        body: FromPreferencesBodySchema,
        response: responses(RecommendationListSchema),
      },
    },
    async (request) => {
      const { k, offset, filters, diversity, franchise, ...prefs } = request.body;
      const options = optionsFromBody({ k, offset, filters, diversity, franchise }, clockOf(deps));
      return { mode: 'from-preferences', ...seasonOf(options), ...engineOf(deps).fromPreferences(prefs, options) };
    },
  );

  api.get(
    '/recommendations/starter',
    {
      config: { access: 'read', metricsMode: 'starter' },
      schema: {
        tags: ['recommend'],
        summary: 'Nothing known: a diverse, seeded set of popular well-scored titles (mode 4)',
        querystring: StarterQuerySchema,
        response: responses(RecommendationListSchema),
      },
    },
    async (request) => {
      const seed = request.query.seed ?? randomInt(0, 2147483647);
      const options = optionsFromQuery(request.query, clockOf(deps));
      return { mode: 'starter', seed, ...seasonOf(options), ...engineOf(deps).starter(options, seed) };
    },
  );
};
