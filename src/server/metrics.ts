import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { clusterMetricsReader, isClusterWorker } from './cluster.js';

/**
 * Prometheus metrics. Each server gets its own registry (tests build several servers in one
 * process; the global registry would reject the second set of metric names).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly duration: Histogram<'route' | 'method' | 'status' | 'mode'>;
  readonly errors: Counter<'route' | 'status' | 'error'>;
  readonly modelInfo: Gauge<'kind' | 'version'>;
  readonly modelLoadedAt: Gauge;
  readonly modelReloads: Counter<'result'>;
  readonly knownUserRankings: Counter<'source'>;
  /** The text /metrics serves: this registry, or every worker's merged when clustered. */
  readonly collect: () => Promise<string>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'anirec_' });
    this.duration = new Histogram({
      name: 'anirec_http_request_duration_seconds',
      help: 'Request latency by route, method, status and recommendation mode.',
      labelNames: ['route', 'method', 'status', 'mode'],
      // Recommendation targets are in the 1–30 ms range, so the buckets are dense there.
      buckets: [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.errors = new Counter({ name: 'anirec_http_errors_total', help: 'Error responses by route, status and error code.', labelNames: ['route', 'status', 'error'], registers: [this.registry] });
    // Merged over cluster workers with max, not the default sum: every worker serving version v is still "1".
    this.modelInfo = new Gauge({ name: 'anirec_model_info', help: 'The model being served (value 1).', labelNames: ['kind', 'version'], aggregator: 'max', registers: [this.registry] });
    this.modelLoadedAt = new Gauge({ name: 'anirec_model_loaded_timestamp_seconds', help: 'When the model in use was swapped in.', aggregator: 'max', registers: [this.registry] });
    this.modelReloads = new Counter({ name: 'anirec_model_reloads_total', help: 'Model (re)loads by result.', labelNames: ['result'], registers: [this.registry] });
    this.knownUserRankings = new Counter({
      name: 'anirec_known_user_rankings_total',
      help: 'Known-user recommendations by where the ranking came from: precomputed (anirec precompute), cached (the same list recently), or scored on request.',
      labelNames: ['source'],
      registers: [this.registry],
    });
    this.collect = isClusterWorker() ? clusterMetricsReader(this.registry) : () => this.registry.metrics();
  }

  setModel(kind: string, version: string): void {
    this.modelInfo.reset();
    this.modelInfo.set({ kind, version }, 1);
    this.modelLoadedAt.set(Date.now() / 1000);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Recommendation mode for metrics labels, set by the handler ("known-user", "similar:content", ...). */
    metricsMode: string;
  }
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

export function registerMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.decorateRequest('metricsMode', '');
  app.addHook('onResponse', async (request, reply) => {
    metrics.duration.observe(
      { route: routeOf(request), method: request.method, status: String(reply.statusCode), mode: request.metricsMode || 'none' },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.collect();
  });
}

export function countError(metrics: ServerMetrics, request: FastifyRequest, status: number, error: string): void {
  metrics.errors.inc({ route: routeOf(request), status: String(status), error });
}
