import type { FastifyPluginAsync } from 'fastify';
import type { RouteDeps } from '../context.js';

/** Operator actions on the model in use; behind the admin access level (a key, same-site only). */
export const adminRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  app.get(
    '/admin/model',
    {
      config: { access: 'admin' },
      schema: { tags: ['operations'], summary: 'The model being served, when it was loaded, and the last failed load (admin)' },
    },
    async () => {
      const current = deps.holder.current;
      return {
        model: current ? { ...current.engine.modelInfo, loadedAt: current.loadedAt.toISOString() } : null,
        lastModelError: deps.holder.lastError,
      };
    },
  );

  app.post(
    '/admin/reload',
    {
      config: { access: 'admin' },
      schema: { tags: ['operations'], summary: 'Reload the model now (and refresh the catalogue and user snapshot)' },
    },
    async () => {
      await deps.holder.refresh(true);
      return { status: 'reloaded', model: deps.holder.current?.engine.modelInfo ?? null };
    },
  );
};
