/**
 * "This season for you" in Chromium against the real server, whose clock is set (no test
 * depends on today's date): spring 2016, a season the bundled 2016 ratings cover, and a season
 * the catalogue has nothing for, where the row falls back to titles airing now.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { cardIds, openPage, startWebWorld, type WebWorld } from './harness.js';

let web: WebWorld;
let clock = new Date('2016-05-01T09:00:00Z');

before(async () => {
  web = await startWebWorld({ now: () => clock });
});

after(async () => {
  await web?.close();
});

/** Ids, meta lines, reasons and reason kinds of the row's tiles. */
async function rowTiles(page: Page): Promise<{ id: number; meta: string; reason: string; kind: string }[]> {
  const tiles = page.locator('section.season-row li.season-item');
  const ids = await tiles.evaluateAll((els) => els.map((e) => [e.getAttribute('data-anime-id'), e.getAttribute('data-reason-kind')]));
  const metas = await tiles.locator('.meta').allInnerTexts();
  const reasons = await tiles.locator('.reason').allInnerTexts();
  return ids.map(([id, kind], i) => ({
    id: Number(id),
    kind: kind ?? '',
    meta: metas[i]!,
    reason: reasons[i]!.replace(/^Why:\s*/, '').trim(),
  }));
}

const isTitlesRequest = (filter: (filters: Record<string, unknown>) => boolean) => (request: Request) =>
  request.method() === 'POST' &&
  request.url().endsWith('/v1/recommendations/from-titles') &&
  filter((request.postDataJSON() as { filters?: Record<string, unknown> }).filters ?? {});

