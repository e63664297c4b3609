import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { responses } from '../../wire/errors.js';
import { AdminModelSchema, AdminReloadSchema } from '../../wire/operations.js';
import type { RouteDeps } from '../context.js';

/** Operator actions on the model in use; behind the admin access level (a key, same-site only). */
export const adminRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/admin/model',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'The model being served, when it was loaded, and the last failed load (admin)',
        response: responses(AdminModelSchema),
      },
    },
    async () => {
      const current = deps.holder.current;
      return {
        model: current ? { ...current.engine.modelInfo, loadedAt: current.loadedAt.toISOString() } : null,
        lastModelError: deps.holder.lastError,
      };
    },
  );

  api.post(
    '/admin/reload',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Reload the model now (and refresh the catalogue and user snapshot)',
        response: responses(AdminReloadSchema),
      },
    },
    async () => {
      await deps.holder.refresh(true);
      return { status: 'reloaded' as const, model: deps.holder.current?.engine.modelInfo ?? null };
    },
  );
};
