/**
 * Cover art on the cards, in Chromium against the real server. The pictures come from this
 * test's own HTTP server on 127.0.0.1, so nothing leaves the machine; the catalogue is given
 * picture URLs for titles the list is known to show, then reloaded. A second server on the same
 * store runs with remote images off (`--no-remote-images`), and a CLI run checks the flag and
 * the environment variable reach the server.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { buildServer } from '../../src/server/app.js';
import { cardIds, startWebWorld, webServerConfig, type WebWorld } from './harness.js';

const PICKS = 't=1:10,5114:9,2001:9';
const PICK_TITLES = [
  { id: 1, score: 10 },
  { id: 5114, score: 9 },
  { id: 2001, score: 9 },
];
// The smallest valid PNG (1×1): a real image, so the browser shows it instead of failing over to the placeholder.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let web: WebWorld;
let images: Server;
let imageBase: string;
/** Paths the image server was asked for, in order. */
const imageRequests: string[] = [];
let noRemote: { app: FastifyInstance; url: string };
/** Card ids by what their catalogue entry was given. */
const ids = { live: 0, dead: 0, script: 0, data: 0, none: 0 };

before(async () => {
  images = createServer((request, response) => {
    imageRequests.push(request.url ?? '');
    if (request.url?.startsWith('/covers/')) response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageBase = `http://127.0.0.1:${(images.address() as { port: number }).port}`;
  web = await startWebWorld();

  // Which titles the page will show: the same request the page makes, before any picture exists.
  const response = await fetch(`${web.url}/v1/recommendations/from-titles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ titles: PICK_TITLES, k: 12 }),
  });
  const shown = ((await response.json()) as { items: { anime: { id: number } }[] }).items.map((i) => i.anime.id);
  assert.ok(shown.length >= 5, `the list has ${shown.length} titles`);
  [ids.live, ids.dead, ids.script, ids.data, ids.none] = shown as [number, number, number, number, number];
  await web.world.store.withImport((tx) =>
    tx.upsertAnime([
      { animeId: ids.live, pictureUrl: `${imageBase}/covers/${ids.live}.png` },
      // Nothing listens on port 9 here: a picture that cannot load, as when the page is offline.
      { animeId: ids.dead, pictureUrl: 'http://127.0.0.1:9/covers/gone.png' },
      { animeId: ids.script, pictureUrl: 'javascript:alert(1)' },
      { animeId: ids.data, pictureUrl: 'data:image/png;base64,iVBORw0KGgo=' },
    ]),
  );
  const reload = await fetch(`${web.url}/v1/admin/reload`, { method: 'POST' });
  assert.equal(reload.status, 200, await reload.text());

  const { app } = await buildServer({
    store: web.world.store,
    modelsDir: web.world.modelsDir,
    config: webServerConfig('http://127.0.0.1:9/graphql', { remoteImages: false }),
  });
  noRemote = { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
});

after(async () => {
  await noRemote?.app.close();
  await web?.close();
  await new Promise((resolve) => images?.close(resolve));
});

/** Opens the list and waits for the covers to settle (images loaded or failed over). */
async function openList(base: string): Promise<{ page: Page; errors: string[]; csp: string[] }> {
  const context = await web.browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const csp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  await page.goto(`${base}/for-you?${PICKS}`);
  await page.locator('article.card').first().waitFor();
  await page.waitForLoadState('networkidle');
  return { page, errors, csp };
}

/** The card's own cover box (a card may also list other entries of its franchise, with covers of their own). */
const card = (page: Page, id: number) => page.locator(`article.card[data-anime-id="${id}"] .cover-wrap`);

describe('cover art', () => {
  it('shows the catalogue picture, lazily, with alt text and a fixed size', async () => {
    const { page, errors, csp } = await openList(web.url);
    assert.deepEqual((await cardIds(page)).slice(0, 5), [ids.live, ids.dead, ids.script, ids.data, ids.none]);
    const img = card(page, ids.live).locator('img.cover');
    await img.waitFor();
    assert.equal(await img.getAttribute('src'), `${imageBase}/covers/${ids.live}.png`);
    assert.equal(await img.getAttribute('loading'), 'lazy');
    assert.equal(await img.getAttribute('referrerpolicy'), 'no-referrer');
    const name = (await page.locator(`article.card[data-anime-id="${ids.live}"] h3`).innerText()).trim();
    assert.equal(await img.getAttribute('alt'), `Cover art: ${name}`);
    assert.ok((await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)) > 0, 'the image loaded');
    assert.ok(imageRequests.includes(`/covers/${ids.live}.png`), 'the browser asked the image server');

    // The placeholder takes exactly the image's box, so nothing moves either way.
    const placeholder = card(page, ids.none).locator('[data-cover="placeholder"]');
    await placeholder.waitFor();
    const [a, b] = [await img.boundingBox(), await placeholder.boundingBox()];
    assert.ok(a && b);
    assert.deepEqual([Math.round(a.width), Math.round(a.height)], [Math.round(b.width), Math.round(b.height)]);
    assert.equal(Math.round((a.height / a.width) * 100) / 100, 1.5, 'a 2:3 cover');
    assert.deepEqual(csp, [], 'the page breaks none of its own policy');
    assert.deepEqual(errors, []);
  });

  it('shows a placeholder with initials and format when there is no picture', async () => {
    const { page } = await openList(web.url);
    const placeholder = card(page, ids.none).locator('[data-cover="placeholder"]');
    await placeholder.waitFor();
    assert.equal(await card(page, ids.none).locator('img').count(), 0);
    assert.equal(await placeholder.getAttribute('aria-hidden'), 'true', 'the title next to it already says what it is');
    assert.match(await placeholder.locator('.cover-initials').innerText(), /^\S{1,2}$/u);
    const meta = await page.locator(`article.card[data-anime-id="${ids.none}"] .meta`).innerText();
    assert.ok(meta.startsWith(await placeholder.locator('.cover-format').innerText()), `format shown: ${meta}`);
  });

  it('falls back to the placeholder when a picture cannot load (offline, a dead link)', async () => {
    const { page } = await openList(web.url);
    await card(page, ids.dead).locator('[data-cover="placeholder"]').waitFor();
    assert.equal(await card(page, ids.dead).locator('img').count(), 0);
  });

  it('never renders a picture URL that is not http(s)', async () => {
    const { page } = await openList(web.url);
    for (const id of [ids.script, ids.data]) {
      await card(page, id).locator('[data-cover="placeholder"]').waitFor();
      assert.equal(await card(page, id).locator('img').count(), 0, `card ${id}`);
    }
    const srcs = await page.locator('img').evaluateAll((els) => els.map((e) => e.getAttribute('src') ?? ''));
    assert.ok(srcs.length > 0);
    for (const src of srcs) assert.match(src, /^http:\/\/127\.0\.0\.1:\d+\/covers\//);
  });

  it("the page's Content-Security-Policy allows http(s) images and nothing foreign otherwise", async () => {
    const response = await fetch(`${web.url}/for-you?${PICKS}`);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /(^|; )img-src 'self' data: https: http:(;|$)/);
    assert.match(csp, /(^|; )default-src 'self'(;|$)/);
    assert.match(csp, /(^|; )script-src 'self'(;|$)/);
    assert.deepEqual(await fetch(`${web.url}/v1/page-config`).then((r) => r.json()), { remoteImages: true });
    assert.equal((await fetch(`${web.url}/v1/tags`)).headers.get('content-security-policy'), null, 'API answers carry no page policy');
  });

  it('breaks nothing on any screen under its own policy', async () => {
    const context = await web.browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(`${page.url()}: ${m.text()}`);
    });
    const screens: [string, string][] = [
      ['/', 'combobox'],
      ['/start?via=genres', 'button'],
      ['/profile?user=kaggle2016:1', 'dl.stats'],
      ['/similar/1', 'article.card'],
      ['/health-report', 'h1'],
    ];
    for (const [path, ready] of screens) {
      await page.goto(web.url + path);
      await (ready === 'combobox' || ready === 'button' ? page.getByRole(ready).first() : page.locator(ready).first()).waitFor();
      await page.waitForLoadState('networkidle');
    }
    assert.deepEqual(refused, []);
    await context.close();
  });
});

describe('--no-remote-images', () => {
  it('says so to the page, and the policy allows images from this server and data: only', async () => {
    assert.deepEqual(await fetch(`${noRemote.url}/v1/page-config`).then((r) => r.json()), { remoteImages: false });
    for (const path of ['/', `/for-you?${PICKS}`, '/similar/1']) {
      const csp = (await fetch(noRemote.url + path)).headers.get('content-security-policy') ?? '';
      assert.match(csp, /(^|; )img-src 'self' data:(;|$)/, path);
      assert.doesNotMatch(csp, /https?:/, path);
    }
  });

  it('shows placeholders only, and the browser fetches no remote image even when one is put on the page', async () => {
    const before = imageRequests.length;
    const { page, errors } = await openList(noRemote.url);
    const covers = page.locator('article.card [data-cover="placeholder"]');
    assert.ok((await covers.count()) >= 5, 'every card has its placeholder');
    assert.equal(await card(page, ids.live).locator('[data-cover="placeholder"]').count(), 1, 'the title with a picture too');
    assert.equal(await page.locator('img').count(), 0);
    // Even an <img> that got onto the page some other way is refused by the browser.
    await page
      .evaluate(
        `new Promise((resolve) => {
      const img = document.createElement('img');
      img.onload = () => resolve('loaded');
      img.onerror = () => resolve('blocked');
      img.src = ${JSON.stringify(`${imageBase}/covers/${ids.live}.png?injected`)};
      document.body.append(img);
    })`,
      )
      .then((outcome) => assert.equal(outcome, 'blocked'));
    assert.deepEqual(imageRequests.slice(before), [], 'the image server was never asked');
    assert.deepEqual(errors, []);
  });
});
