import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ModelBundle } from '../models/bundle.js';
import type { Store } from '../store/index.js';
import { authHooks } from './auth.js';
import { registerBrowserGuard } from './browser-guard.js';
import { resolveServerConfig, type ServerConfig } from './config.js';
import type { RouteDeps } from './context.js';
import { registerErrorHandling } from './errors.js';
import { registerFiniteInputCheck } from './finite-input.js';
import { registerHealth } from './health.js';
import { ModelHolder, type ModelSource } from './model-holder.js';
import { countError, registerMetrics, ServerMetrics } from './metrics.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { registerContinueRoutes } from './routes/continue.js';
import { registerImportRoutes } from './routes/import.js';
import { registerMonitoringRoutes } from './routes/monitoring.js';
import { registerRecommendRoutes } from './routes/recommend.js';
import { registerUserRoutes } from './routes/users.js';
import { registerWebRoutes } from './routes/web.js';
import { registerWebAssets } from './web-assets.js';

export interface BuildServerOptions {
  store: Store;
  /** Serve this model directory (no hot swap). */
  modelDir?: string;
  /** Serve whatever MODELS_DIR/CURRENT names, swapping when it changes. */
  modelsDir?: string;
  /** Serve a bundle already in memory (tests, benchmarks). */
  bundle?: ModelBundle;
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
  if (options.bundle) return { kind: 'bundle', bundle: options.bundle, version: `${options.bundle.manifest.kind}-${options.bundle.manifest.createdAt}` };
  if (options.modelDir) return { kind: 'dir', dir: options.modelDir };
  if (options.modelsDir) return { kind: 'current', modelsDir: options.modelsDir };
  throw new Error('buildServer: pass one of bundle, modelDir or modelsDir (the directory holding CURRENT).');
}

/**
 * The HTTP API. One plugin per concern: errors, metrics, auth (preHandler hooks), health, and
 * route groups per mode. Loads the first model before returning (a failure leaves the server
 * up but not ready), so `/health/ready` is meaningful from the first request.
 */
export async function buildServer(options: BuildServerOptions): Promise<AnirecServer> {
  const config = resolveServerConfig(options.config);
  const metrics = new ServerMetrics();
  const app = Fastify({
    logger: config.logger,
    bodyLimit: config.bodyLimit,
    // Unknown fields are errors (see schemas.ts), so Ajv must not silently drop them.
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
  );
  const deps: RouteDeps = { store: options.store, holder, config, metrics, auth: authHooks(config), ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.now ? { now: options.now } : {}) };

  registerErrorHandling(app, (request, status, code) => countError(metrics, request, status, code));
  registerMetrics(app, metrics);
  registerBrowserGuard(app, config, deps.auth.write);
  registerFiniteInputCheck(app);
  // "*" answers reads with a literal "*" (never a reflected origin, never credentials); writes
  // from other origins are refused by the write hook unless listed by name.
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
      info: { title: 'anirec API', version: '1', description: 'Anime recommendations: every mode, filters and a reason for every item. See docs/api.md.' },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerHealth(app, deps);
  registerRecommendRoutes(app, deps);
  registerContinueRoutes(app, deps);
  registerCatalogRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerWebRoutes(app, deps);
  registerMonitoringRoutes(app, deps);
  await registerWebAssets(app);

  await holder.start(config.modelPollMs);
  app.addHook('onClose', async () => holder.stop());
  await app.ready();
  return { app, holder, metrics, config };
}
