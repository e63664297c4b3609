import { AnirecError } from '../errors/errors.js';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ServerConfig } from './config.js';

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

/**
 * preHandler hooks for the two access levels. Writes and admin actions always need a key
 * unless the operator explicitly allowed anonymous writes (loopback-only setups); other sites'
 * pages are refused before this, whatever the key (browser-guard.ts).
 */
export function authHooks(config: ServerConfig): { read: (request: FastifyRequest) => Promise<void>; write: (request: FastifyRequest) => Promise<void> } {
  const check = (request: FastifyRequest, what: string): void => {
    const key = presentedKey(request);
    if (config.apiKeys.length === 0) {
      if (what === 'read' || config.allowWritesWithoutKey) return;
      throw new AnirecError('forbidden', 'Write and admin routes are disabled: no API key is configured. Start the server with ANIREC_API_KEY=… (or --api-key) and send it in the x-api-key header.', { field: 'headers.x-api-key' });
    }
    if (key === null) throw new AnirecError('unauthorized', `This ${what} route needs an API key: send it in the x-api-key header (or Authorization: Bearer <key>).`, { field: 'headers.x-api-key' });
    if (!matches(key, config.apiKeys)) throw new AnirecError('unauthorized', 'The API key is not valid for this server.', { field: 'headers.x-api-key' });
  };
  return {
    read: async (request) => {
      if (config.requireKeyForReads) check(request, 'read');
    },
    write: async (request) => check(request, 'write'),
  };
}
