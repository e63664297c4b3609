import type { Command } from 'commander';
import { buildServer } from '../../server/app.js';
import { DEFAULT_SERVER_CONFIG } from '../../server/config.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { parsePositiveInt } from '../options.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

interface ServeFlags {
  port: number;
  host: string;
  db?: string;
  model?: string;
  apiKey?: string;
  requireKeyForReads?: boolean;
  rateLimit: number;
  bodyLimit: number;
  cors?: string;
  anilistEndpoint?: string;
  log?: boolean;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('Serve the HTTP API (OpenAPI docs at /docs); follows models/CURRENT and swaps in newly promoted models without a restart')
    .option('--port <n>', 'port to listen on', parsePositiveInt('--port'), 8080)
    .option('--host <address>', 'address to bind (0.0.0.0 to accept remote clients)', '127.0.0.1')
    .option('--db <path>', 'store file (default: $ANIREC_HOME/anirec.db)')
    .option('--model <dir>', 'serve this model directory instead of following models/CURRENT')
    .option('--api-key <key>', 'API key for write/admin routes (default: $ANIREC_API_KEY; comma-separate several)')
    .option('--require-key-for-reads', 'read routes need the API key too')
    .option('--rate-limit <n>', 'requests per minute per client IP (0 = off)', (v) => Number(v), DEFAULT_SERVER_CONFIG.rateLimitPerMinute)
    .option('--body-limit <bytes>', 'maximum request body in bytes', parsePositiveInt('--body-limit'), DEFAULT_SERVER_CONFIG.bodyLimit)
    .option('--cors <origins>', 'comma-separated allowed CORS origins ("*" = any)', '*')
    .option('--anilist-endpoint <url>', 'AniList GraphQL endpoint for list imports', DEFAULT_SERVER_CONFIG.anilistEndpoint)
    .option('--log', 'log every request (JSON lines on stdout)')
    .action(async (flags: ServeFlags) => serveUntilStopped(ctx, flags));
}

/** Serves the API until SIGINT/SIGTERM; also used by `anirec quickstart`. */
export async function serveUntilStopped(ctx: CliContext, given: Partial<ServeFlags> & { port: number; host: string }): Promise<void> {
  const flags: ServeFlags = { rateLimit: DEFAULT_SERVER_CONFIG.rateLimitPerMinute, bodyLimit: DEFAULT_SERVER_CONFIG.bodyLimit, ...given };
  if (!Number.isInteger(flags.rateLimit) || flags.rateLimit < 0) throw new CliError(`--rate-limit must be a whole number ≥ 0 (got ${flags.rateLimit})`);
  const apiKeys = (flags.apiKey ?? process.env.ANIREC_API_KEY ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');
  const loopback = LOOPBACK.has(flags.host);
  if (apiKeys.length === 0 && !loopback) {
    ctx.err(`anirec serve: no API key set and listening on ${flags.host}: write and admin routes are disabled. Set ANIREC_API_KEY (or --api-key) to enable them.`);
  }
  const store = await ctx.openStore(flags.db);
  const { app, holder } = await buildServer({
    store,
    ...(flags.model ? { modelDir: flags.model } : { modelsDir: ctx.paths.models }),
    config: {
      apiKeys,
      requireKeyForReads: flags.requireKeyForReads === true,
      // Local-only setups work without a key; anything reachable from the network needs one.
      allowWritesWithoutKey: loopback,
      rateLimitPerMinute: flags.rateLimit,
      bodyLimit: flags.bodyLimit,
      corsOrigins: (flags.cors ?? '*').split(',').map((o) => o.trim()).filter((o) => o !== ''),
      anilistEndpoint: flags.anilistEndpoint ?? DEFAULT_SERVER_CONFIG.anilistEndpoint,
      logger: flags.log === true,
    },
  });
  if (holder.current === null) ctx.err(`anirec serve: no model loaded yet (${holder.lastError}); /health/ready answers 503 until one is trained.`);
  try {
    await app.listen({ port: flags.port, host: flags.host });
  } catch (error) {
    await store.close();
    throw new CliError(`cannot listen on ${flags.host}:${flags.port}: ${(error as Error).message}. Pick another --port or stop whatever uses it.`);
  }
  const model = holder.current ? `${holder.current.engine.modelInfo.kind} model ${holder.current.version}` : 'no model';
  ctx.out(`anirec API on http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${flags.port} (${model}); docs at /docs. Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void app.close().then(() => store.close()).then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
