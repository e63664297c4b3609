import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { clusterMetricsReader, isClusterWorker } from './cluster.js';

/** monitorEventLoopDelay's timer interval, ms: its samples are the intervals between ticks. */
const DELAY_RESOLUTION_MS = 10;
/** Each window's length; the reported one covers between one and two of them, ending now. */
const DELAY_WINDOW_MS = 30_000;
const DELAY_QUANTILES = [0.5, 0.9, 0.99, 0.999, 1] as const;

/**
 * Event-loop delay over a rolling window: how long the loop could not react (to a socket, a
 * timer) beyond its timer's interval. This, not request handler time, is what a request waits
 * when something else holds the loop. Two monitors run, each reset every other window, and the
 * older one is reported, so a scrape always covers the last 30 to 60 s whoever scrapes and how
 * often. (prom-client's nodejs_eventloop_lag_p99_seconds etc. reset at every scrape, include
 * the 10 ms timer interval itself, so an idle loop reads 0.01, and nodejs_eventloop_lag_seconds
 * is one setImmediate measured at scrape time and published at the next scrape.)
 */
class EventLoopDelayWindow {
  private readonly monitors: [IntervalHistogram, IntervalHistogram] = [
    monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS }),
    monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS }),
  ];
  private readonly utilizationFrom: [EventLoopUtilization, EventLoopUtilization] = [
    performance.eventLoopUtilization(),
    performance.eventLoopUtilization(),
  ];
  /** The monitor reset least recently: the one reported. */
  private older: 0 | 1 = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    for (const m of this.monitors) m.enable();
    this.timer = setInterval(() => this.rotate(), DELAY_WINDOW_MS);
    this.timer.unref();
  }

  private rotate(): void {
    this.monitors[this.older].reset();
    this.utilizationFrom[this.older] = performance.eventLoopUtilization();
    this.older = this.older === 0 ? 1 : 0;
  }

  /** Delay beyond the timer interval at quantile q (1 = the longest), seconds. */
  quantile(q: number): number {
    const m = this.monitors[this.older];
    if (m.count === 0) return 0;
    const ns = q >= 1 ? m.max : m.percentile(q * 100);
    return Math.max(0, ns / 1e9 - DELAY_RESOLUTION_MS / 1000);
  }

  /** Share of the window the loop was busy (0..1). */
  utilization(): number {
    return performance.eventLoopUtilization(this.utilizationFrom[this.older]).utilization;
  }

  close(): void {
    clearInterval(this.timer);
    for (const m of this.monitors) m.disable();
  }
}

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
  readonly eventLoopDelay: Gauge<'quantile'>;
  readonly eventLoopUtilization: Gauge;
  private readonly delayWindow = new EventLoopDelayWindow();
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
    this.errors = new Counter({
      name: 'anirec_http_errors_total',
      help: 'Error responses by route, status and error code.',
      labelNames: ['route', 'status', 'error'],
      registers: [this.registry],
    });
    // Merged over cluster workers with max, not the default sum: every worker serving version v is still "1".
    this.modelInfo = new Gauge({
      name: 'anirec_model_info',
      help: 'The model being served (value 1).',
      labelNames: ['kind', 'version'],
      aggregator: 'max',
      registers: [this.registry],
    });
    this.modelLoadedAt = new Gauge({
      name: 'anirec_model_loaded_timestamp_seconds',
      help: 'When the model in use was swapped in.',
      aggregator: 'max',
      registers: [this.registry],
    });
    this.modelReloads = new Counter({
      name: 'anirec_model_reloads_total',
      help: 'Model (re)loads by result.',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.knownUserRankings = new Counter({
      name: 'anirec_known_user_rankings_total',
      help: 'Known-user recommendations by where the ranking came from: precomputed (anirec precompute), cached (the same list recently), or scored on request.',
      labelNames: ['source'],
      registers: [this.registry],
    });
    const window = this.delayWindow;
    this.eventLoopDelay = new Gauge({
      name: 'anirec_event_loop_delay_seconds',
      help: 'Event-loop delay beyond the 10 ms timer interval (perf_hooks.monitorEventLoopDelay) over the last 30-60 s, by quantile (1 = the longest): how long a request could wait for the loop. Merged over cluster workers with max.',
      labelNames: ['quantile'],
      aggregator: 'max',
      registers: [this.registry],
      collect() {
        for (const q of DELAY_QUANTILES) this.set({ quantile: String(q) }, window.quantile(q));
      },
    });
    this.eventLoopUtilization = new Gauge({
      name: 'anirec_event_loop_utilization_ratio',
      help: 'Share of the last 30-60 s the event loop was busy (perf_hooks.eventLoopUtilization). Merged over cluster workers with max.',
      aggregator: 'max',
      registers: [this.registry],
      collect() {
        this.set(window.utilization());
      },
    });
    this.collect = isClusterWorker() ? clusterMetricsReader(this.registry) : () => this.registry.metrics();
  }

  /** Stops the event-loop monitors (the server is closing). */
  close(): void {
    this.delayWindow.close();
  }

  setModel(kind: string, version: string): void {
    this.modelInfo.reset();
    this.modelInfo.set({ kind, version }, 1);
    this.modelLoadedAt.set(Date.now() / 1000);
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The recommendation mode a route serves, for the `mode` label ("known-user", "search", ...). */
    metricsMode?: string;
  }
  interface FastifyRequest {
    /**
     * The `mode` label of this request. Set from the route's `config.metricsMode` just before its
     * handler runs; a handler whose mode depends on the request ("similar:content") sets it itself.
     */
    metricsMode: string;
  }
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function registerMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.decorateRequest('metricsMode', '');
  app.addHook('onRoute', (route) => {
    const mode = route.config?.metricsMode;
    if (mode === undefined) return;
    // A route-level preHandler runs after every scope's hooks, right before the handler: a request
    // refused earlier (validation, a key, the browser guard) keeps the label "none", so a mode's
    // latency series holds only requests that mode actually served.
    const setMode = async (request: FastifyRequest): Promise<void> => {
      request.metricsMode = mode;
    };
    route.preHandler = [...asArray(route.preHandler), setMode];
  });
  app.addHook('onClose', async () => metrics.close());
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