describe('This season for you', () => {
  it('for a pasted list: asks for season=current, and new seasons of listed series lead with their reason', async () => {
    clock = new Date('2016-05-01T09:00:00Z');
    const context = await web.browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // JoJo (2012) and Terra Formars (2014) both got a new season in spring 2016.
    const seasonal = page.waitForRequest(isTitlesRequest((f) => f.season === 'current'));
    await page.goto(`${web.url}/for-you?t=14719:10,22687:8,1:9,5114:9`);
    const request = await seasonal;
    assert.equal((request.postDataJSON() as { filters: { season: string } }).filters.season, 'current');

    const row = page.getByRole('region', { name: 'This season for you' });
    await row.getByRole('heading', { level: 2, name: 'This season for you' }).waitFor();
    assert.match(await row.locator('.season-head p').innerText(), /^Spring 2016$/);
    const tiles = await rowTiles(page);
    assert.ok(tiles.length >= 4, `the row has ${tiles.length} titles`);
    for (const tile of tiles) {
      assert.match(tile.meta, /Spring 2016/, `${tile.id}: ${tile.meta}`);
      assert.match(tile.reason, /\w+/);
    }
    assert.deepEqual(
      tiles.slice(0, 2).map((t) => t.id),
      [31933, 31430],
    );
    assert.deepEqual(
      tiles.slice(0, 2).map((t) => t.kind),
      ['new_season', 'new_season'],
    );
    assert.equal(tiles[0]!.reason, 'New season of JoJo no Kimyou na Bouken (TV), which you rated 10/10');
    assert.equal(tiles[1]!.reason, 'New season of Terra Formars, which you rated 8/10');
    for (const picked of [14719, 22687, 1, 5114]) assert.ok(!tiles.some((t) => t.id === picked), 'picked titles are not recommended back');

    await page.locator('article.card').first().waitFor();
    assert.ok((await cardIds(page)).length > 0, 'the main list is still there below');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('for a stored user: the same row from GET with season=current', async () => {
    clock = new Date('2016-05-01T09:00:00Z');
    const { page } = await openPage(web, '/start');
    const seasonal = page.waitForRequest(
      (r) =>
        r.method() === 'GET' &&
        /\/v1\/users\/kaggle2016%3A2\/recommendations\?/.test(r.url()) &&
        new URL(r.url()).searchParams.get('season') === 'current',
    );
    await page.goto(`${web.url}/for-you?user=kaggle2016:2`);
    await seasonal;
    await page.locator('section.season-row li.season-item').first().waitFor();
    const tiles = await rowTiles(page);
    assert.ok(tiles.length > 0);
    for (const tile of tiles) assert.match(tile.meta, /Spring 2016/, `${tile.id}: ${tile.meta}`);
  });

  it('falls back to titles airing now when the season has too few, and says so', async () => {
    // The catalogue has nothing for winter 2030; Trigun (1998) has a new season airing in the
    // catalogue's snapshot (Trigun Stargaze, 2026), which no 2016 rating covers.
    clock = new Date('2030-01-15T09:00:00Z');
    const context = await web.browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    const seasonal = page.waitForRequest(isTitlesRequest((f) => f.season === 'current'));
    const airing = page.waitForRequest(isTitlesRequest((f) => JSON.stringify(f.status) === '["airing"]' && f.season === undefined));
    await page.goto(`${web.url}/for-you?t=6:10,1:9,5114:9`);
    await seasonal;
    await airing;
    const row = page.getByRole('region', { name: 'This season for you' });
    await row.locator('li.season-item').first().waitFor();
    assert.equal(
      await row.locator('.season-head p').innerText(),
      'Winter 2030 — few Winter 2030 titles match, so this row also has titles airing now.',
    );
    const tiles = await rowTiles(page);
    assert.ok(tiles.length > 0);
    for (const tile of tiles) assert.match(tile.meta, /airing/, `${tile.id}: ${tile.meta}`);
    assert.equal(tiles[0]!.id, 54863);
    assert.equal(tiles[0]!.reason, 'New season of Trigun, which you rated 10/10');
    assert.equal(
      await row
        .locator('li[data-anime-id="54863"]')
        .getByRole('link', { name: /^More like / })
        .count(),
      0,
      'no "more like this" for a title the model cannot score',
    );
    await context.close();
    clock = new Date('2016-05-01T09:00:00Z');
  });

  it('scrolls sideways by itself on a phone, never the page', async () => {
    clock = new Date('2016-05-01T09:00:00Z');
    const { page } = await openPage(web, '/for-you?t=14719:10,22687:8,1:9', { width: 390, height: 844 });
    await page.locator('section.season-row li.season-item').first().waitFor();
    assert.ok((await rowTiles(page)).length >= 3, 'more tiles than fit the screen');
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    assert.ok(overflow <= 0, `the page overflows by ${overflow}px`);
  });

  it('is not shown when it has nothing', async () => {
    clock = new Date('2016-05-01T09:00:00Z');
    const { page } = await openPage(web, '/for-you?t=1:10&minScore=9.99');
    await page.getByText('No titles match these filters').waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('section.season-row').count(), 0);
  });
});

describe('season in the filter panel', () => {
  it('writes season=YEAR-SEASON to the URL and the main list keeps to it', async () => {
    const { page } = await openPage(web, '/for-you?t=1:10,5114:9,2001');
    await page.locator('article.card').first().waitFor();
    await page.getByText('Filters', { exact: true }).click();
    // The select's accessible name includes its chosen option ("Season Any"), hence the name attribute.
    await page.locator('select[name="season"]').selectOption('fall');
    await page.getByLabel('Season year').fill('2015');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/season=2015-fall/);
    await page.locator('.cards:not(.stale) article.card').first().waitFor();
    const metas = await page.locator('article.card .meta').allInnerTexts();
    assert.ok(metas.length > 0);
    for (const meta of metas) assert.match(meta, /Fall 2015/, meta);

    const shared = await openPage(web, new URL(page.url()).pathname + new URL(page.url()).search);
    await shared.page.locator('article.card').first().waitFor();
    // With a filter in the URL the panel starts open.
    assert.equal(await shared.page.locator('select[name="season"]').inputValue(), 'fall', 'the season comes back from the URL');
    assert.equal(await shared.page.getByLabel('Season year').inputValue(), '2015');
  });
});
