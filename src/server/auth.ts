import { AnirecError } from '../errors/errors.js';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerConfig } from './config.js';

/**
 * Who may call a /v1 route, declared once per route as `config: { access }`:
 * - public: anyone, even when reads need a key (no /v1 route is public today);
 * - read: anyone, unless the operator requires a key for reads;
 * - write, admin: a key, unless the operator allowed anonymous writes (loopback-only setups);
 *   browser-guard.ts also refuses them from other sites' pages, whatever the key.
 */
export type Access = 'public' | 'read' | 'write' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every /v1 route; enforced by registerAccessControl's hook. */
    access?: Access;
  }
}

/** Writes and admin actions: what needs a key and a same-site Origin. */
export function changesState(access: Access | undefined): boolean {
  return access === 'write' || access === 'admin';
}

function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return null;
}

/** Constant-time comparison, so response timing does not leak how much of a key was right. */
function matches(key: string, keys: readonly string[]): boolean {
  const given = Buffer.from(key);
  return keys.some((k) => {
    const want = Buffer.from(k);
    return want.length === given.length && timingSafeEqual(want, given);
  });
}

function checkKey(config: ServerConfig, request: FastifyRequest, what: 'read' | 'write'): void {
  const key = presentedKey(request);
  if (config.apiKeys.length === 0) {
    if (what === 'read' || config.allowWritesWithoutKey) return;
    throw new AnirecError(
      'forbidden',
      'Write and admin routes are disabled: no API key is configured. Start the server with ANIREC_API_KEY=… (or --api-key) and send it in the x-api-key header.',
      { field: 'headers.x-api-key' },
    );
  }
  if (key === null)
    throw new AnirecError(
      'unauthorized',
      `This ${what} route needs an API key: send it in the x-api-key header (or Authorization: Bearer <key>).`,
      { field: 'headers.x-api-key' },
    );
  if (!matches(key, config.apiKeys))
    throw new AnirecError('unauthorized', 'The API key is not valid for this server.', { field: 'headers.x-api-key' });
}

/**
 * The key check for every route of `scope` (the /v1 plugin), from the route's `config.access`.
 * A route registered without an access level fails the server's start, so forgetting it can
 * never leave a write route open. A preHandler, like the per-route hooks it replaced: a
 * malformed request is a 400 before it is a 401, and the finite-number check (a root
 * preHandler) still runs first.
 */
export function registerAccessControl(scope: FastifyInstance, config: ServerConfig): void {
  scope.addHook('onRoute', (route) => {
    if (route.config?.access === undefined) {
      throw new Error(
        `Route ${String(route.method)} ${route.url} declares no access level: add config: { access: 'read' | 'write' | 'admin' | 'public' } (see src/server/auth.ts).`,
      );
    }
  });
  scope.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === 'read') {
      if (config.requireKeyForReads) checkKey(config, request, 'read');
    } else if (changesState(access)) {
      // Admin actions keep the write routes' wording: one key protects both.
      checkKey(config, request, 'write');
    }
  });
}
