import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors.js';

/** Deep enough for every request shape (filters inside a list of titles is three levels). */
const MAX_DEPTH = 8;

/** The path of the first number in `value` that is not finite ("titles[2].score"), or null. */
function firstNonFinite(value: unknown, path: string, depth: number): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstNonFinite(value[i], `${path}[${i}]`, depth + 1);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = firstNonFinite(item, `${path}.${key}`, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Every number a handler sees is finite. Ajv's type coercion turns "Infinity" and "1e400" in a
 * query string into Infinity, which satisfies `type: integer` and a bare `minimum`; JSON bodies
 * can carry 1e400 too. Runs after validation, so it sees the coerced values.
 */
export function registerFiniteInputCheck(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const found =
      firstNonFinite(request.query, 'querystring', 0) ??
      firstNonFinite(request.params, 'params', 0) ??
      (typeof request.body === 'object' ? firstNonFinite(request.body, 'body', 0) : null);
    if (found !== null) throw badRequest(found, `${found} must be a finite number within the documented range (see /docs).`);
  });
}
