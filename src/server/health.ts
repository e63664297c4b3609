import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './context.js';

/**
 * Liveness says the process answers; readiness says it can serve recommendations (a model is
 * loaded and the store answers). Load balancers route on readiness, orchestrators restart on
 * liveness, so a missing model makes the server unready, never dead.
 */
export function registerHealth(app: FastifyInstance, deps: RouteDeps): void {
  // Probes are never rate-limited (a health check failing under load would take a healthy
  // replica out) and never need a key; so they say only ready or not and why, with no paths,
  // versions or error texts (those are in the log and /metrics).
  const probe = { rateLimit: false } as const;
  app.get('/health/live', { config: probe, schema: { tags: ['operations'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/health/ready', { config: probe, schema: { tags: ['operations'], summary: 'Readiness: a model is loaded and the store answers' } }, async (_request, reply) => {
    let storeOk = true;
    try {
      await deps.store.getMeta('schema_version');
    } catch {
      storeOk = false;
    }
    const reason = !storeOk ? 'the store does not answer' : deps.holder.current === null ? 'no model is loaded yet' : null;
    reply.status(reason === null ? 200 : 503);
    return reason === null ? { status: 'ready' } : { status: 'not_ready', reason };
  });
}
