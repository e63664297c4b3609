import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_ROOT } from '../config.js';

/** Where `npm run build:web` (vite) writes the page; the same path from src/ under tsx and from dist/. */
export const WEB_DIST = join(PACKAGE_ROOT, 'dist', 'web');

/**
 * Paths the single-page app routes on the client. Each gets index.html so a shared or reloaded
 * link works. They are listed explicitly (no catch-all) so an unknown /v1/... URL still gets the
 * API's JSON 404 and the page can never shadow /docs, /openapi.json, /metrics or /health/*.
 */
export const CLIENT_ROUTES = ['/', '/start', '/for-you', '/profile', '/similar/:id', '/health-report'] as const;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>anirec: web page not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The web page is not built yet</h1>
<p>The API is running (see <a href="/docs">/docs</a>), but the page's files are missing from <code>dist/web</code>.</p>
<p>Run <code>npm run build</code> (or <code>npm run build:web</code>) in the anirec folder, then reload.</p>
</body></html>`;

/** Serves the built web page from the API server itself, so `anirec serve` is the only process. */
export async function registerWebAssets(app: FastifyInstance, dir: string = WEB_DIST): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    for (const path of CLIENT_ROUTES) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT));
    }
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // One route per built file, found at start-up: no wildcard that would swallow unknown API URLs.
    wildcard: false,
    index: false,
    // Vite puts a content hash in every file under assets/, so browsers may keep them forever;
    // index.html must be revalidated so a new build is picked up at once.
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.includes(join('web', 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  for (const path of CLIENT_ROUTES) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) => reply.sendFile('index.html'));
  }
}
