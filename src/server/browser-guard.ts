import { AnirecError } from '../errors/errors.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { changesState } from './auth.js';
import type { ServerConfig } from './config.js';

/**
 * What keeps a web page the user happens to open from using a local anirec server as its own.
 * Browsers add `Origin` to cross-site writes and cannot forge it or `Host`, so:
 * - DNS rebinding (a foreign name resolving to 127.0.0.1) is stopped by the Host check: on a
 *   loopback bind only loopback names are answered;
 * - cross-site writes are stopped by the Origin check on write and admin routes: a foreign
 *   Origin is refused unless the operator listed it (`--cors`), whatever key it presents.
 * Requests without Origin (curl, the CLI, server-to-server) are not a browser's and keep the
 * plain key rules.
 */

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The host name of a Host header or an origin's authority, lower-cased, without the port. */
export function hostName(authority: string): string {
  const value = authority.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(0, end + 1) : value;
  }
  const colon = value.lastIndexOf(':');
  return colon >= 0 ? value.slice(0, colon) : value;
}

/** `name` matches an --allowed-hosts entry: exactly, or as a subdomain of an entry starting with ".". */
function listed(name: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith('.') ? name === e.slice(1) || name.endsWith(e) : name === e;
  });
}

export function hostAllowed(config: Pick<ServerConfig, 'loopbackOnly' | 'allowedHosts'>, host: string | undefined): boolean {
  // HTTP/1.0 clients may send no Host; browsers always do.
  if (host === undefined || host === '') return true;
  const name = hostName(host);
  if (listed(name, config.allowedHosts)) return true;
  if (config.loopbackOnly) return LOOPBACK_NAMES.has(name);
  return config.allowedHosts.length === 0;
}

/** Where a browser says the request comes from: the Origin header, else the Referer's origin. */
function requestOrigin(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== '') return origin;
  const referer = request.headers.referer;
  if (typeof referer !== 'string' || referer === '') return null;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** The origin is the page this server itself served (its authority equals the Host header). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Throws 403 for a write from a browser page of an origin the operator has not allowed. */
export function assertWriteOriginAllowed(config: Pick<ServerConfig, 'corsOrigins'>, request: FastifyRequest): void {
  const origin = requestOrigin(request);
  if (origin === null || sameOrigin(origin, request.headers.host)) return;
  // "*" opens reads to every site; writes need the origin by name.
  if (origin !== 'null' && config.corsOrigins.includes(origin)) return;
  throw new AnirecError(
    'cross_origin_write',
    'Writes and admin actions from another web site are refused. If that site is yours, start the server with --cors <its origin> (e.g. --cors https://anime.example).',
    { field: 'headers.origin' },
  );
}

/**
 * The Host check (DNS-rebinding guard; probes are exempt) and the Origin check on write and
 * admin routes, which it knows by their `config.access` (auth.ts). Both run on request, before
 * the body is parsed, so a refused cross-site form post or upload costs nothing and reaches no
 * parser. Registered on the root, so it covers every route and the 404s.
 */
export function registerBrowserGuard(app: FastifyInstance, config: ServerConfig): void {
  const checkHost = config.loopbackOnly || config.allowedHosts.length > 0;
  app.addHook('onRequest', async (request) => {
    if (checkHost) assertHostAllowed(config, request);
    if (changesState(request.routeOptions.config.access)) assertWriteOriginAllowed(config, request);
  });
}

function assertHostAllowed(config: ServerConfig, request: FastifyRequest): void {
  // Orchestrators probe by pod IP; the probes reveal nothing.
  if (request.url.startsWith('/health/')) return;
  if (hostAllowed(config, request.headers.host)) return;
  throw new AnirecError(
    'host_not_allowed',
    config.loopbackOnly
      ? 'This server listens on loopback and answers only to localhost, 127.0.0.1 or [::1]; open it by one of those names, or start it with --allowed-hosts <name> to serve it under another name.'
      : 'This host name is not served here; the operator lists the names this server answers to with --allowed-hosts.',
    { field: 'headers.host' },
  );
}
