import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ModelBundle } from '../models/bundle.js';
import type { Registry } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { registerAccessControl } from './auth.js';
import { registerBrowserGuard } from './browser-guard.js';
import { resolveServerConfig, type ServerConfig } from './config.js';
import type { RouteDeps } from './context.js';
import { registerErrorHandling } from './errors.js';
import { registerFiniteInputCheck } from './finite-input.js';
import { registerHealth } from './health.js';
import { ModelHolder, type ModelSource } from './model-holder.js';
import { countError, registerMetrics, ServerMetrics } from './metrics.js';
import { adminRoutes } from './routes/admin.js';
import { catalogRoutes } from './routes/catalog.js';
import { continueRoutes } from './routes/continue.js';
import { importRoutes, registerXmlBody } from './routes/import.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { recommendRoutes } from './routes/recommend.js';
import { userRoutes } from './routes/users.js';
import { webRoutes } from './routes/web.js';
import { registerPageSecurityPolicy, registerWebAssets } from './web-assets.js';

/** The /v1 route plugins, in the order the OpenAPI document lists them. */
const V1_ROUTES = [adminRoutes, recommendRoutes, continueRoutes, catalogRoutes, userRoutes, importRoutes, webRoutes, monitoringRoutes];

export interface BuildServerOptions {
  store: Store;
  /** Serve this model directory (no hot swap). */
  modelDir?: string;
  /** Serve whatever MODELS_DIR/CURRENT names, swapping when it changes. */
  modelsDir?: string;
  /** Serve a bundle already in memory (tests, benchmarks). */
  bundle?: ModelBundle;
  /**
   * Serve this registry's production version (the shared registry of a PostgreSQL store),
   * downloaded into the registry's local cache, swapping when a promotion is announced. The
   * caller opens and closes the registry.
   */
  registry?: Registry;
  config?: Partial<ServerConfig>;
  /** Injectable fetch for AniList imports. */
  fetch?: typeof globalThis.fetch;
  /** Injectable clock for `season=current` (tests); default the system clock. */
  now?: () => Date;
}

export interface AnirecServer {
  app: FastifyInstance;
  holder: ModelHolder;
  metrics: ServerMetrics;
  config: ServerConfig;
}

function modelSource(options: BuildServerOptions): ModelSource {
  if (options.bundle)
    return { kind: 'bundle', bundle: options.bundle, version: `${options.bundle.manifest.kind}-${options.bundle.manifest.createdAt}` };
  if (options.modelDir) return { kind: 'dir', dir: options.modelDir };
  if (options.registry) return { kind: 'registry', registry: options.registry };
  if (options.modelsDir) return { kind: 'current', modelsDir: options.modelsDir };
  throw new Error('buildServer: pass one of bundle, modelDir, registry or modelsDir (the directory holding CURRENT).');
}

/**
 * The HTTP API. On the root: errors, metrics, the browser guard, CORS, rate limits, the OpenAPI
 * document, health probes and the web page. The API itself is one /v1 scope that owns the
 * access-control hook, with one plugin per route group inside it. Loads the first model before
 * returning (a failure leaves the server up but not ready), so `/health/ready` is meaningful
 * from the first request.
 */
export async function buildServer(options: BuildServerOptions): Promise<AnirecServer> {
  const config = resolveServerConfig(options.config);
  const metrics = new ServerMetrics();
  const app = Fastify({
    logger: config.logger,
    bodyLimit: config.bodyLimit,
    // Unknown fields are errors (the wire schemas say additionalProperties: false), so Ajv must not silently drop them.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    return503OnClosing: true,
  });
  const holder = new ModelHolder(
    options.store,
    modelSource(options),
    (model) => {
      metrics.setModel(model.engine.modelInfo.kind, model.version);
      metrics.modelReloads.inc({ result: 'ok' });
      app.log.info({ model: model.dir }, 'model loaded');
    },
    (message) => {
      metrics.modelReloads.inc({ result: 'failed' });
      app.log.error({ error: message }, 'model load failed; keeping the current model');
    },
    (message) => app.log.warn({ warning: message }, 'model registry'),
  );
  const deps: RouteDeps = {
    store: options.store,
    holder,
    config,
    metrics,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
  };

  registerErrorHandling(app, (request, status, code) => countError(metrics, request, status, code));
  registerMetrics(app, metrics);
  // Root hooks run before every scope's, and onRequest before the body is parsed: the guard
  // refuses a foreign Host or a cross-site write before any parser or key check sees it.
  registerBrowserGuard(app, config);
  registerFiniteInputCheck(app);
  registerXmlBody(app, config.bodyLimit);
  // "*" answers reads with a literal "*" (never a reflected origin, never credentials); writes
  // from other origins are refused by the browser guard unless listed by name.
  await app.register(cors, { origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins, credentials: false });
  if (config.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: '1 minute',
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        error: 'rate_limited',
        field: null,
        message: `Too many requests: the limit is ${context.max} per minute per client; retry after ${context.after}.`,
      }),
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'anirec API',
        version: '1',
        description: 'Anime recommendations: every mode, filters and a reason for every item. See docs/api.md.',
      },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerHealth(app, deps);
  // The scope, not each route, carries the key check: a route added here without an access
  // level stops the server from starting (auth.ts), and the plugins' own routes outside /v1
  // (swagger-ui, static files, CORS preflight) are not affected.
  await app.register(
    async (api) => {
      registerAccessControl(api, config);
      for (const routes of V1_ROUTES) await api.register(routes, deps);
    },
    { prefix: '/v1' },
  );
  registerPageSecurityPolicy(app, config.remoteImages);
  await registerWebAssets(app);

  await holder.start(config.modelPollMs);
  app.addHook('onClose', async () => holder.stop());
  await app.ready();
  return { app, holder, metrics, config };
}
