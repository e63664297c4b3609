import type { Command } from 'commander';
import { isPostgresUrl, openRegistry, type Registry } from '../../registry/index.js';
import { buildServer } from '../../server/app.js';
import { isClusterWorker, parseWorkerCount, runPrimary } from '../../server/cluster.js';
import { DEFAULT_SERVER_CONFIG } from '../../server/config.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { addStoreLocationOptions, parsePositiveInt, storeUrlOf, type StoreLocationFlags } from '../options.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

interface ServeFlags extends StoreLocationFlags {
  port: number;
  host: string;
  model?: string;
  apiKey?: string;
  requireKeyForReads?: boolean;
  rateLimit: number;
  bodyLimit: number;
  cors?: string;
  allowedHosts?: string;
  anilistEndpoint?: string;
  log?: boolean;
  /** False with --no-remote-images; unset (quickstart) means $ANIREC_REMOTE_IMAGES, else on. */
  remoteImages?: boolean;
  /** Unset: $ANIREC_WORKERS, else 1 (read when serving, so a bad value only fails `serve`). */
  workers?: number;
}

function parseWorkers(value: string): number {
  try {
    return parseWorkerCount(value);
  } catch (error) {
    throw new CliError(`--workers: ${(error as Error).message}`);
  }
}

export function registerServe(program: Command, ctx: CliContext): void {
  const command = program
    .command('serve')
    .description(
      'Serve the HTTP API (OpenAPI docs at /docs); follows models/CURRENT (with a PostgreSQL --store: the registry in that database) and swaps in newly promoted models without a restart',
    )
    .option('--port <n>', 'port to listen on', parsePositiveInt('--port'), 8080)
    .option('--host <address>', 'address to bind (0.0.0.0 to accept remote clients)', '127.0.0.1');
  addStoreLocationOptions(command)
    .option('--model <dir>', "serve this model directory instead of following the registry's production version")
    .option('--api-key <key>', 'API key for write/admin routes (default: $ANIREC_API_KEY; comma-separate several)')
    .option('--require-key-for-reads', 'read routes need the API key too')
    .option('--rate-limit <n>', 'requests per minute per client IP (0 = off)', (v) => Number(v), DEFAULT_SERVER_CONFIG.rateLimitPerMinute)
    .option('--body-limit <bytes>', 'maximum request body in bytes', parsePositiveInt('--body-limit'), DEFAULT_SERVER_CONFIG.bodyLimit)
    .option(
      '--cors <origins>',
      'comma-separated origins whose pages may call the API from a browser ("*" = any page may read; writes need the origin by name); default: only the page this server serves',
    )
    .option(
      '--allowed-hosts <names>',
      'comma-separated host names the server answers to (".example.com" includes subdomains); on a loopback bind localhost/127.0.0.1/[::1] always work',
    )
    .option('--anilist-endpoint <url>', 'AniList GraphQL endpoint for list imports', DEFAULT_SERVER_CONFIG.anilistEndpoint)
    .option('--log', 'log every request (JSON lines on stdout)')
    .option(
      '--no-remote-images',
      'the web page shows placeholders instead of cover art and its Content-Security-Policy lets browsers load images from this server only (default: $ANIREC_REMOTE_IMAGES=0 does the same)',
    )
    .option('--workers <n>', 'API processes sharing the port ("auto" = one per CPU core; default $ANIREC_WORKERS or 1)', parseWorkers)
    .action(async (flags: ServeFlags) => serveUntilStopped(ctx, flags));
}

