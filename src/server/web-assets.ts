import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_ROOT } from '../data/bundled.js';

/** Where `npm run build:web` (vite) writes the page; the same path from src/ under tsx and from dist/. */
export const WEB_DIST = join(PACKAGE_ROOT, 'dist', 'web');

/**
 * Paths the single-page app routes on the client. Each gets index.html so a shared or reloaded
 * link works. They are listed explicitly (no catch-all) so an unknown /v1/... URL still gets the
 * API's JSON 404 and the page can never shadow /docs, /openapi.json, /metrics or /health/*.
 */
export const CLIENT_ROUTES = ['/', '/start', '/for-you', '/profile', '/similar/:id', '/health-report'] as const;

/**
 * The page's Content-Security-Policy. Everything the page runs, styles and calls is its own
 * (built files and /v1 on this server); images are the exception: cover art lives on the
 * catalogue sources' hosts, so img-src lists http(s) unless the operator turned remote images
 * off, and then only this server and data: URLs (the favicon) are allowed, so a browser showing
 * the page contacts no other host even if a picture URL slipped through.
 */
export function pageContentSecurityPolicy(remoteImages: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data:${remoteImages ? ' https: http:' : ''}`,
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>anirec: web page not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The web page is not built yet</h1>
<p>The API is running (see <a href="/docs">/docs</a>), but the page's files are missing from <code>dist/web</code>.</p>
<p>Run <code>npm run build</code> (or <code>npm run build:web</code>) in the anirec folder, then reload.</p>
</body></html>`;

const NOT_BUILT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** Paths that answer the page's HTML (the client routes), which carry the page's CSP. */
export function isPageRoute(routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && (CLIENT_ROUTES as readonly string[]).includes(routeUrl);
}

/**
 * Gives the page's HTML (the client routes) its Content-Security-Policy. On the root, where the
 * client routes are; the not-built fallback sets a policy of its own, and the API's JSON and
 * /docs need none.
 */
export function registerPageSecurityPolicy(app: FastifyInstance, remoteImages: boolean): void {
  const csp = pageContentSecurityPolicy(remoteImages);
  app.addHook('onSend', async (request, reply, payload) => {
    if (isPageRoute(request.routeOptions.url) && !reply.hasHeader('content-security-policy')) reply.header('content-security-policy', csp);
    return payload;
  });
}

/** Serves the built web page from the API server itself, so `anirec serve` is the only process. */
export async function registerWebAssets(app: FastifyInstance, dir: string = WEB_DIST): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    for (const path of CLIENT_ROUTES) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) =>
        // Its own policy: it loads nothing at all, and its one style attribute needs allowing.
        reply.type('text/html; charset=utf-8').header('content-security-policy', NOT_BUILT_CSP).send(NOT_BUILT),
      );
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
