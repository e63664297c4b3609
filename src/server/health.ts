import type { FastifyInstance } from 'fastify';
import { LivenessSchema, ReadinessSchema, type Readiness } from '../wire/operations.js';
import type { RouteDeps } from './context.js';

/**
 * How long readiness waits for the store. A database that hangs (a partition, not a refusal) must
 * still make the probe answer not-ready well within a load balancer's probe timeout.
 */
const STORE_PING_TIMEOUT_MS = 2_000;

/** Whether the store answers a trivial query in time; no error text leaves this function. */
async function storeReachable(deps: RouteDeps): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STORE_PING_TIMEOUT_MS)));
  try {
    return await Promise.race([deps.store.ping().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness says the process answers; readiness says it can serve recommendations (a model is
 * loaded and the store answers). Load balancers route on readiness, orchestrators restart on
 * liveness, so a missing model or a lost database makes the server unready, never dead, and it
 * turns ready again by itself: each probe asks the store afresh, and the pool reconnects.
 */
export function registerHealth(app: FastifyInstance, deps: RouteDeps): void {
  // Probes are never rate-limited (a health check failing under load would take a healthy
  // replica out) and never need a key; so they say only what state the replica is in (store
  // kind and reachability, model version) and why it is not ready, with no paths, URLs or error
  // texts (those are in the log and /metrics).
  const probe = { rateLimit: false } as const;
  app.get(
    '/health/live',
    { config: probe, schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: LivenessSchema } } },
    async () => ({
      status: 'ok' as const,
    }),
  );

  app.get(
    '/health/ready',
    {
      config: probe,
      schema: {
        tags: ['operations'],
        summary: 'Readiness: a model is loaded and the store answers',
        response: { 200: ReadinessSchema, 503: ReadinessSchema },
      },
    },
    async (_request, reply): Promise<Readiness> => {
      const reachable = await storeReachable(deps);
      const current = deps.holder.current;
      const reason = !reachable ? 'the store does not answer' : current === null ? 'no model is loaded yet' : null;
      reply.status(reason === null ? 200 : 503);
      const body: Readiness = {
        status: reason === null ? 'ready' : 'not_ready',
        store: { kind: deps.store.kind, reachable },
        model: current === null ? null : { version: current.version },
      };
      if (reason !== null) body.reason = reason;
      return body;
    },
  );
}