/** Serves the API until SIGINT/SIGTERM; also used by `anirec quickstart`. */
export async function serveUntilStopped(ctx: CliContext, given: Partial<ServeFlags> & { port: number; host: string }): Promise<void> {
  const flags: ServeFlags = { rateLimit: DEFAULT_SERVER_CONFIG.rateLimitPerMinute, bodyLimit: DEFAULT_SERVER_CONFIG.bodyLimit, ...given };
  const workers = flags.workers ?? parseWorkers(ctx.config.serve.workers ?? '1');
  if (!Number.isInteger(flags.rateLimit) || flags.rateLimit < 0)
    throw new CliError(`--rate-limit must be a whole number ≥ 0 (got ${flags.rateLimit})`);
  const apiKeys = (flags.apiKey ?? ctx.config.serve.apiKey ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const loopback = LOOPBACK.has(flags.host);
  const remoteImages = flags.remoteImages !== false && parseRemoteImagesEnv(ctx.config.serve.remoteImages);
  flags.remoteImages = remoteImages;
  if (apiKeys.length === 0 && !loopback && !isClusterWorker()) {
    ctx.err(
      `anirec serve: no API key set and listening on ${flags.host}: write and admin routes are disabled. Set ANIREC_API_KEY (or --api-key) to enable them.`,
    );
  }
  if (workers > 1 && !isClusterWorker()) return servePrimary(ctx, { ...flags, workers }, apiKeys);
  if (!isClusterWorker()) return serveOneProcess(ctx, flags, apiKeys, loopback);
  try {
    await serveOneProcess(ctx, flags, apiKeys, loopback);
  } finally {
    // A worker's IPC channel to the primary keeps it alive after its server closed or failed to
    // start; letting go lets it exit, and the primary sees the exit (and its code).
    process.disconnect();
  }
}

async function serveOneProcess(ctx: CliContext, flags: ServeFlags, apiKeys: string[], loopback: boolean): Promise<void> {
  const storeUrl = storeUrlOf(flags, ctx.paths);
  const store = await ctx.openStore(storeUrl);
  // A PostgreSQL store shares its registry: serve its production version, downloaded into this
  // home's cache, like every other replica on that database.
  let registry: Registry | null = null;
  try {
    if (!flags.model && isPostgresUrl(storeUrl)) registry = await openRegistry(storeUrl, ctx.paths);
  } catch (error) {
    await store.close();
    throw error;
  }
  const close = async (): Promise<void> => {
    await store.close();
    await registry?.close();
  };
  const { app, holder } = await buildServer({
    store,
    ...(flags.model ? { modelDir: flags.model } : registry ? { registry } : { modelsDir: ctx.paths.models }),
    config: {
      apiKeys,
      requireKeyForReads: flags.requireKeyForReads === true,
      // Local-only setups work without a key; anything reachable from the network needs one.
      allowWritesWithoutKey: loopback,
      rateLimitPerMinute: flags.rateLimit,
      bodyLimit: flags.bodyLimit,
      corsOrigins: commaList(flags.cors),
      // A loopback server is only for this machine: a foreign name resolving to it is DNS rebinding.
      loopbackOnly: loopback,
      allowedHosts: commaList(flags.allowedHosts),
      anilistEndpoint: flags.anilistEndpoint ?? DEFAULT_SERVER_CONFIG.anilistEndpoint,
      logger: flags.log === true,
      remoteImages: flags.remoteImages !== false,
    },
  });
  if (holder.current === null)
    ctx.err(`anirec serve: no model loaded yet (${holder.lastError}); /health/ready answers 503 until one is trained.`);
  try {
    await app.listen({ port: flags.port, host: flags.host });
  } catch (error) {
    // Closing the app stops the model poller too, so the process can exit.
    await app.close();
    await close();
    throw new CliError(
      `cannot listen on ${flags.host}:${flags.port}: ${(error as Error).message}. Pick another --port or stop whatever uses it.`,
    );
  }
  const model = holder.current ? `${holder.current.engine.modelInfo.kind} model ${holder.current.version}` : 'no model';
  if (isClusterWorker()) ctx.err(`anirec serve: worker ${process.pid} ready (${model}).`);
  else ctx.out(`anirec API on http://${displayHost(flags.host)}:${flags.port} (${model}); docs at /docs. Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void app.close().then(close).then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** ANIREC_REMOTE_IMAGES: unset or 1/true/on allows cover art from other hosts, 0/false/off does not. */
function parseRemoteImagesEnv(value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '1' || v === 'true' || v === 'on') return true;
  if (v === '0' || v === 'false' || v === 'off') return false;
  throw new CliError(`ANIREC_REMOTE_IMAGES must be 1 or 0 (true/false, on/off); got "${value}"`);
}

function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
}

function displayHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * `--workers N`: this process only forks N single-process servers on the same port (see
 * src/server/cluster.ts). The store is opened once here first, so schema migrations run once
 * before the workers open it concurrently.
 */
async function servePrimary(ctx: CliContext, flags: ServeFlags & { workers: number }, apiKeys: string[]): Promise<void> {
  const storeUrl = storeUrlOf(flags, ctx.paths);
  await (await ctx.openStore(storeUrl)).close();
  // The in-memory rate limiter is per process and the kernel spreads connections over the
  // workers, so each enforces its share of the limit.
  const rateLimit = flags.rateLimit === 0 ? 0 : Math.max(1, Math.ceil(flags.rateLimit / flags.workers));
  const args = [
    'serve',
    '--workers',
    '1',
    '--port',
    String(flags.port),
    '--host',
    flags.host,
    '--rate-limit',
    String(rateLimit),
    '--body-limit',
    String(flags.bodyLimit),
  ];
  if (flags.model) args.push('--model', flags.model);
  if (flags.requireKeyForReads) args.push('--require-key-for-reads');
  if (flags.cors) args.push('--cors', flags.cors);
  if (flags.allowedHosts) args.push('--allowed-hosts', flags.allowedHosts);
  if (flags.anilistEndpoint) args.push('--anilist-endpoint', flags.anilistEndpoint);
  if (flags.log) args.push('--log');
  if (flags.remoteImages === false) args.push('--no-remote-images');
  const primary = runPrimary({
    workers: flags.workers,
    args,
    // Keys and the store URL (which may hold a database password) travel in the environment, not
    // on command lines other users can read with ps.
    env: { ANIREC_STORE: storeUrl, ...(apiKeys.length > 0 ? { ANIREC_API_KEY: apiKeys.join(',') } : {}) },
    log: (line) => ctx.err(line),
    onListening: (port) =>
      ctx.out(
        `anirec API on http://${displayHost(flags.host)}:${port} (${flags.workers} worker processes); docs at /docs. Ctrl-C to stop.`,
      ),
  });
  if ((await primary.stopped) === 'crash-loop') throw new CliError('the API workers kept failing to start (see above)');
}
