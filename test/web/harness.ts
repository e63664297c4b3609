/**
 * The web tests' world: the real server (bundled catalogues + a slice of the bundled ratings,
 * a trained item-kNN model) listening on loopback, serving the built page, and Debian's Chromium
 * driven by playwright-core. No browser is ever downloaded.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/data/bundled.js';
import { buildServer } from '../../src/server/app.js';
import type { ServerConfig } from '../../src/server/config.js';
import { WEB_DIST } from '../../src/server/web-assets.js';
import { ReplayServer } from '../data/anilist/replay-server.js';
import { createWorld, type TestWorld } from '../server/setup.js';

export const CHROMIUM = process.env.ANIREC_CHROMIUM ?? '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(path) : st.mtimeMs);
  }
  return newest;
}

/** Builds the page when dist/web is missing or older than web/ (so the tests never run a stale page). */
export function ensureWebBuilt(): void {
  const index = join(WEB_DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(PACKAGE_ROOT, 'web'))) return;
  const vite = join(PACKAGE_ROOT, 'node_modules', '.bin', 'vite');
  const result = spawnSync(vite, ['build', '--config', join(PACKAGE_ROOT, 'web', 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`Building the web page failed (run \`npm run build:web\` to see why):\n${result.stderr || result.stdout}`);
}

export interface WebWorld {
  url: string;
  world: TestWorld;
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(executablePath: string = CHROMIUM): Promise<{ browser: Browser }> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}. The web tests drive Debian's Chromium and never download a browser: install it with \`sudo apt-get install -y chromium\` (or set ANIREC_CHROMIUM to another Chromium binary).`,
    );
  }
  const browser = await chromium.launch({
    executablePath,
    // Without the networking switches Chromium keeps calling Google services, which a closed
    // network refuses many times a second. Playwright itself gives every launch a fresh, empty
    // --user-data-dir in the temp folder (and deletes it on close); it refuses one passed here.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return { browser };
}

/**
 * The server's clock in web tests unless a test sets its own: spring 2016, a season the bundled
 * 2016 ratings cover, so "This season for you" (season=current) never depends on today's date.
 */
export const WEB_TEST_NOW = new Date('2016-05-01T09:00:00Z');

/** As `anirec serve` on loopback: no key configured, writes allowed (the page's "already seen" on stored users). */
export function webServerConfig(anilistEndpoint: string, config: Partial<ServerConfig> = {}): Partial<ServerConfig> {
  return { modelPollMs: 0, apiKeys: [], allowWritesWithoutKey: true, rateLimitPerMinute: 0, anilistEndpoint, ...config };
}

export async function startWebWorld(
  options: { ratingLines?: number; now?: () => Date; config?: Partial<ServerConfig> } = {},
): Promise<WebWorld> {
  ensureWebBuilt();
  const world = await createWorld({ ratingLines: options.ratingLines ?? 60_000 });
  // AniList is not reachable from here: a local server replays recorded-format answers (users yuki, nobody = 404).
  const anilist = await new ReplayServer().start();
  const { app } = await buildServer({
    store: world.store,
    modelsDir: world.modelsDir,
    config: webServerConfig(anilist.endpoint, options.config),
    now: options.now ?? (() => WEB_TEST_NOW),
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  let launched: { browser: Browser };
  try {
    launched = await launchChromium();
  } catch (error) {
    await app.close();
    await anilist.close();
    await world.cleanup();
    throw error;
  }
  return {
    url: address,
    world,
    browser: launched.browser,
    async close() {
      await launched.browser.close();
      await app.close();
      await anilist.close();
      await world.cleanup();
    },
  };
}

/** A fresh page that fails the test on any uncaught page error (a broken bundle shows up here). */
export async function openPage(
  web: WebWorld,
  path: string,
  viewport = { width: 1280, height: 800 },
): Promise<{ page: Page; errors: string[] }> {
  const context = await web.browser.newContext({ viewport, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(web.url + path);
  return { page, errors };
}

/** Ids of the cards on the page, in order. */
export async function cardIds(page: Page): Promise<number[]> {
  // Read the attribute from Node: this tsconfig has no DOM types, and playwright does the DOM part.
  const values = await page.locator('article.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-anime-id')));
  return values.map(Number);
}
