import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './context.js';

/**
 * Liveness says the process answers; readiness says it can serve recommendations (a model is
 * loaded and the store answers). Load balancers route on readiness, orchestrators restart on
 * liveness, so a missing model makes the server unready, never dead.
 */
export function registerHealth(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/health/live', { schema: { tags: ['operations'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));

  app.get('/health/ready', { schema: { tags: ['operations'], summary: 'Readiness: a model is loaded and the store answers' } }, async (_request, reply) => {
    const current = deps.holder.current;
    let storeOk = true;
    try {
      await deps.store.getMeta('schema_version');
    } catch {
      storeOk = false;
    }
    const ready = current !== null && storeOk;
    reply.status(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'not_ready',
      store: storeOk ? 'ok' : 'unavailable',
      model: current ? { ...current.engine.modelInfo, dir: current.dir, loadedAt: current.loadedAt.toISOString() } : null,
      ...(deps.holder.lastError ? { lastModelError: deps.holder.lastError } : {}),
    };
  });

  app.post(
    '/v1/admin/reload',
    { preHandler: deps.auth.write, schema: { tags: ['operations'], summary: 'Reload the model now (and refresh the catalogue and user snapshot)' } },
    async () => {
      await deps.holder.refresh(true);
      return { status: 'reloaded', model: deps.holder.current?.engine.modelInfo ?? null };
    },
  );
}
