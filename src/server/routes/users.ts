import { AnirecError } from '../../errors/errors.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Store, StoredUser } from '../../store/index.js';
import { engineOf, findExistingUser, historyOf, parseUserSpec, userJson, type RouteDeps } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { responses } from '../../wire/errors.js';
import { ProfileSchema } from '../../wire/profile.js';
import {
  DeletedEntrySchema,
  FeedbackBodySchema,
  FeedbackResultSchema,
  ListItemParamsSchema,
  SimilarUsersQuerySchema,
  SimilarUsersSchema,
  UserListSchema,
  UserParamsSchema,
} from '../../wire/users.js';

/**
 * The user a write goes to. "source:id" is created if missing; a bare id means the one existing
 * user with that id, or a new "local" user when there is none.
 */
async function userForWrite(store: Store, spec: string): Promise<StoredUser> {
  const { source, externalId } = parseUserSpec(spec);
  if (externalId === '') throw badRequest('params.user', 'the user id after "source:" is empty; use e.g. local:alice.');
  if (source !== null) return store.ensureUser(source, externalId);
  const users = await store.findUser(null, externalId);
  if (users.length === 1) return users[0]!;
  if (users.length > 1)
    throw new AnirecError('ambiguous_user', `"${spec}" names ${users.length} users; say which with source:id.`, {
      field: 'params.user',
      suggestions: users.map((u) => `${u.source}:${u.externalId}`),
    });
  return store.ensureUser('local', externalId);
}

/** Similar users, taste profile and feedback (the user's list). */
export const userRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/users/:user/similar-users',
    {
      config: { access: 'read', metricsMode: 'similar-users' },
      schema: {
        tags: ['users'],
        summary: 'Users with the most similar taste (mode 6)',
        params: UserParamsSchema,
        querystring: SimilarUsersQuerySchema,
        response: responses(SimilarUsersSchema),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const user = await findExistingUser(deps.store, request.params.user);
      const similar = engine.similarUsers(await historyOf(deps.store, user), request.query.k, user.userId);
      const users = await Promise.all(
        similar.map(async (s) => {
          const other = await deps.store.getUser(s.userId);
          return {
            user: other ? userJson(other) : { id: String(s.userId) },
            similarity: Number(s.similarity.toFixed(4)),
            sharedTitles: s.sharedTitles,
            sharedFavourites: s.sharedFavourites.map((id) => ({ id, title: engine.catalog.get(id)?.title ?? `anime ${id}` })),
          };
        }),
      );
      return { user: userJson(user), users, model: engine.modelInfo };
    },
  );

  api.get(
    '/users/:user/profile',
    {
      config: { access: 'read', metricsMode: 'profile' },
      schema: {
        tags: ['users'],
        summary:
          'Taste profile: favourite genres/themes/studios/sources, scores, formats, eras, differences from the average user (mode 6)',
        params: UserParamsSchema,
        response: responses(ProfileSchema),
      },
    },
    async (request) => {
      const engine = engineOf(deps);
      const user = await findExistingUser(deps.store, request.params.user);
      return { user: userJson(user), ...engine.profile(await historyOf(deps.store, user)) };
    },
  );

  api.get(
    '/users/:user/list',
    {
      config: { access: 'read', metricsMode: 'list' },
      schema: { tags: ['feedback'], summary: "The user's list as stored", params: UserParamsSchema, response: responses(UserListSchema) },
    },
    async (request) => {
      const user = await findExistingUser(deps.store, request.params.user);
      const engine = deps.holder.current?.engine;
      const rows = await deps.store.userInteractions(user.userId);
      const pending = await deps.store.pendingInteractions(user.userId);
      return {
        user: userJson(user),
        entries: rows.map((r) => ({
          animeId: r.animeId,
          title: engine?.catalog.get(r.animeId)?.title ?? null,
          score: r.score,
          status: r.status,
          updatedAt: r.updatedAt,
        })),
        // Entries for titles the catalogue does not have yet; they join `entries` once it does.
        pending: pending.map((r) => ({ animeId: r.animeId, score: r.score, status: r.status, updatedAt: r.updatedAt })),
      };
    },
  );

  api.put(
    '/users/:user/list/:animeId',
    {
      config: { access: 'write', metricsMode: 'feedback' },
      schema: {
        tags: ['feedback'],
        summary: 'Add or update a rating and/or list status (feedback, mode 8). The next recommendation reflects it.',
        params: ListItemParamsSchema,
        body: FeedbackBodySchema,
        response: { ...responses(FeedbackResultSchema), 201: FeedbackResultSchema },
      },
    },
    async (request, reply) => {
      const { animeId } = request.params;
      const body = request.body ?? {};
      if (body.score === undefined && body.status === undefined)
        throw badRequest('body', 'Send "score" (1–10 or null) and/or "status" (watching, completed, on_hold, dropped, plan_to_watch).');
      const engine = deps.holder.current?.engine;
      if (engine && engine.catalog.get(animeId) === undefined)
        throw notFound('params.animeId', `No anime with MAL id ${animeId} in the catalogue; find ids with GET /v1/search?q=…`);
      const user = await userForWrite(deps.store, request.params.user);
      // One atomic change in the store: two concurrent updates of one entry cannot lose either's field.
      const { created, entry } = await deps.store.updateInteraction(user.userId, animeId, {
        ...(body.score !== undefined ? { score: body.score } : {}),
        ...(body.status !== undefined ? { status: body.status } : {}),
        updatedAt: Date.now(),
      });
      const { score, status } = entry;
      reply.status(created ? 201 : 200);
      return { user: userJson((await deps.store.getUser(user.userId)) ?? user), entry: { animeId, score, status }, created };
    },
  );

  api.delete(
    '/users/:user/list/:animeId',
    {
      config: { access: 'write', metricsMode: 'feedback' },
      schema: {
        tags: ['feedback'],
        summary: "Remove a title from the user's list (mode 8)",
        params: ListItemParamsSchema,
        response: responses(DeletedEntrySchema),
      },
    },
    async (request) => {
      const user = await findExistingUser(deps.store, request.params.user);
      const deleted = await deps.store.deleteInteraction(user.userId, request.params.animeId);
      if (!deleted)
        throw notFound(
          'params.animeId',
          `Anime ${request.params.animeId} is not on ${user.source}:${user.externalId}'s list; GET /v1/users/${request.params.user}/list shows it.`,
        );
      return { user: userJson(user), deleted: request.params.animeId };
    },
  );
};
